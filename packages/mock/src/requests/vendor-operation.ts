import { RetCodes } from 'callbot-contract';
import { refuse, SUCCESS, type Refusal } from './refusals.js';
import type { Exchange, MockRequest } from '../http/exchange.js';
import { RETCODE_FAULTS } from './faults.js';
import { parseJsonBody } from './parse-json.js';
import { describeDeviations, DEVIATIONS_HEADER, type Deviator } from '../spec/deviate.js';
import { answerWith, isReceived, receive, type PipelineContext, type RefusalBody } from './pipeline.js';
import { newResponseID, type AnswerSigning } from '../http/respond.js';
import type { SimOperation, Simulator } from '../simulator/api.js';
import type { AnswerExample, SpecEngine, SpecOperation } from '../spec/spec-engine.js';
import { isPerOrderProblem, refusalFor, toFieldProblem } from '../spec/violations.js';

export interface OperationContext extends PipelineContext {
  engine: SpecEngine;
  /** The simulator's `handle`, at the clock's current time. */
  simulate: Simulator['handle'];
  /** Makes answers deviate from the spec (the `deviate` option); absent: they never do. */
  deviator?: Deviator | undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/** The operations the simulator answers (every one of the contract but ping, which the pipeline answers itself). */
const SIMULATED: ReadonlySet<string> = new Set<SimOperation>([
  'createTask',
  'createAndCall',
  'updateTask',
  'mgrTaskStatus',
  'listTask',
  'importBatchCall',
  'addBatchCall',
  'exportBatchCall',
  'stopOrder',
  'listOrder',
  'listOrderDetail',
  'listCall',
]);

/** The retCode an answer carries: `retCode`, or ping's `code`. */
export const answerRetCode = (value: unknown): unknown => (isObject(value) ? ('retCode' in value ? value.retCode : value.code) : undefined);

/**
 * The operation's answer, signed — deviated first when the `deviate` option says so (so the
 * signature covers the deviated bytes), its deviations named in DEVIATIONS_HEADER (not signed,
 * as no header but the signing ones is).
 */
function answerOf(operation: SpecOperation, body: Json, signing: AnswerSigning, deviator: Deviator | undefined): Exchange {
  const deviated = deviator?.answer(operation.path, body);
  const exchange = answerWith(deviated?.value ?? body, signing);
  if (deviated?.deviations.length && exchange.kind === 'answer') {
    const described = describeDeviations(deviated.deviations);
    exchange.answer.headers[DEVIATIONS_HEADER] = described;
    if (exchange.outcome && 'retCode' in exchange.outcome) exchange.outcome = { ...exchange.outcome, deviations: described };
  }
  return exchange;
}

/** Whether the operation's answers use ping's envelope (`code`, `msg`, `reqId`) rather than `retCode`, `retMsg`, `responseID`. */
const usesPingEnvelope = (operation: SpecOperation) => !operation.answerRequired.includes('retCode') && operation.answerRequired.includes('code');

/** `Prefer: example=NAME` (other preferences in the header are ignored), as Prism reads it. */
export function preferredExample(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  for (const part of text.split(/[,;]/)) {
    const match = /^\s*example\s*=\s*"?([^"]*)"?\s*$/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** An example's value with the per-answer fields made fresh: `responseID` / `reqId` new, ping's `timestamp` now. */
function freshExample(value: unknown): Json {
  const answer: Json = isObject(value) ? structuredClone(value) : { value };
  if (typeof answer.responseID === 'string') answer.responseID = newResponseID();
  if (typeof answer.reqId === 'string') answer.reqId = newResponseID();
  if (typeof answer.timestamp === 'number' && 'reqId' in answer) answer.timestamp = Math.floor(Date.now() / 1000);
  return answer;
}

const countOf = (body: Json, name: string) => (typeof body[name] === 'number' ? (body[name] as number) : undefined);

/**
 * One POST operation of the bundled spec. After the pipeline's checks (body cap, gunzip,
 * signature, faults) and the operation's own (JSON, at most `maxOrders` orders, Prism's
 * validation of the body against THIS operation's request schema, naming the field):
 * - ping is answered here (its `data` echoed, the real clock's `timestamp`);
 * - `Prefer: example=NAME` answers that example of the spec, as Prism does (nothing changes);
 * - every other request goes to the simulator, whose answer gets a fresh `responseID` and is
 *   signed. With the `internal-after-import` fault the simulator carries the request out and
 *   the answer is 5001 all the same: why a 5001 is an unknown outcome, not a refusal.
 */
export function operationHandler(operation: SpecOperation): (request: MockRequest, ctx: OperationContext) => Promise<Exchange> {
  const ping = usesPingEnvelope(operation);
  const withCounts = operation.answerRequired.includes('totalCount') && operation.answerRequired.includes('successCount');
  const refusalBody: RefusalBody = ping
    ? (refusal: Refusal) => ({ data: '', timestamp: Math.floor(Date.now() / 1000), code: refusal.retCode, msg: refusal.retMsg, reqId: newResponseID() })
    : (refusal: Refusal) => ({ ...refusal, responseID: newResponseID(), ...(withCounts ? { totalCount: 0, successCount: 0 } : {}) });
  const success = operation.answerExamples.find((example) => answerRetCode(example.value) === SUCCESS);
  const simulated = SIMULATED.has(operation.operationId);

  return async (request, ctx) => {
    const received = await receive(request, ctx, refusalBody);
    if (!isReceived(received)) return received;
    const { signing, account, plan } = received;
    const refuseWith = (refusal: Refusal) => answerOf(operation, refusalBody(refusal) as Json, signing, ctx.deviator);

    const parsed = parseJsonBody(received.bytes, ctx.options.maxJsonDepth);
    if (!parsed.ok) return refuseWith(parsed.refusal);
    const body = parsed.value;

    // Counted before the spec check: validating a million orders only to refuse them is waste.
    const callList = isObject(body.callInfoList) ? body.callInfoList.callList : undefined;
    if (Array.isArray(callList) && callList.length > ctx.options.maxOrders) {
      return refuseWith(
        refuse(RetCodes.TooManyElements.code, `callInfoList.callList has ${callList.length} orders; at most ${ctx.options.maxOrders} per request`),
      );
    }

    // A malformed userPhone is refused for its order only (errList): see violations.ts.
    const problems = [];
    const badPhones = new Set<number>();
    for (const violation of ctx.engine.validate(operation.path, body)) {
      const problem = toFieldProblem(violation);
      if (isPerOrderProblem(violation, problem)) badPhones.add(problem.orderIndex!);
      else problems.push(problem);
    }
    if (problems.length > 0) return refuseWith(refusalFor(problems));

    const afterwards5001 = plan.retCode === 'internal-after-import';
    const wanted = preferredExample(request.headers.prefer);
    let answer: Json;
    // ping is not simulated but answered below (its data echoed): only an asked-for example replaces it.
    if (wanted !== undefined || (!simulated && !ping)) {
      const example: AnswerExample | undefined = wanted === undefined ? success : operation.answerExamples.find((candidate) => candidate.name === wanted);
      if (!example) {
        const known = operation.answerExamples.map((candidate) => candidate.name).join(', ') || 'none';
        const detail =
          wanted === undefined
            ? `the spec has no success example for ${operation.operationId}`
            : `Prefer: example=${wanted} is not an example of ${operation.operationId} (known: ${known})`;
        return refuseWith(refuse(RetCodes.GeneralError.code, detail));
      }
      answer = freshExample(example.value);
    } else if (ping) {
      // 透传字段: the vendor echoes what was sent (the spec has validated it is a string).
      answer = { data: String(body.data ?? ''), timestamp: Math.floor(Date.now() / 1000), code: SUCCESS, msg: 'success', reqId: newResponseID() };
    } else {
      // The simulator refuses orders one by one (malformed phones among them) and writes errList.
      answer = Object.assign({}, ctx.simulate(account.uuid, operation.operationId as SimOperation, body, badPhones).body);
      if (typeof answer.responseID !== 'string' || answer.responseID === '') answer.responseID = newResponseID();
    }
    if (afterwards5001) {
      const { retCode, retMsg } = RETCODE_FAULTS['internal-after-import'];
      const done =
        wanted === undefined && simulated && !ping ? `the request WAS carried out (answer retCode ${String(answerRetCode(answer))})` : 'nothing to carry out';
      return refuseWith({ retCode, retMsg: `${retMsg} (injected fault: internal-after-import; ${done})` });
    }
    const exchange = answerOf(operation, answer, signing, ctx.deviator);
    const totalCount = countOf(answer, 'totalCount');
    if (exchange.kind === 'answer' && exchange.outcome && 'retCode' in exchange.outcome && totalCount !== undefined) {
      // An import counts orders and refusals; a list (listTask, listOrder, listCall) has no
      // successCount and counts its own items.
      const successCount = countOf(answer, 'successCount');
      exchange.outcome =
        successCount === undefined
          ? { ...exchange.outcome, listed: { count: totalCount, of: listedItems(operation.operationId) } }
          : { ...exchange.outcome, totalCount, rejected: totalCount - successCount };
    }
    return exchange;
  };
}

/** What a list operation lists, for the log: listTask → tasks, listOrder → orders, listCall → calls. */
const listedItems = (operationId: string) => `${operationId.replace(/^list/, '').toLowerCase()}s`;
