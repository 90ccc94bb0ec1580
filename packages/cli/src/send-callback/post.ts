import { type ClientRequest, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type SignAlgorithm, sign } from 'callbot-contract';

// One signed callback POSTed to a receiver, as the vendor sends it: the body, and the headers
// requestID, uuid, createTs (now) and sign — no `algorithm` header (the vendor's callbacks carry
// none; a receiver tells the algorithm by the signature's length). Used by `callbot listen
// --forward-to`, `callbot trigger` and `callbot resend`. Never follows a redirect (node:http does
// not: the signed body would go to a host nobody named), keeps at most ANSWER_EXCERPT_BYTES of
// the answer, and gives up after `timeoutMs`. The secret and the signature base stay in here: the
// result holds the status, the time taken and an excerpt of the answer, nothing else.
//
// node:http with kept-alive connections rather than fetch: a forward is one small POST per
// callback, and undici's fetch cost `listen --forward-to` about half its rate (bench/callbacks.mjs).

export interface SigningAccount {
  uuid: string;
  secretKey: string;
  algorithm: SignAlgorithm;
}

export interface SignedCallback {
  url: URL;
  /** The payload's JSON text (or its bytes), sent and signed as it is. */
  body: string | Uint8Array;
  /** The callback's requestID: the vendor's own when passing one on (the receiver deduplicates by it). */
  requestID: string;
  account: SigningAccount;
  timeoutMs: number;
}

/** What became of one POST. `sent` tells a failure before anything left (`no`) from one after (`unknown`). */
export type PostResult =
  | { ok: boolean; status: number; ms: number; answer: string }
  | { ok: false; status?: undefined; ms: number; error: string; sent: 'no' | 'unknown' };

/** The most of an answer kept (for the line printed): a receiver's answer is a small JSON. */
export const ANSWER_EXCERPT_BYTES = 2048;
/** How long an answer's body is read after its status came (then cut: the status is the answer). */
const ANSWER_WAIT_MS = 1_000;

/**
 * Kept-alive connections per receiver: at most MAX_SOCKETS at once (more callbacks wait for
 * one), an idle one closed after IDLE_MS — before a receiver's own keep-alive timeout (node:http's
 * default is 5 s) can close it under a request.
 */
const MAX_SOCKETS = 64;
const IDLE_MS = 4_000;
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
};

export function postSignedCallback(callback: SignedCallback): Promise<PostResult> {
  const { account, requestID, url } = callback;
  const body = typeof callback.body === 'string' ? Buffer.from(callback.body, 'utf8') : callback.body;
  const createTs = String(Math.floor(Date.now() / 1000));
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    requestID,
    uuid: account.uuid,
    createTs,
    sign: sign({ secretKey: account.secretKey, algorithm: account.algorithm, body, createTs, requestID, uuid: account.uuid }),
  };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const secure = url.protocol === 'https:';
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    let bodyTimer: NodeJS.Timeout | undefined;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(bodyTimer);
      resolve(result);
    };
    // Whether a connection was made (TLS: its handshake done): a failure before that sent nothing.
    let connected = false;
    let request: ClientRequest;
    try {
      request = (secure ? httpsRequest : httpRequest)(url, { method: 'POST', headers, agent: secure ? agents['https:'] : agents['http:'] }, (response) => {
        // The status is the answer; its body is kept as an excerpt, read for at most
        // ANSWER_WAIT_MS: a 200 whose body trickles on is still a 200, not a timeout.
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).subarray(0, ANSWER_EXCERPT_BYTES).toString('utf8');
          finish({ ok: status >= 200 && status < 300, status, ms: elapsed(), answer: size > ANSWER_EXCERPT_BYTES ? `${text}…` : text });
        };
        const cut = () => {
          done();
          response.destroy(); // the rest unread: this connection is not reused
        };
        bodyTimer = setTimeout(cut, ANSWER_WAIT_MS);
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > ANSWER_EXCERPT_BYTES) cut();
        });
        response.once('end', done);
        response.once('error', done); // an answer cut short: its status is what counts
      });
    } catch (error) {
      // A header value node:http refuses (a control character, a non-Latin-1 one): nothing left.
      finish({ ok: false, ms: elapsed(), error: (error as NodeJS.ErrnoException).code ?? (error as Error).message, sent: 'no' });
      return;
    }
    request.once('socket', (socket) => {
      if (!socket.connecting)
        connected = true; // a kept-alive connection
      else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code;
      finish({ ok: false, ms: elapsed(), error: code ?? error.message, sent: connected ? 'unknown' : 'no' });
    });
    const timer = setTimeout(() => {
      finish({ ok: false, ms: elapsed(), error: `no answer within ${callback.timeoutMs} ms`, sent: connected ? 'unknown' : 'no' });
      request.destroy();
    }, callback.timeoutMs);
    request.end(body);
  });
}
