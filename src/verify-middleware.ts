import type { Middleware } from 'openapi-fetch';
import { CallbotSignatureError } from './errors.js';
import { DEFAULT_ALGORITHM, type SignAlgorithm, verifySignature } from './sign.js';

export interface VerifyResponseOptions {
  uuid: string;
  secretKey: string;
  /** For answers without an `algorithm` header: the one the requests are signed with. Default MD5. */
  algorithm?: SignAlgorithm;
}

/** retCodes for which the vendor cannot sign its answer, because it does not know the account. */
const UNSIGNABLE_RETCODES = new Set([6002]);

/**
 * openapi-fetch middleware that checks every HTTP 200 answer: it must echo the request's
 * `requestID` and `uuid` headers and carry a valid `sign` over its body; otherwise the call
 * rejects with CallbotSignatureError. An unsigned answer is accepted only for retCode 6002.
 *
 * The requestID it expects is the one on the request as sent, so it works in any position; it
 * sees the answer as received when it is registered last (onResponse runs in reverse order).
 */
export function verifyResponseMiddleware(options: VerifyResponseOptions): Middleware {
  const { uuid, secretKey } = options;
  const fallbackAlgorithm = options.algorithm ?? DEFAULT_ALGORITHM;

  return {
    async onResponse({ request, response }) {
      if (response.status !== 200) return undefined;
      const requestID = request.headers.get('requestID') ?? undefined;
      const body = new Uint8Array(await response.arrayBuffer());
      const rebuilt = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      const h = response.headers;
      const problem = responseProblem({
        echoedRequestID: h.get('requestID'), echoedUuid: h.get('uuid'), createTs: h.get('createTs'), sign: h.get('sign'),
        algorithm: h.get('algorithm'), requestID, uuid, secretKey, body, fallbackAlgorithm,
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
