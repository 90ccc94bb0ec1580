import type { Middleware } from 'openapi-fetch';
import { gzipRequestMiddleware } from './gzip-middleware.js';
import { signRequestMiddleware, type SignRequestOptions } from './sign-middleware.js';
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
