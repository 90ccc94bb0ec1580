import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback } from 'callbot-test-kit/listen';

// A vendor (or a debugging proxy in front of one) that echoes what it signed: every refusal's
// msg/retMsg quotes the signature base it computed — which starts with the secret key — in a
// different spelling each time (as is, upper case, URL-encoded, JSON-quoted, cut short, the key
// alone); every answer carries the key in its createTs and algorithm headers and has fields
// named after the key and the base. Otherwise it follows the contract, but strictly: it reads the
// request-id header only as `requestID`, the algorithm header only as MD5/SHA256, takes no gzip
// bodies and a createTs window of 60 s, so the probe meets many refusals.

export interface EchoVendor {
  url: string;
  /** How many refusals quoted the base or the key. */
  echoes: number;
  close(): Promise<void>;
}

function rawHeader(req: IncomingMessage, exactName: string): string | undefined {
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i] === exactName) return req.rawHeaders[i + 1];
  return undefined;
}

const hash = (algorithm: 'MD5' | 'SHA256', text: string) =>
  createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(text)
    .digest('hex')
    .toUpperCase();

export async function startEchoVendor(account: { uuid: string; secretKey: string }): Promise<EchoVendor> {
  const secret = account.secretKey;
  // The spellings of an echo, taken in turn.
  const spellings: ((base: string) => string)[] = [
    (base) => `sign mismatch, server signed: ${base}`,
    (base) => `SIGN MISMATCH: ${base.toUpperCase()}`,
    (base) => `debug: pre_sign=${encodeURIComponent(base)}`,
    (base) => `debug ${JSON.stringify({ preSign: base })}`,
    (base) => `expected over ${base.slice(0, 48)}`,
    () => `bad key? ours starts ${secret.slice(0, 12)} and ends ${secret.slice(-12).toLowerCase()}`,
    () => `key=${secret.toUpperCase()}`,
  ];
  const vendor = { echoes: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ping = (req.url ?? '').endsWith('/ping');
      const requestID = rawHeader(req, 'requestID');
      const createTs = String(req.headers.createts ?? '');
      const algorithmHeader = req.headers.algorithm as string | undefined;
      const algorithm = algorithmHeader === undefined || algorithmHeader === 'MD5' ? 'MD5' : algorithmHeader === 'SHA256' ? 'SHA256' : undefined;
      const base = `${secret}&body=${body}&createTs=${createTs}&requestID=${requestID ?? ''}&uuid=${req.headers.uuid}`;
      const now = Math.floor(Date.now() / 1000);

      let refusal: [number, string] | undefined;
      if (req.headers['content-encoding'] || !requestID || !algorithm || req.headers.sign !== hash(algorithm, base)) refusal = [6, 'signature'];
      else if (Math.abs(Number(createTs) - now) > 60) refusal = [4, 'createTs'];
      let answer: Record<string, unknown>;
      if (refusal) {
        const message = spellings[vendor.echoes++ % spellings.length]!(base);
        answer = ping
          ? { data: '', timestamp: now, code: refusal[0], msg: message, reqId: 'r-1' }
          : { retCode: refusal[0], retMsg: message, responseID: 'r-1' };
      } else if (ping) answer = { data: 'callbot-probe', timestamp: now, code: 0, msg: `ok, signed ${base}`, reqId: 'r-1' };
      else answer = { retCode: 0, retMsg: `success for ${base}`, responseID: 'r-1', totalCount: 0, taskData: [], orderList: [], callList: [] };
      // Fields named after the key and the base: the strict reading of the answer names each one.
      answer[secret] = 1;
      answer[base] = 'echo';
      res.writeHead(200, {
        'Content-Type': 'application/json',
        createTs: secret, // not seconds: the probe quotes the value's start
        algorithm: `${secret.slice(0, 9)}${algorithm ?? 'MD5'}`,
        'X-Signed-Over': encodeURIComponent(base),
      });
      res.end(JSON.stringify(answer));
    });
  });
  return Object.assign(vendor, await listenOnLoopback(server));
}
