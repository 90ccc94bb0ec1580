import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';

// A loopback stand-in for the vendor, written from the vendor's description and NOT from the
// package's code: it recomputes `sign` with node:crypto over
// `<secretKey>&body=<json>&createTs=..&requestID=..&uuid=..`, and signs its answers the same
// way. Each request takes the next scripted behaviour; the last one repeats.

export type Behaviour =
  | { answer: Record<string, unknown>; gzip?: boolean }
  /** The answer computed from the request (its parsed body and path): for paging, and per-path answers. */
  | { kind: 'compute'; answer: (body: any, path: string) => Record<string, unknown>; gzip?: boolean }
  | { kind: 'reset-after-body' }
  | { kind: 'slow'; ms: number }
  | { kind: 'tamper-body' }
  | { kind: 'wrong-echo' }
  | { kind: 'unsigned'; answer: Record<string, unknown> }
  | { kind: 'http-status'; status: number };

export interface ReceivedRequest {
  /** The request's path, e.g. `/callcentre/api/v3/listOrder`. */
  path: string;
  headers: IncomingMessage['headers'];
  rawHeaderNames: string[];
  wireBytes: Buffer;
  json: string;
  signatureValid: boolean;
}

export interface FakeVendor {
  url: string;
  received: ReceivedRequest[];
  script(...behaviours: Behaviour[]): void;
  close(): Promise<void>;
}

const hash = (algorithm: string, text: string) =>
  createHash(algorithm === 'SHA256' ? 'sha256' : 'md5')
    .update(text, 'utf8')
    .digest('hex')
    .toUpperCase();

export const accepted = (totalCount = 1) => ({ retCode: 0, retMsg: 'success', responseID: 'resp-1', totalCount, successCount: totalCount, errList: [] });

export async function startFakeVendor(account: { uuid: string; secretKey: string }): Promise<FakeVendor> {
  const received: ReceivedRequest[] = [];
  let behaviours: Behaviour[] = [{ answer: accepted() }];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wireBytes = Buffer.concat(chunks);
      const json = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wireBytes).toString('utf8') : wireBytes.toString('utf8');
      const h = req.headers;
      const algorithm = String(h.algorithm ?? 'MD5');
      const base = `${account.secretKey}&body=${json}&createTs=${h.createts}&requestID=${h.requestid}&uuid=${h.uuid}`;
      const signatureValid = h.sign === hash(algorithm, base);
      const rawHeaderNames = req.rawHeaders.filter((_, i) => i % 2 === 0);
      received.push({ path: req.url ?? '', headers: h, rawHeaderNames, wireBytes, json, signatureValid });
      const behaviour = behaviours.length > 1 ? behaviours.shift()! : behaviours[0]!;
      respond(behaviour, req, res, algorithm, signatureValid);
    });
  });

  function signedHeaders(req: IncomingMessage, body: string, algorithm: string) {
    const createTs = String(Math.floor(Date.now() / 1000));
    const requestID = String(req.headers.requestid);
    const uuid = String(req.headers.uuid);
    const sign = hash(algorithm, `${account.secretKey}&body=${body}&createTs=${createTs}&requestID=${requestID}&uuid=${uuid}`);
    return { 'content-type': 'application/json', requestID, uuid, createTs, sign, algorithm };
  }

  function respond(b: Behaviour, req: IncomingMessage, res: ServerResponse, algorithm: string, signatureValid: boolean) {
    if (!('kind' in b) || b.kind === 'compute') {
      const computed = 'kind' in b ? b.answer(JSON.parse(received.at(-1)!.json), req.url ?? '') : b.answer;
      const answer = signatureValid ? computed : { retCode: 6, retMsg: '签名不正确', responseID: 'r', totalCount: 0, successCount: 0 };
      const body = JSON.stringify(answer);
      // The sign covers the JSON text; gzip (only when the client asked for it) wraps it.
      if (b.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.writeHead(200, { ...signedHeaders(req, body, algorithm), 'content-encoding': 'gzip' }).end(gzipSync(body));
      } else {
        res.writeHead(200, signedHeaders(req, body, algorithm)).end(body);
      }
      return;
    }
    switch (b.kind) {
      case 'reset-after-body':
        req.socket.destroy();
        return;
      case 'slow':
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200).end('{}');
        }, b.ms).unref();
        return;
      case 'tamper-body': {
        const body = JSON.stringify(accepted());
        const headers = signedHeaders(req, body, algorithm);
        res.writeHead(200, headers).end(body.replace('"successCount":1', '"successCount":9'));
        return;
      }
      case 'wrong-echo': {
        const body = JSON.stringify(accepted());
        res.writeHead(200, { ...signedHeaders(req, body, algorithm), requestID: 'someone-else' }).end(body);
        return;
      }
      case 'unsigned':
        res
          .writeHead(200, { 'content-type': 'application/json', requestID: String(req.headers.requestid), uuid: String(req.headers.uuid) })
          .end(JSON.stringify(b.answer));
        return;
      case 'http-status':
        res.writeHead(b.status, { 'content-type': 'text/plain' }).end('gateway says no');
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (...next) => {
      behaviours = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
