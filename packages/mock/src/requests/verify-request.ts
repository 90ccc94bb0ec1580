import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_ALGORITHM, isSignAlgorithm, RetCodes, verifySignature, type SignAlgorithm } from 'callbot-contract';
import type { AccountStore, MockAccount } from './accounts.js';
import { refuse, type Refusal } from './refusals.js';

/** The signing headers as received. Node lower-cases header names: `requestId` and `requestID` both arrive as `requestid`. */
export interface SigningHeaders {
  requestID?: string;
  uuid?: string;
  createTs?: string;
  sign?: string;
  algorithm?: string;
}

/** A header's value: the first of repeated ones; an empty one counts as absent. */
export const single = (value: string | string[] | undefined): string | undefined => {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
};

export function signingHeaders(headers: IncomingHttpHeaders): SigningHeaders {
  return {
    requestID: single(headers.requestid),
    uuid: single(headers.uuid),
    createTs: single(headers.createts),
    sign: single(headers.sign),
    algorithm: single(headers.algorithm),
  };
}

/** The algorithm the answer is signed with: the request's, when it named a valid one. */
export const answerAlgorithm = (headers: SigningHeaders): SignAlgorithm => (isSignAlgorithm(headers.algorithm) ? headers.algorithm : DEFAULT_ALGORITHM);

const SIGN_LENGTH: Record<SignAlgorithm, number> = { MD5: 32, SHA256: 64 };
const SIGN_FORMAT: Record<SignAlgorithm, RegExp> = { MD5: /^[0-9A-F]{32}$/, SHA256: /^[0-9A-F]{64}$/ };

export type Verification = { ok: true; account: MockAccount; algorithm: SignAlgorithm } | { ok: false; refusal: Refusal };

/**
 * The vendor's authentication, in the order a client can act on: signature missing (6001),
 * account unknown (6002), other headers missing or malformed (2/3), algorithm not one of the
 * two (6), signature not uppercase hex of the algorithm's length (6), signature wrong (6), and only for a correctly signed request the clock check
 * (4: an unauthenticated caller learns nothing about the server's time).
 */
export function verifyRequest(
  headers: SigningHeaders,
  body: Uint8Array,
  accounts: AccountStore,
  { nowSeconds, toleranceSeconds }: { nowSeconds: number; toleranceSeconds: number },
): Verification {
  if (!headers.sign) return { ok: false, refusal: refuse(RetCodes.MissingSignature.code, 'header sign is missing') };
  if (!headers.uuid) return { ok: false, refusal: refuse(RetCodes.AccountNotFound.code, 'header uuid is missing') };
  const account = accounts.get(headers.uuid);
  if (!account) return { ok: false, refusal: refuse(RetCodes.AccountNotFound.code) };
  if (!headers.requestID) return { ok: false, refusal: refuse(RetCodes.MissingParameter.code, 'header requestID is missing') };
  if (!headers.createTs) return { ok: false, refusal: refuse(RetCodes.MissingParameter.code, 'header createTs is missing') };
  if (!/^[0-9]{1,12}$/.test(headers.createTs))
    return { ok: false, refusal: refuse(RetCodes.ParameterFormatError.code, 'header createTs must be Unix seconds (decimal digits)') };
  const algorithm = headers.algorithm ?? DEFAULT_ALGORITHM;
  if (!isSignAlgorithm(algorithm)) return { ok: false, refusal: refuse(RetCodes.IncorrectSignature.code, 'header algorithm must be MD5 or SHA256') };
  // The vendor documents UPPER(hex(...)): as strict as that, whatever verifySignature tolerates,
  // so that a client sending lowercase fails here rather than at the vendor.
  if (!SIGN_FORMAT[algorithm].test(headers.sign)) {
    return {
      ok: false,
      refusal: refuse(
        RetCodes.IncorrectSignature.code,
        `header sign must be the uppercase hex digest (${SIGN_LENGTH[algorithm]} characters 0-9A-F for ${algorithm}), UPPER(hex(${algorithm}(...)))`,
      ),
    };
  }
  const valid = verifySignature({
    secretKey: account.secretKey,
    body,
    createTs: headers.createTs,
    requestID: headers.requestID,
    uuid: headers.uuid,
    algorithm,
    sign: headers.sign,
  });
  if (!valid) return { ok: false, refusal: refuse(RetCodes.IncorrectSignature.code) };
  const skew = Number(headers.createTs) - nowSeconds;
  if (Math.abs(skew) > toleranceSeconds) {
    return {
      ok: false,
      refusal: refuse(
        RetCodes.InvalidParameterValue.code,
        `header createTs is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the server clock (allowed: ±${toleranceSeconds} s; server time ${nowSeconds})`,
      ),
    };
  }
  return { ok: true, account, algorithm };
}
