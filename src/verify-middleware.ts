import type { Middleware } from 'openapi-fetch';
import { readBoundedChunks, streamOf, UNCOUNTED_MAX_ANSWER_BYTES } from './answer-guard.js';
import { CallbotSignatureError, CallbotUnknownOutcomeError } from './errors.js';
import { answerRetCode } from './ret-code.js';
import { DEFAULT_ALGORITHM, type SignAlgorithm, verifyParts } from './sign.js';

export interface VerifyResponseOptions {
  uuid: string;
  secretKey: string;
  /** For answers without an `algorithm` header: the one the requests are signed with. Default MD5. */
  algorithm?: SignAlgorithm;
  /**
   * The most bytes of an answer it reads to verify it (after fetch has decoded any gzip); a
   * larger answer rejects with CallbotUnknownOutcomeError and its connection is closed. Default
   * 64 MiB. (createCallbotClient reads answers with a tighter bound before this runs.)
   */
  maxAnswerBytes?: number;
}

/**
 * openapi-fetch middleware that checks every HTTP 200 answer: it must echo the request's
 * `requestID` and `uuid` headers and carry a valid `sign` over its body; otherwise the call
 * rejects with CallbotSignatureError, passing on the retCode the answer claims as unverified.
 * There is no exception: the vendor leaves its "account unknown" answer (retCode 6002) unsigned,
 * but an unsigned answer is exactly what anyone on the network path can forge after the request
 * was delivered, so it is never taken for "not imported".
 *
 * An answer that came through a redirect (a fetch that follows them) is not the answer of the
 * host the request was sent to: CallbotUnknownOutcomeError.
 *
 * The requestID it expects is the one on the request as sent, so it works in any position; it
 * sees the answer as received when it is registered last (onResponse runs in reverse order).
 */
export function verifyResponseMiddleware(options: VerifyResponseOptions): Middleware {
  const { uuid, secretKey } = options;
  const fallbackAlgorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const maxAnswerBytes = options.maxAnswerBytes ?? UNCOUNTED_MAX_ANSWER_BYTES;

  return {
    async onResponse({ request, response }) {
      const requestID = request.headers.get('requestID') ?? undefined;
      if (response.redirected) {
        response.body?.cancel().catch(() => {});
        throw new CallbotUnknownOutcomeError(`the answer came through a redirect, from ${response.url}; it is not believed`, {
          requestID,
          status: response.status,
          location: response.url,
        });
      }
      if (response.status !== 200) return undefined;
      // The chunks as read are verified and handed on as they are: no copy of a large answer.
      const body = await readBoundedChunks(response, maxAnswerBytes, requestID);
      const rebuilt = new Response(streamOf(body), { status: response.status, statusText: response.statusText, headers: response.headers });
      const problem = responseProblem({
        ...signedHeadersOf(response.headers),
        requestID,
        uuid,
        secretKey,
        body,
        fallbackAlgorithm,
      });
      if (problem) throw new CallbotSignatureError(problem, requestID, claimedRetCode(Buffer.concat(body)));
      return rebuilt;
    },
  };
}

/** The headers an answer's signature rests on (echoed requestID and uuid, createTs, sign, algorithm). */
export function signedHeadersOf(h: Headers): Pick<ResponseCheck, 'echoedRequestID' | 'echoedUuid' | 'createTs' | 'sign' | 'algorithm'> {
  return { echoedRequestID: h.get('requestID'), echoedUuid: h.get('uuid'), createTs: h.get('createTs'), sign: h.get('sign'), algorithm: h.get('algorithm') };
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
  body: readonly Uint8Array[];
  fallbackAlgorithm: SignAlgorithm;
}

/** Why an answer cannot be trusted, or undefined when it can. Never mentions the secret. */
function responseProblem(c: ResponseCheck): string | undefined {
  const problem = headerProblem(c);
  if (problem) return problem;
  const algorithm = (c.algorithm ?? c.fallbackAlgorithm) as SignAlgorithm;
  // headerProblem found each of these present.
  const ok = verifyParts({
    secretKey: c.secretKey,
    body: c.body,
    createTs: c.createTs!,
    requestID: c.echoedRequestID!,
    uuid: c.echoedUuid!,
    algorithm,
    sign: c.sign!,
  });
  return ok ? undefined : 'sign does not match the answer (altered in transit, or not from the vendor)';
}

/**
 * Why an answer's headers alone cannot be trusted (echoes, sign and createTs present, a known
 * algorithm), or undefined: the body's check comes after. Shared with answer-stream.ts, which
 * checks the headers before the first byte of a streamed body is read.
 */
export function headerProblem(c: Omit<ResponseCheck, 'body' | 'secretKey'>): string | undefined {
  if (c.echoedRequestID !== c.requestID) return `requestID header is ${JSON.stringify(c.echoedRequestID)}, expected the request's`;
  if (c.echoedUuid !== c.uuid) return `uuid header is ${JSON.stringify(c.echoedUuid)}, expected the request's`;
  if (!c.sign || !c.createTs) return 'the answer has no sign/createTs header';
  const algorithm = c.algorithm ?? c.fallbackAlgorithm;
  if (algorithm !== 'MD5' && algorithm !== 'SHA256') return `unknown algorithm header ${JSON.stringify(algorithm)}`;
  return undefined;
}

/**
 * The retCode an (as yet untrusted) answer claims, if it is JSON that states one: `retCode`, or
 * `code` in ping's envelope (ping's unsigned 6002 then gets the same hint as every operation's).
 */
function claimedRetCode(body: Uint8Array): number | undefined {
  try {
    return answerRetCode(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    // Not JSON: it claims nothing (undefined).
  }
}
