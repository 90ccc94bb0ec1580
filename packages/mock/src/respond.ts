import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { sign, type SignAlgorithm } from 'callbot-contract';
import type { MockAccount } from './accounts.js';

/** The answer body of importBatchCall, as the spec's ImportBatchCallResponse. */
export interface ImportAnswer {
  retCode: number;
  retMsg: string;
  responseID: string;
  totalCount: number;
  successCount: number;
  errList?: { phone: string; errMsg: string }[];
}

export const newResponseID = () => randomBytes(16).toString('hex');

export interface AnswerSigning {
  requestID: string | undefined;
  uuid: string | undefined;
  /** The account named by `uuid`, when the mock knows it. Without it the answer is unsigned. */
  account: MockAccount | undefined;
  algorithm: SignAlgorithm;
}

/**
 * Sends an answer as the vendor does: HTTP 200, JSON, with `requestID` and `uuid` echoed and
 * `createTs`, `algorithm`, `sign` added. `sign` covers exactly the bytes sent, computed by the
 * same `sign()` the client verifies with. Unsigned when the account is unknown (6002: there is
 * no secret to sign with) or `requestID`/`uuid` are missing (nothing to echo into the signature).
 */
export function sendSignedJson(res: ServerResponse, answer: object, signing: AnswerSigning, { closeConnection = false } = {}): void {
  const body = Buffer.from(JSON.stringify(answer), 'utf8');
  const createTs = String(Math.floor(Date.now() / 1000));
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('createTs', createTs);
  res.setHeader('algorithm', signing.algorithm);
  if (signing.requestID !== undefined) setEcho(res, 'requestID', signing.requestID);
  if (signing.uuid !== undefined) setEcho(res, 'uuid', signing.uuid);
  if (signing.account && signing.requestID !== undefined && signing.uuid !== undefined && res.hasHeader('requestID') && res.hasHeader('uuid')) {
    res.setHeader(
      'sign',
      sign({ secretKey: signing.account.secretKey, body, createTs, requestID: signing.requestID, uuid: signing.uuid, algorithm: signing.algorithm }),
    );
  }
  if (closeConnection) res.setHeader('Connection', 'close');
  res.end(body);
}

function setEcho(res: ServerResponse, name: string, value: string): void {
  try {
    res.setHeader(name, value);
  } catch {
    // A value Node will not send back (it arrived, so this is rare): answer without the echo.
  }
}

/** Plain JSON for the mock's own endpoints (debug, errors outside the vendor API). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value, null, 2), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
