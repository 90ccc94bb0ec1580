import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { listenOnLoopback } from 'callbot-test-kit/listen';

// A vendor that departs from the contract on purpose, on every point `callbot probe` checks,
// written here from the vendor's description (node:crypto, not the package's sign()):
//   - it reads the request-id header case-sensitively, and only as `requestId`;
//   - it takes only lowercase `algorithm` values (`md5`, `sha256`; absent = MD5);
//   - its createTs window is 60 seconds;
//   - it refuses gzip request bodies;
//   - its answer signatures are lowercase hex;
//   - its answers carry undocumented fields and an undocumented taskStatus value (9);
//   - its answers and refusals carry a phone number and a name (the report must mask them).
// Where it follows the contract: list answers come gzipped when asked (Accept-Encoding: gzip),
// signed over the JSON text (in lowercase hex, as all its signatures).
// It records when each request arrived (for the rate limit).

export const PHONE = '8613800138000';
export const NAME = 'Zhang San';
export const WINDOW_SECONDS = 60;

export interface DivergentVendor {
  url: string;
  arrivals: number[];
  close(): Promise<void>;
}

const md = (algorithm: 'MD5' | 'SHA256', text: string | Buffer) =>
  createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(text)
    .digest('hex');

function rawHeader(req: IncomingMessage, exactName: string): string | undefined {
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i] === exactName) return req.rawHeaders[i + 1];
  return undefined;
}

const order = { orderID: 'o-1', userPhone: PHONE, userName: NAME, callInfoDetail: { callID: 'c-1', callStatus: 7 } };
const taskStat = { answerOrderCount: 0, finishOrderCount: 0, totalOrderCount: 1, finishRate: 0, totalAnswerCall: 0, totalCall: 0, answerRate: 0 };

function answerFor(path: string): Record<string, unknown> {
  const envelope = { retCode: 0, retMsg: 'success', responseID: 'r-1' };
  if (path.endsWith('/ping')) return { data: 'callbot-probe', timestamp: Math.floor(Date.now() / 1000), code: 0, msg: 'ok', reqId: 'r-1', serverRegion: 'dev' };
  if (path.endsWith('/listTask'))
    return { ...envelope, total: 1, taskData: [{ userTaskID: 't-1', taskID: '1', sceneID: 's', taskStatus: 9, createTs: 1700000000, taskStat }] };
  if (path.endsWith('/listOrder')) return { ...envelope, totalCount: 1, orderList: [order] };
  if (path.endsWith('/listCall')) return { ...envelope, totalCount: 1, callList: [order] };
  return { ...envelope, totalCount: 1, batchID: 'b-1', callList: [{ orderID: 'o-1', userPhone: PHONE, callID: 'c-1', callStatus: 7 }] };
}

export async function startDivergentVendor(account: { uuid: string; secretKey: string }): Promise<DivergentVendor> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '';
      const ping = path.endsWith('/ping');
      const requestId = rawHeader(req, 'requestId');
      const createTs = String(req.headers.createts ?? '');
      const algorithmHeader = req.headers.algorithm as string | undefined;
      const algorithm = algorithmHeader === undefined || algorithmHeader === 'md5' ? 'MD5' : algorithmHeader === 'sha256' ? 'SHA256' : undefined;
      const refuse = (code: number, message: string) =>
        ping ? { data: '', timestamp: Math.floor(Date.now() / 1000), code, msg: message, reqId: 'r-1' } : { retCode: code, retMsg: message, responseID: 'r-1' };

      let answer: Record<string, unknown>;
      if (req.headers['content-encoding']) answer = refuse(3, 'compressed bodies are not supported');
      else if (!requestId) answer = refuse(2, 'requestId is missing');
      else if (!algorithm) answer = refuse(6, 'algorithm must be md5 or sha256');
      else if (
        req.headers.sign !==
        md(algorithm, `${account.secretKey}&body=${body.toString('utf8')}&createTs=${createTs}&requestID=${requestId}&uuid=${req.headers.uuid}`).toUpperCase()
      )
        answer = refuse(6, 'incorrect signature');
      else if (Math.abs(Number(createTs) - Math.floor(Date.now() / 1000)) > WINDOW_SECONDS)
        answer = refuse(4, `createTs out of window; questions: call ${PHONE}`);
      else answer = answerFor(path);

      const text = JSON.stringify(answer);
      const answerTs = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = { 'Content-Type': 'application/json', createTs: answerTs, uuid: String(req.headers.uuid ?? '') };
      if (requestId) {
        const answerAlgorithm = algorithm ?? 'MD5';
        headers.requestId = requestId;
        headers.algorithm = answerAlgorithm.toLowerCase();
        headers.sign = md(answerAlgorithm, `${account.secretKey}&body=${text}&createTs=${answerTs}&requestID=${requestId}&uuid=${req.headers.uuid}`); // lowercase hex
      }
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && /\/(listCall|exportBatchCall)$/.test(path);
      if (gzip) headers['Content-Encoding'] = 'gzip';
      res.writeHead(200, headers);
      res.end(gzip ? gzipSync(text) : text);
    });
  });
  return { ...(await listenOnLoopback(server)), arrivals };
}
