import type { IncomingMessage, ServerResponse } from 'node:http';
import { RetCodes } from 'callbot-contract';
import { refuse, SUCCESS, type Refusal } from './answers.js';
import type { ImportContext, Outcome } from './import-handler.js';
import { parseJsonBody } from './parse-json.js';
import { answerWith, isReceived, receive, type RefusalBody } from './pipeline.js';
import { newResponseID } from './respond.js';
import type { AnswerExample, SpecOperation } from './spec-engine.js';
import { refusalFor, toFieldProblem } from './violations.js';

/**
 * An operation the mock does not simulate (every one but importBatchCall, until a simulator
 * lands), answered by the spec's examples: once the request went through the same checks as
 * the import (body cap, gunzip, signature, faults, JSON, Prism's validation of the body against
 * THIS operation's request schema), the answer is the operation's success example (the first
 * one with retCode 0), or the example `Prefer: example=NAME` names, as Prism does; signed like
 * every answer, with a fresh `responseID` (`reqId` for ping).
 */
export interface ExampleOperation {
  operation: SpecOperation;
  success: AnswerExample | undefined;
  refusalBody: RefusalBody;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/** The retCode an example answers: `retCode`, or ping's `code`. */
export const exampleRetCode = (value: unknown): unknown => (isObject(value) ? ('retCode' in value ? value.retCode : value.code) : undefined);

/** Whether the operation's answers use ping's envelope (`code`, `msg`, `reqId`) rather than `retCode`, `retMsg`, `responseID`. */
const usesPingEnvelope = (operation: SpecOperation) => !operation.answerRequired.includes('retCode') && operation.answerRequired.includes('code');

export function exampleOperation(operation: SpecOperation): ExampleOperation {
  const success = operation.answerExamples.find((example) => exampleRetCode(example.value) === SUCCESS);
  const refusalBody: RefusalBody = usesPingEnvelope(operation)
    ? (refusal: Refusal) => ({ data: '', timestamp: Math.floor(Date.now() / 1000), code: refusal.retCode, msg: refusal.retMsg, reqId: newResponseID() })
    : (refusal: Refusal) => ({ ...refusal, responseID: newResponseID() });
  return { operation, success, refusalBody };
}

/** An example's value with the per-answer fields made fresh: `responseID` / `reqId` new, ping's `timestamp` now. */
function freshAnswer(value: unknown): object {
  const answer: Json = isObject(value) ? structuredClone(value) : { value };
  if (typeof answer.responseID === 'string') answer.responseID = newResponseID();
  if (typeof answer.reqId === 'string') answer.reqId = newResponseID();
  if (typeof answer.timestamp === 'number' && 'reqId' in answer) answer.timestamp = Math.floor(Date.now() / 1000);
  return answer;
}

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

export async function handleExampleOperation(req: IncomingMessage, res: ServerResponse, ctx: ImportContext, op: ExampleOperation): Promise<Outcome> {
  const { operation, refusalBody } = op;
  const received = await receive(req, res, ctx, refusalBody);
  if (!isReceived(received)) return received;
  const { signing, plan } = received;
  const refuseWith = (refusal: Refusal) => answerWith(res, refusalBody(refusal), signing);

  // Nothing is done before answering, so "after import" is the same as the plain fault here.
  if (plan.retCode === 'internal-after-import') {
    return refuseWith(refuse(RetCodes.InternalServerError.code, `injected fault: internal-after-import (${operation.operationId} has nothing to do first)`));
  }

  const parsed = parseJsonBody(received.bytes, ctx.options.maxJsonDepth);
  if (!parsed.ok) return refuseWith(parsed.refusal);

  const violations = ctx.engine.validate(operation.path, parsed.value);
  if (violations.length > 0) return refuseWith(refusalFor(violations.map(toFieldProblem)));

  const wanted = preferredExample(req.headers.prefer);
  const example = wanted === undefined ? op.success : operation.answerExamples.find((candidate) => candidate.name === wanted);
  if (!example) {
    const known = operation.answerExamples.map((candidate) => candidate.name).join(', ') || 'none';
    const detail =
      wanted === undefined
        ? `the spec has no success example for ${operation.operationId}`
        : `Prefer: example=${wanted} is not an example of ${operation.operationId} (known: ${known})`;
    return refuseWith(refuse(RetCodes.GeneralError.code, detail));
  }
  return answerWith(res, freshAnswer(example.value), signing);
}
