import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { sign } from 'callbot-contract';
import { listenOnLoopback } from 'callbot-test-kit/listen';

// A loopback stand-in for the vendor that answers importBatchCall with whatever a test asks
// for, signed with the demo account's key as the vendor would: for answers the mock never
// gives (counts that do not add up) and for acting at the moment the request arrives.

export interface StandInRequest {
  headers: IncomingHttpHeaders;
  /** The JSON body, gunzipped if it came gzipped. */
  body: { callInfoList: { callList: { userPhone: string; orderID: string }[] } };
}

export interface StandInVendor {
  url: string;
  requests: StandInRequest[];
  close(): Promise<void>;
}

export async function startStandInVendor(
  answer: (request: StandInRequest) => Record<string, unknown> | Promise<Record<string, unknown>>,
): Promise<StandInVendor> {
  const requests: StandInRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const request: StandInRequest = { headers: req.headers, body: JSON.parse(text) as StandInRequest['body'] };
      requests.push(request);
      const body = Buffer.from(JSON.stringify(await answer(request)), 'utf8');
      const requestID = String(req.headers.requestid ?? '');
      const uuid = String(req.headers.uuid ?? '');
      const algorithm = req.headers.algorithm === 'SHA256' ? 'SHA256' : 'MD5';
      const createTs = String(Math.floor(Date.now() / 1000));
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': body.length,
        createTs,
        algorithm,
        requestID,
        uuid,
        sign: sign({ secretKey: DEMO_ACCOUNT.secretKey, body, createTs, requestID, uuid, algorithm }),
      });
      res.end(body);
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}

/** An answer that never comes: the stand-in holds the request until it is closed. */
export const holdForever = (): Promise<Record<string, unknown>> => new Promise(() => {});

/** Resolves once the stand-in has received `count` whole requests. */
export async function waitForRequests(vendor: StandInVendor, count = 1, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (vendor.requests.length < count) {
    if (Date.now() > until) throw new Error(`the stand-in vendor received ${vendor.requests.length} of ${count} requests`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
