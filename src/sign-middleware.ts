import { randomUUID } from 'node:crypto';
import type { Middleware } from 'openapi-fetch';
import { DEFAULT_ALGORITHM, type SignAlgorithm, sign } from './sign.js';

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

export const newRequestId = (): string => randomUUID().replaceAll('-', '');

/**
 * openapi-fetch middleware that signs each request the way the vendor describes: `requestID`,
 * `uuid`, `createTs`, `algorithm` and `sign` headers. The body is read once, as the bytes
 * openapi-fetch serialized, and those same bytes are signed and sent on.
 *
 * A `requestID` header already set by the caller is kept (so a caller can log it before
 * sending); otherwise a fresh one is made.
 */
export function signRequestMiddleware(options: SignRequestOptions): Middleware {
  const { uuid, secretKey } = options;
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const clock = options.clock ?? Date.now;
  const makeRequestId = options.requestId ?? newRequestId;

  return {
    async onRequest({ request }) {
      // The vendor signs the JSON text: signing compressed bytes would give a sign it rejects.
      if (request.headers.has('Content-Encoding')) {
        throw new TypeError('signRequestMiddleware: the body is already encoded; register gzipRequestMiddleware after it');
      }
      const body = new Uint8Array(await request.arrayBuffer());
      const requestID = request.headers.get('requestID') || makeRequestId();
      const createTs = String(Math.floor(clock() / 1000));
      const headers = new Headers(request.headers);
      headers.set('requestID', requestID);
      headers.set('uuid', uuid);
      headers.set('createTs', createTs);
      headers.set('algorithm', algorithm);
      headers.set('sign', sign({ secretKey, body, createTs, requestID, uuid, algorithm }));
      // The rebuilt request keeps the redirect mode (createCallbotClient's 'manual': never followed).
      return new Request(request.url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect });
    },
  };
}
