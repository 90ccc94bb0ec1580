import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { RetCodes } from 'callbot-contract';
import type { AccountStore } from './accounts.js';
import { refuse, SUCCESS, type Refusal } from './answers.js';
import type { BatchStore, OrderInput } from './batches.js';
import type { CallSimulator } from './call-simulator.js';
import { FAULT_HEADER, RETCODE_FAULTS, type FaultInjector, type FaultPlan } from './faults.js';
import type { MockOptions } from './options.js';
import { parseJsonBody } from './parse-json.js';
import { decodeContent, readBody } from './read-body.js';
import { newResponseID, sendSignedJson, type AnswerSigning, type ImportAnswer } from './respond.js';
import { screenOrders } from './screen-orders.js';
import type { SpecEngine } from './spec-engine.js';
import { answerAlgorithm, signingHeaders, single, verifyRequest } from './verify-request.js';
import { isPerOrderProblem, refusalFor, toFieldProblem } from './violations.js';

export interface ImportContext {
  options: MockOptions;
  accounts: AccountStore;
  batches: BatchStore;
  simulator: CallSimulator;
  faults: FaultInjector;
  engine: SpecEngine;
}

/** What the log says about one request: no secrets, no signatures, no bodies. */
export type Outcome =
  | { retCode: number; totalCount?: number; rejected?: number }
  | { dropped: true }
  | { aborted: true; received: number; declared: number | undefined };

const refusalAnswer = (refusal: Refusal): ImportAnswer => ({ ...refusal, responseID: newResponseID(), totalCount: 0, successCount: 0 });

/**
 * `POST /callcentre/api/v3/importBatchCall`, in the vendor's order: read (capped) and gunzip
 * the body, authenticate, apply injected faults, parse, count, validate against the spec
 * (Prism), check the task's import lock, then import. Every answer is HTTP 200 with a retCode.
 * Faults are planned only for authenticated requests, so an unsigned or wrongly signed request
 * uses up no configured fault; the one exception is `drop-before-body`, which acts before the
 * body (and so the signature) can be read: it applies to requests that carry every signing
 * header of a known account.
 */
export async function handleImport(req: IncomingMessage, res: ServerResponse, ctx: ImportContext): Promise<Outcome> {
  const headers = signingHeaders(req.headers);
  const signing: AnswerSigning = {
    requestID: headers.requestID,
    uuid: headers.uuid,
    account: ctx.accounts.get(headers.uuid),
    algorithm: answerAlgorithm(headers),
  };

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
  if (!raw.ok) return answer(res, refusalAnswer(raw.refusal), signing, raw.closeConnection);

  const decoded = await decodeContent(raw.bytes, single(req.headers['content-encoding']), ctx.options.maxDecompressedBytes);
  if (!decoded.ok) return answer(res, refusalAnswer(decoded.refusal), signing);

  const verification = verifyRequest(headers, decoded.bytes, ctx.accounts, {
    nowSeconds: Math.floor(Date.now() / 1000),
    toleranceSeconds: ctx.options.timeToleranceSeconds,
  });
  if (!verification.ok) return answer(res, refusalAnswer(verification.refusal), signing);
  const { account } = verification;

  let plan: FaultPlan;
  try {
    plan = ctx.faults.plan(req.headers[FAULT_HEADER]);
  } catch (error) {
    return answer(res, refusalAnswer(refuse(RetCodes.GeneralError.code, `${FAULT_HEADER}: ${(error as Error).message}`)), signing);
  }
  if (plan.connection === 'drop') {
    req.socket.destroy();
    return { dropped: true };
  }
  if (plan.latencyMs > 0) await sleep(plan.latencyMs, undefined, { ref: false });
  if (plan.retCode && plan.retCode !== 'internal-after-import') {
    const { retCode, retMsg } = RETCODE_FAULTS[plan.retCode];
    return answer(res, refusalAnswer({ retCode, retMsg: `${retMsg} (injected fault: ${plan.retCode})` }), signing);
  }

  const parsed = parseJsonBody(decoded.bytes, ctx.options.maxJsonDepth);
  if (!parsed.ok) return answer(res, refusalAnswer(parsed.refusal), signing);
  const body = parsed.value;

  // Counted before the spec check: validating a million orders only to refuse them is waste.
  const callList = (body.callInfoList as { callList?: unknown } | undefined)?.callList;
  if (Array.isArray(callList) && callList.length > ctx.options.maxOrders) {
    return answer(res, refusalAnswer(refuse(RetCodes.TooManyElements.code, `callInfoList.callList has ${callList.length} orders; at most ${ctx.options.maxOrders} per request`)), signing);
  }

  const violations = ctx.engine.validateImport(body);
  const badPhones = new Set<number>();
  const problems = [];
  for (const violation of violations) {
    const problem = toFieldProblem(violation);
    if (isPerOrderProblem(violation, problem)) badPhones.add(problem.orderIndex!);
    else problems.push(problem);
  }
  if (problems.length > 0) return answer(res, refusalAnswer(refusalFor(problems)), signing);

  const request = body as { userTaskID: string; callInfoList: { callCallbackUrl: string; orderCallbackUrl: string; callList: OrderInput[] } };
  const now = Date.now();
  if (ctx.batches.isImporting(account.uuid, request.userTaskID, now)) {
    return answer(res, refusalAnswer(refuse(RetCodes.BatchImportInProgress.code)), signing);
  }

  const { accepted, errList } = screenOrders(request.callInfoList.callList, badPhones);
  const { task, batch, replaced } = ctx.batches.importBatch({
    uuid: account.uuid,
    userTaskID: request.userTaskID,
    orders: accepted,
    callCallbackUrl: request.callInfoList.callCallbackUrl,
    orderCallbackUrl: request.callInfoList.orderCallbackUrl,
    now,
    importingMs: ctx.options.importingMs,
  });
  for (const old of replaced) ctx.simulator.stop(old);
  ctx.simulator.start(task, batch, account);

  const totalCount = request.callInfoList.callList.length;
  if (plan.retCode === 'internal-after-import') {
    const { retCode, retMsg } = RETCODE_FAULTS[plan.retCode];
    return answer(res, refusalAnswer({ retCode, retMsg: `${retMsg} (injected fault: internal-after-import; the batch WAS imported)` }), signing);
  }
  const success: ImportAnswer = {
    retCode: SUCCESS,
    retMsg: 'success',
    responseID: newResponseID(),
    totalCount,
    successCount: accepted.length,
  };
  if (errList.length > 0) success.errList = errList;
  sendSignedJson(res, success, signing);
  return { retCode: SUCCESS, totalCount, rejected: errList.length };
}

function answer(res: ServerResponse, body: ImportAnswer, signing: AnswerSigning, closeConnection = false): Outcome {
  sendSignedJson(res, body, signing, { closeConnection });
  return { retCode: body.retCode };
}

