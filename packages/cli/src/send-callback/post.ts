import { type SignAlgorithm, sign } from 'callbot-contract';

// One signed callback POSTed to a receiver, as the vendor sends it: the body, and the headers
// requestID, uuid, createTs (now) and sign — no `algorithm` header (the vendor's callbacks carry
// none; a receiver tells the algorithm by the signature's length). Used by `callbot listen
// --forward-to`, `callbot trigger` and `callbot resend`. Never follows a redirect (the signed
// body would go to a host nobody named), reads at most ANSWER_EXCERPT_BYTES of the answer, and
// gives up after `timeoutMs`. The secret and the signature base stay in here: the result holds
// the status, the time taken and an excerpt of the answer, nothing else.

export interface SigningAccount {
  uuid: string;
  secretKey: string;
  algorithm: SignAlgorithm;
}

export interface SignedCallback {
  url: URL;
  /** The payload's JSON text, sent and signed as it is. */
  body: string;
  /** The callback's requestID: the vendor's own when passing one on (the receiver deduplicates by it). */
  requestID: string;
  account: SigningAccount;
  timeoutMs: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** What became of one POST. `sent` tells a failure before anything left (`no`) from one after (`unknown`). */
export type PostResult =
  | { ok: boolean; status: number; ms: number; answer: string }
  | { ok: false; status?: undefined; ms: number; error: string; sent: 'no' | 'unknown' };

/** The most of an answer kept (for the line printed): a receiver's answer is a small JSON. */
export const ANSWER_EXCERPT_BYTES = 2048;

/** Connection errors that mean the request never reached a receiver. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export async function postSignedCallback(callback: SignedCallback): Promise<PostResult> {
  const { account, body, requestID } = callback;
  const createTs = String(Math.floor(Date.now() / 1000));
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    requestID,
    uuid: account.uuid,
    createTs,
    sign: sign({ secretKey: account.secretKey, algorithm: account.algorithm, body, createTs, requestID, uuid: account.uuid }),
  };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(callback.timeoutMs);
  let response: Response;
  try {
    response = await (callback.fetch ?? fetch)(callback.url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (error) {
    if (signal.aborted) return { ok: false, ms: elapsed(), error: `no answer within ${callback.timeoutMs} ms`, sent: 'unknown' };
    const code = causeCode(error);
    return { ok: false, ms: elapsed(), error: code ?? (error as Error).message, sent: code && NOT_SENT.has(code) ? 'no' : 'unknown' };
  }
  const answer = await excerpt(response);
  const ok = response.status >= 200 && response.status < 300;
  return { ok, status: response.status, ms: elapsed(), answer };
}

/** The first bytes of the answer as text; the rest is not read (the connection is let go). */
async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ANSWER_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // An answer cut short: its status is what counts.
  } finally {
    void reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, ANSWER_EXCERPT_BYTES).toString('utf8');
  return size > ANSWER_EXCERPT_BYTES ? `${text}…` : text;
}

/** undici wraps the socket's error: `TypeError: fetch failed` with `cause.code`. */
function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}
