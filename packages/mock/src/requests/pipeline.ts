import { setTimeout as sleep } from 'node:timers/promises';
import { RetCodes } from 'callbot-contract';
import type { AccountStore, MockAccount } from './accounts.js';
import { refuse, type Refusal } from './refusals.js';
import type { Exchange, MockRequest } from '../http/exchange.js';
import { FAULT_HEADER, RETCODE_FAULTS, type FaultInjector, type FaultPlan } from './faults.js';
import type { MockOptions } from '../process/options.js';
import { decodeContent } from '../http/read-body.js';
import { signedJson, type AnswerSigning } from '../http/respond.js';
import { answerAlgorithm, signingHeaders, single, verifyRequest } from './verify-request.js';

/** What the shared checks need. */
export interface PipelineContext {
  options: MockOptions;
  accounts: AccountStore;
  faults: FaultInjector;
}

/** A request that passed the shared checks: authenticated, its faults planned, its body (uncompressed) read. */
export interface Received {
  signing: AnswerSigning;
  account: MockAccount;
  plan: FaultPlan;
  bytes: Buffer;
}

/** How an operation wraps a refusal into its own answer body (the import adds counts, ping has its own envelope). */
export type RefusalBody = (refusal: Refusal) => object;

/** A signed answer (see http/respond.ts), with what to log. */
export function answerWith(body: object & { retCode?: unknown; code?: unknown }, signing: AnswerSigning, closeConnection = false): Exchange {
  const retCode = typeof body.retCode === 'number' ? body.retCode : typeof body.code === 'number' ? body.code : Number.NaN;
  return { kind: 'answer', answer: signedJson(body, signing, { closeConnection }), outcome: { retCode } };
}

/**
 * The checks every operation shares, in the vendor's order: read (capped) and gunzip the body,
 * authenticate (signature, then the clock), then plan and apply injected faults (only now, so an
 * unsigned or wrongly signed request uses up no configured fault; `drop-before-body` acts before
 * the body can be read, for requests carrying every signing header of a known account).
 * Either the request goes on (`Received`) or it has been answered (`Exchange`).
 * The `internal-after-import` fault is left in the plan for the caller: the operation is carried
 * out before it is answered.
 */
export async function receive(request: MockRequest, ctx: PipelineContext, refusalBody: RefusalBody): Promise<Received | Exchange> {
  const headers = signingHeaders(request.headers);
  const signing: AnswerSigning = {
    requestID: headers.requestID,
    uuid: headers.uuid,
    account: ctx.accounts.get(headers.uuid),
    algorithm: answerAlgorithm(headers),
  };
  const refuseWith = (refusal: Refusal, closeConnection = false) => answerWith(refusalBody(refusal), signing, closeConnection);

  const looksSigned = signing.account !== undefined && Boolean(headers.sign && headers.requestID && headers.createTs);
  if (looksSigned && ctx.faults.dropsBeforeBody(request.headers[FAULT_HEADER])) return { kind: 'drop', outcome: { dropped: true } };

  const raw = await request.readBody(ctx.options.maxBodyBytes);
  if ('aborted' in raw) {
    const declared = Number(request.headers['content-length']);
    return { kind: 'aborted', outcome: { aborted: true, received: raw.received, declared: Number.isFinite(declared) ? declared : undefined } };
  }
  if (!raw.ok) return refuseWith(raw.refusal, raw.closeConnection);

  const decoded = await decodeContent(raw.bytes, single(request.headers['content-encoding']), ctx.options.maxDecompressedBytes);
  if (!decoded.ok) return refuseWith(decoded.refusal);

  const verification = verifyRequest(headers, decoded.bytes, ctx.accounts, {
    nowSeconds: Math.floor(Date.now() / 1000),
    toleranceSeconds: ctx.options.timeToleranceSeconds,
  });
  if (!verification.ok) return refuseWith(verification.refusal);

  let plan: FaultPlan;
  try {
    plan = ctx.faults.plan(request.headers[FAULT_HEADER]);
  } catch (error) {
    return refuseWith(refuse(RetCodes.GeneralError.code, `${FAULT_HEADER}: ${(error as Error).message}`));
  }
  if (plan.connection === 'drop') return { kind: 'drop', outcome: { dropped: true } };
  if (plan.latencyMs > 0) await sleep(plan.latencyMs, undefined, { ref: false });
  if (plan.retCode && plan.retCode !== 'internal-after-import') {
    const { retCode, retMsg } = RETCODE_FAULTS[plan.retCode];
    return refuseWith({ retCode, retMsg: `${retMsg} (injected fault: ${plan.retCode})` });
  }
  return { signing, account: verification.account, plan, bytes: decoded.bytes };
}

export const isReceived = (value: Received | Exchange): value is Received => 'bytes' in value;
