import { randomBytes } from 'node:crypto';
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

/**
 * Whether a value can be sent back as a header (it arrived as one, so this is rarely false):
 * node:http's own rule for header values (`validateHeaderValue` refuses any character outside
 * tab, 0x20–0x7E, 0x80–0xFF), tested without its throw and catch on every answer.
 */
const sendable = (value: string): boolean => !/[^\t\x20-\x7e\x80-\xff]/.test(value);

/** The largest answer encoded through the scratch space below (3 bytes per UTF-16 unit at most). */
const SCRATCH_BYTES = 1024 * 1024;
let scratch: Buffer | undefined;

/**
 * The JSON text as UTF-8 bytes, the same bytes as `Buffer.from(text)`. Buffer.from measures a
 * text before it writes it, a second pass that cost about half of its time for a listOrder page
 * (a two-byte string, its Chinese names); writing into scratch space of the worst-case size and
 * copying what was written skips it. One scratch space for the process (answers are encoded one
 * at a time, synchronously), 1 MiB; a longer text takes Buffer.from.
 */
export function utf8Bytes(text: string): Buffer {
  if (text.length * 3 > SCRATCH_BYTES) return Buffer.from(text, 'utf8');
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  const written = scratch.write(text, 'utf8');
  return Buffer.from(scratch.subarray(0, written));
}

/**
 * An answer as the vendor sends it: HTTP 200, JSON, with `requestID` and `uuid` echoed and
 * `createTs`, `algorithm`, `sign` added. `sign` covers exactly the bytes sent, computed by the
 * same `sign()` the client verifies with. Unsigned when the account is unknown (6002: there is
 * no secret to sign with) or `requestID`/`uuid` cannot be echoed (nothing to put into the
 * signature). `createTs` is the real clock: clients sign and check with theirs.
 */
export function signedJson(answer: object, signing: AnswerSigning, { closeConnection = false } = {}): HttpAnswer {
  const body = utf8Bytes(JSON.stringify(answer));
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
