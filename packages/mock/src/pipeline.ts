import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { RetCodes } from 'callbot-contract';
import type { MockAccount } from './accounts.js';
import { refuse, type Refusal } from './answers.js';
import { FAULT_HEADER, RETCODE_FAULTS, type FaultPlan } from './faults.js';
import type { ImportContext, Outcome } from './import-handler.js';
import { decodeContent, readBody } from './read-body.js';
import { sendSignedJson, type AnswerSigning } from './respond.js';
import { answerAlgorithm, signingHeaders, single, verifyRequest } from './verify-request.js';

/** A request that passed the shared checks: authenticated, its faults planned, its body (uncompressed) read. */
export interface Received {
  signing: AnswerSigning;
  account: MockAccount;
  plan: FaultPlan;
  bytes: Buffer;
}

/** How an operation wraps a refusal into its own answer body (the import adds counts, ping has its own envelope). */
export type RefusalBody = (refusal: Refusal) => object;

/** Sends a signed answer (see respond.ts) and says what to log. */
export function answerWith(
  res: ServerResponse,
  body: object & { retCode?: unknown; code?: unknown },
  signing: AnswerSigning,
  closeConnection = false,
): Outcome {
  sendSignedJson(res, body, signing, { closeConnection });
  const retCode = typeof body.retCode === 'number' ? body.retCode : typeof body.code === 'number' ? body.code : Number.NaN;
  return { retCode };
}

/**
 * The checks every operation shares, in the vendor's order: read (capped) and gunzip the body,
 * authenticate (signature, then the clock), then plan and apply injected faults (only now, so an
 * unsigned or wrongly signed request uses up no configured fault; `drop-before-body` acts before
 * the body can be read, for requests carrying every signing header of a known account).
 * Either the request goes on (`Received`) or it has been answered (`Outcome`).
 * The `internal-after-import` fault is left in the plan for the caller: only the import has
 * something to do before answering it.
 */
export async function receive(req: IncomingMessage, res: ServerResponse, ctx: ImportContext, refusalBody: RefusalBody): Promise<Received | Outcome> {
  const headers = signingHeaders(req.headers);
  const signing: AnswerSigning = {
    requestID: headers.requestID,
    uuid: headers.uuid,
    account: ctx.accounts.get(headers.uuid),
    algorithm: answerAlgorithm(headers),
  };
  const refuseWith = (refusal: Refusal, closeConnection = false) => answerWith(res, refusalBody(refusal), signing, closeConnection);

  const looksSigned = signing.account !== undefined && Boolean(headers.sign && headers.requestID && headers.createTs);
  if (looksSigned && ctx.faults.dropsBeforeBody(req.headers[FAULT_HEADER])) {
    req.socket.destroy();
    return { dropped: true };
  }

  const raw = await readBody(req, ctx.options.maxBodyBytes);
  if ('aborted' in raw) {
    const declared = Number(req.headers['content-length']);
    return { aborted: true, received: raw.received, declared: Number.isFinite(declared) ? declared : undefined };
  }
  if (!raw.ok) return refuseWith(raw.refusal, raw.closeConnection);

  const decoded = await decodeContent(raw.bytes, single(req.headers['content-encoding']), ctx.options.maxDecompressedBytes);
  if (!decoded.ok) return refuseWith(decoded.refusal);

  const verification = verifyRequest(headers, decoded.bytes, ctx.accounts, {
    nowSeconds: Math.floor(Date.now() / 1000),
    toleranceSeconds: ctx.options.timeToleranceSeconds,
  });
  if (!verification.ok) return refuseWith(verification.refusal);

  let plan: FaultPlan;
  try {
    plan = ctx.faults.plan(req.headers[FAULT_HEADER]);
  } catch (error) {
    return refuseWith(refuse(RetCodes.GeneralError.code, `${FAULT_HEADER}: ${(error as Error).message}`));
  }
  if (plan.connection === 'drop') {
    req.socket.destroy();
    return { dropped: true };
  }
  if (plan.latencyMs > 0) await sleep(plan.latencyMs, undefined, { ref: false });
  if (plan.retCode && plan.retCode !== 'internal-after-import') {
    const { retCode, retMsg } = RETCODE_FAULTS[plan.retCode];
    return refuseWith({ retCode, retMsg: `${retMsg} (injected fault: ${plan.retCode})` });
  }
  return { signing, account: verification.account, plan, bytes: decoded.bytes };
}

export const isReceived = (value: Received | Outcome): value is Received => 'bytes' in value;
