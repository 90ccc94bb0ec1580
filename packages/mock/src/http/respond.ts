import { randomBytes } from 'node:crypto';
import { validateHeaderValue } from 'node:http';
import { sign, type SignAlgorithm } from 'callbot-contract';
import type { MockAccount } from '../requests/accounts.js';
import type { HttpAnswer } from './exchange.js';

export const newResponseID = () => randomBytes(16).toString('hex');

export interface AnswerSigning {
  requestID: string | undefined;
  uuid: string | undefined;
  /** The account named by `uuid`, when the mock knows it. Without it the answer is unsigned. */
  account: MockAccount | undefined;
  algorithm: SignAlgorithm;
}

/** Whether a value can be sent back as a header (it arrived as one, so this is rarely false). */
function sendable(value: string): boolean {
  try {
    validateHeaderValue('x', value);
    return true;
  } catch {
    return false;
  }
}

/**
 * An answer as the vendor sends it: HTTP 200, JSON, with `requestID` and `uuid` echoed and
 * `createTs`, `algorithm`, `sign` added. `sign` covers exactly the bytes sent, computed by the
 * same `sign()` the client verifies with. Unsigned when the account is unknown (6002: there is
 * no secret to sign with) or `requestID`/`uuid` cannot be echoed (nothing to put into the
 * signature). `createTs` is the real clock: clients sign and check with theirs.
 */
export function signedJson(answer: object, signing: AnswerSigning, { closeConnection = false } = {}): HttpAnswer {
  const body = Buffer.from(JSON.stringify(answer), 'utf8');
  const createTs = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    createTs,
    algorithm: signing.algorithm,
  };
  const requestID = signing.requestID !== undefined && sendable(signing.requestID) ? signing.requestID : undefined;
  const uuid = signing.uuid !== undefined && sendable(signing.uuid) ? signing.uuid : undefined;
  if (requestID !== undefined) headers.requestID = requestID;
  if (uuid !== undefined) headers.uuid = uuid;
  if (signing.account && requestID !== undefined && uuid !== undefined) {
    headers.sign = sign({ secretKey: signing.account.secretKey, body, createTs, requestID, uuid, algorithm: signing.algorithm });
  }
  if (closeConnection) headers.Connection = 'close';
  return { status: 200, headers, body, closeConnection };
}

/** Plain JSON for the mock's own endpoints (debug, errors outside the vendor API). */
export function plainJson(status: number, value: unknown, extraHeaders: Record<string, string> = {}): HttpAnswer {
  const body = Buffer.from(JSON.stringify(value, null, 2), 'utf8');
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length), ...extraHeaders }, body };
}
