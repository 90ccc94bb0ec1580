import type { IncomingMessage, ServerResponse } from 'node:http';
import { IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import type { AccountStore } from './accounts.js';
import { refuse, SUCCESS, type Refusal } from './answers.js';
import type { BatchStore, OrderInput } from './batches.js';
import type { CallSimulator } from './call-simulator.js';
import { RETCODE_FAULTS, type FaultInjector } from './faults.js';
import type { MockOptions } from './options.js';
import { parseJsonBody } from './parse-json.js';
import { answerWith, isReceived, receive } from './pipeline.js';
import { newResponseID, sendSignedJson, type AnswerSigning, type ImportAnswer } from './respond.js';
import { screenOrders } from './screen-orders.js';
import type { SpecEngine } from './spec-engine.js';
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
  const received = await receive(req, res, ctx, refusalAnswer);
  if (!isReceived(received)) return received;
  const { signing, account, plan } = received;

  const parsed = parseJsonBody(received.bytes, ctx.options.maxJsonDepth);
  if (!parsed.ok) return answer(res, refusalAnswer(parsed.refusal), signing);
  const body = parsed.value;

  // Counted before the spec check: validating a million orders only to refuse them is waste.
  const callList = (body.callInfoList as { callList?: unknown } | undefined)?.callList;
  if (Array.isArray(callList) && callList.length > ctx.options.maxOrders) {
    return answer(
      res,
      refusalAnswer(refuse(RetCodes.TooManyElements.code, `callInfoList.callList has ${callList.length} orders; at most ${ctx.options.maxOrders} per request`)),
      signing,
    );
  }

  const violations = ctx.engine.validate(IMPORT_BATCH_CALL_PATH, body);
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

function answer(res: ServerResponse, body: ImportAnswer, signing: AnswerSigning): Outcome {
  return answerWith(res, body, signing);
}
