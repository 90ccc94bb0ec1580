import { randomUUID } from 'node:crypto';
import type { Middleware } from 'openapi-fetch';
import { DEFAULT_ALGORITHM, type SignAlgorithm, signParts } from './sign.js';

export interface SignRequestOptions {
  uuid: string;
  secretKey: string;
  /** MD5 (the vendor's default) or SHA256. */
  algorithm?: SignAlgorithm;
  /** Milliseconds since the epoch; `createTs` is derived from it. Injected by tests. */
  clock?: () => number;
  /** A fresh request id per request; 32 lowercase hex characters (like `uuid4().hex`) by default. */
  requestId?: () => string;
}

const ALREADY_ENCODED = 'signRequestMiddleware: the body is already encoded; register gzipRequestMiddleware after it';

export const newRequestId = (): string => randomUUID().replaceAll('-', '');

/**
 * The signer of signRequestMiddleware, apart from any Request: given a request's headers and
 * the exact bytes of its body (whole, or as consecutive pieces), the headers to send it with (`requestID`, `uuid`, `createTs`,
 * `algorithm`, `sign` added; the caller's `requestID` kept). Shared with the client's own
 * send step, which holds the body bytes already and so never reads them back from a Request.
 */
export function requestSigner(options: SignRequestOptions): (headers: Headers, body: Uint8Array | readonly Uint8Array[]) => Headers {
  const { uuid, secretKey } = options;
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const clock = options.clock ?? Date.now;
  const makeRequestId = options.requestId ?? newRequestId;
  return (original, body) => {
    // The vendor signs the JSON text: signing compressed bytes would give a sign it rejects.
    if (original.has('Content-Encoding')) throw new TypeError(ALREADY_ENCODED);
    const requestID = original.get('requestID') || makeRequestId();
    const createTs = String(Math.floor(clock() / 1000));
    const headers = new Headers(original);
    headers.set('requestID', requestID);
    headers.set('uuid', uuid);
    headers.set('createTs', createTs);
    headers.set('algorithm', algorithm);
    headers.set('sign', signParts({ secretKey, body: body instanceof Uint8Array ? [body] : body, createTs, requestID, uuid, algorithm }));
    return headers;
  };
}

/**
 * openapi-fetch middleware that signs each request the way the vendor describes: `requestID`,
 * `uuid`, `createTs`, `algorithm` and `sign` headers. The body is read once, as the bytes
 * openapi-fetch serialized, and those same bytes are signed and sent on.
 *
 * A `requestID` header already set by the caller is kept (so a caller can log it before
 * sending); otherwise a fresh one is made.
 */
export function signRequestMiddleware(options: SignRequestOptions): Middleware {
  const signed = requestSigner(options);
  return {
    async onRequest({ request }) {
      if (request.headers.has('Content-Encoding')) throw new TypeError(ALREADY_ENCODED);
      const body = new Uint8Array(await request.arrayBuffer());
      const headers = signed(request.headers, body);
      // The rebuilt request keeps the redirect mode (createCallbotClient's 'manual': never followed).
      return new Request(request.url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect });
    },
  };
}
