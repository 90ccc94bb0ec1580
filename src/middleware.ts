import type { Middleware } from 'openapi-fetch';
import { compressBody, compressParts, gzipRequestMiddleware } from './gzip-middleware.js';
import { requestSigner, signRequestMiddleware, type SignRequestOptions } from './sign-middleware.js';
import { verifyResponseMiddleware } from './verify-middleware.js';

export interface SigningOptions extends SignRequestOptions {
  /**
   * Compress the body with `Content-Encoding: gzip`: `true` always, `{ minBytes }` from that
   * size on. The signature covers the uncompressed JSON text. Off by default: on fast links
   * compression costs more than it saves.
   */
  gzip?: boolean | { minBytes: number };
  /**
   * Check that every answer echoes `requestID` and `uuid` and carries a valid `sign`. On by
   * default. Turning it off is unsafe: a forged or altered answer is then taken as the vendor's.
   */
  verifyResponses?: boolean;
  /**
   * The most bytes of an answer the verification reads (after fetch has decoded any gzip);
   * past it the call rejects with CallbotUnknownOutcomeError. Default 64 MiB.
   */
  maxAnswerBytes?: number;
}

/**
 * The middleware createCallbotClient uses, in the order they must be registered:
 * `client.use(...callbotMiddleware(options))`. openapi-fetch runs onRequest in registration
 * order and onResponse in reverse, so signing comes before gzip (the signature covers the
 * uncompressed JSON) and verification comes last (it sees the answer as received).
 */
export function callbotMiddleware(options: SigningOptions): Middleware[] {
  const chain = [signRequestMiddleware(options)];
  if (options.gzip) chain.push(gzipRequestMiddleware(options.gzip === true ? {} : options.gzip));
  if (options.verifyResponses ?? true) chain.push(verifyResponseMiddleware(options));
  return chain;
}

/**
 * What createCallbotClient registers: callbotMiddleware's signing and gzip in ONE step, then
 * the same verification. The client serializes each body itself, once, straight to UTF-8 bytes
 * in pieces (jsonChunks: never the whole JSON text as one string),
 * and hands them over by the request's `requestID` header (`preparedBody`), with a request
 * that has no body of its own: neither openapi-fetch nor an intermediate Request then holds
 * another copy of a large batch (each Request copies its body, and each read copies it again);
 * the bytes are signed, compressed and put into the one Request that goes out. A request that
 * has a body (`raw.POST(path, { body })`) is read once instead, as by signRequestMiddleware.
 * The result on the wire is exactly callbotMiddleware's.
 */
export function clientMiddleware(options: SigningOptions, preparedBody: (requestID: string) => readonly Uint8Array[] | undefined): Middleware[] {
  const signed = requestSigner(options);
  const gzip = options.gzip;
  const minBytes = gzip === true ? 0 : gzip ? gzip.minBytes : undefined;
  const send: Middleware = {
    async onRequest({ request }) {
      const prepared = request.body === null ? preparedBody(request.headers.get('requestID') ?? '') : undefined;
      const body = prepared ?? new Uint8Array(await request.arrayBuffer());
      const headers = signed(request.headers, body);
      if (prepared) headers.set('Content-Type', 'application/json');
      let wire: Uint8Array<ArrayBuffer>;
      let gzipped = false;
      if (body instanceof Uint8Array) ({ wire, gzipped } = minBytes === undefined ? { wire: body, gzipped: false } : compressBody(body, minBytes));
      else ({ wire, gzipped } = await compressParts(body, minBytes ?? Number.POSITIVE_INFINITY));
      if (gzipped) headers.set('Content-Encoding', 'gzip');
      // The rebuilt request keeps the redirect mode (createCallbotClient's 'manual': never followed).
      return new Request(request.url, { method: request.method, headers, body: wire, signal: request.signal, redirect: request.redirect });
    },
  };
  return (options.verifyResponses ?? true) ? [send, verifyResponseMiddleware(options)] : [send];
}

/**
 * callbotMiddleware as one middleware: signs, gzips when `gzip` says so, and verifies answers
 * unless `verifyResponses: false`, exactly as in earlier versions (only the signing alone would
 * silently drop the answer checks of code written against them).
 *
 * @deprecated The name says less than it does: use `client.use(...callbotMiddleware(options))`
 * (the same behaviour), or signRequestMiddleware, gzipRequestMiddleware and
 * verifyResponseMiddleware for one job each.
 */
export function signingMiddleware(options: SigningOptions): Middleware {
  const chain = callbotMiddleware(options);
  return {
    async onRequest(params) {
      let request = params.request;
      for (const m of chain) {
        const next = await m.onRequest?.({ ...params, request });
        if (next instanceof Request) request = next;
      }
      return request;
    },
    async onResponse(params) {
      let response = params.response;
      for (const m of [...chain].reverse()) {
        const next = await m.onResponse?.({ ...params, response });
        if (next instanceof Response) response = next;
      }
      return response;
    },
  };
}
