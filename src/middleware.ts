import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Middleware } from 'openapi-fetch';
import { CallbotSignatureError } from './errors.js';
import { DEFAULT_ALGORITHM, type SignAlgorithm, sign, verifySignature } from './sign.js';

export interface SigningOptions {
  uuid: string;
  secretKey: string;
  /** MD5 (the vendor's default) or SHA256. */
  algorithm?: SignAlgorithm;
  /** Milliseconds since the epoch; `createTs` is derived from it. Injected by tests. */
  clock?: () => number;
  /** A fresh request id per request; 32 lowercase hex characters (like `uuid4().hex`) by default. */
  requestId?: () => string;
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
}

export const newRequestId = (): string => randomUUID().replaceAll('-', '');

/** retCodes for which the vendor cannot sign its answer, because it does not know the account. */
const UNSIGNABLE_RETCODES = new Set([6002]);

function shouldGzip(option: SigningOptions['gzip'], size: number): boolean {
  if (option === true) return true;
  if (option && typeof option === 'object') return size >= option.minBytes;
  return false;
}

/**
 * openapi-fetch middleware that signs each request the way the vendor describes and verifies
 * each answer. The body is read once, as the bytes openapi-fetch serialized, and those same
 * bytes are signed and sent (gzip, when on, wraps the signed bytes).
 *
 * A `requestID` header already set by the caller is kept (so a caller can log it before
 * sending); otherwise a fresh one is made.
 */
export function signingMiddleware(options: SigningOptions): Middleware {
  const { uuid, secretKey } = options;
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const clock = options.clock ?? Date.now;
  const makeRequestId = options.requestId ?? newRequestId;
  const verifyResponses = options.verifyResponses ?? true;

  return {
    async onRequest({ request }) {
      const body = new Uint8Array(await request.arrayBuffer());
      const requestID = request.headers.get('requestID') || makeRequestId();
      const createTs = String(Math.floor(clock() / 1000));
      const headers = new Headers(request.headers);
      headers.set('requestID', requestID);
      headers.set('uuid', uuid);
      headers.set('createTs', createTs);
      headers.set('algorithm', algorithm);
      headers.set('sign', sign({ secretKey, body, createTs, requestID, uuid, algorithm }));
      let wire: Uint8Array<ArrayBuffer> = body;
      if (shouldGzip(options.gzip, body.byteLength)) {
        wire = gzipSync(body, { level: 1 });
        headers.set('Content-Encoding', 'gzip');
      }
      return new Request(request.url, { method: request.method, headers, body: wire, signal: request.signal });
    },

    async onResponse({ request, response }) {
      if (!verifyResponses || response.status !== 200) return undefined;
      const requestID = request.headers.get('requestID') ?? undefined;
      const body = new Uint8Array(await response.arrayBuffer());
      const rebuilt = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      const h = response.headers;
      const problem = responseProblem({
        echoedRequestID: h.get('requestID'), echoedUuid: h.get('uuid'), createTs: h.get('createTs'), sign: h.get('sign'),
        algorithm: h.get('algorithm'), requestID, uuid, secretKey, body, fallbackAlgorithm: algorithm,
      });
      if (problem) throw new CallbotSignatureError(problem, requestID, claimedRetCode(body));
      return rebuilt;
    },
  };
}

interface ResponseCheck {
  echoedRequestID: string | null;
  echoedUuid: string | null;
  createTs: string | null;
  sign: string | null;
  algorithm: string | null;
  requestID: string | undefined;
  uuid: string;
  secretKey: string;
  body: Uint8Array;
  fallbackAlgorithm: SignAlgorithm;
}

/** Why an answer cannot be trusted, or undefined when it can. Never mentions the secret. */
function responseProblem(c: ResponseCheck): string | undefined {
  if (c.echoedRequestID !== c.requestID) return `requestID header is ${JSON.stringify(c.echoedRequestID)}, expected the request's`;
  if (c.echoedUuid !== c.uuid) return `uuid header is ${JSON.stringify(c.echoedUuid)}, expected the request's`;
  if (!c.sign || !c.createTs) {
    if (unsignableAnswer(c.body)) return undefined;
    return 'the answer has no sign/createTs header';
  }
  const algorithm = c.algorithm ?? c.fallbackAlgorithm;
  if (algorithm !== 'MD5' && algorithm !== 'SHA256') return `unknown algorithm header ${JSON.stringify(algorithm)}`;
  const ok = verifySignature({ secretKey: c.secretKey, body: c.body, createTs: c.createTs, requestID: c.echoedRequestID, uuid: c.echoedUuid, algorithm, sign: c.sign });
  return ok ? undefined : 'sign does not match the answer (altered in transit, or not from the vendor)';
}

/** The retCode an (as yet untrusted) answer claims, if it is JSON with a numeric retCode. */
function claimedRetCode(body: Uint8Array): number | undefined {
  try {
    const answer = JSON.parse(new TextDecoder().decode(body)) as { retCode?: unknown };
    return typeof answer.retCode === 'number' ? answer.retCode : undefined;
  } catch {
    return undefined;
  }
}

/** An unsigned answer is acceptable only when it says the account is unknown (nothing to sign with). */
function unsignableAnswer(body: Uint8Array): boolean {
  const retCode = claimedRetCode(body);
  return retCode !== undefined && UNSIGNABLE_RETCODES.has(retCode);
}
