import type { CallbackKind } from 'callbot-contract';
import { asText, fields } from '../shared/vendor-values.js';
import type { PostResult } from './post.js';

// One line per callback sent on (listen --forward-to, trigger, resend), for a person watching:
//   14:30:01  order  order 0c7d2e5a… task 7b0f4c52…  requestID 1f2e…  → 200 (12 ms)
// The payload's values are the vendor's (or a file's): control characters are shown as `?` so
// that a value cannot move the cursor or recolour the terminal, and each is cut at 40 characters.

const MAX_VALUE = 40;

/** A value of the payload, safe on a terminal and short. */
export function shownValue(value: unknown): string {
  const text = asText(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** Which order or task a callback is about: `order X task Y`, or `task Y (status N)`. */
export function callbackSubject(kind: CallbackKind, payload: unknown): string {
  const p = fields(payload);
  const task = `task ${shownValue(p.userTaskID) || '?'}`;
  if (kind === 'task') return p.taskStatus === undefined ? task : `${task} (taskStatus ${shownValue(p.taskStatus)})`;
  return `order ${shownValue(p.orderID) || '?'} ${task}`;
}

/** What the receiver made of it: `200 (12 ms)`, `500 (3 ms): {"retCode":…}`, `failed: ECONNREFUSED (1 ms)`. */
export function describeResult(result: PostResult): string {
  if (result.status === undefined) return `failed: ${shownValue(result.error)} (${result.ms} ms)`;
  const said = retMsgOf(result.answer) ?? (result.ok ? '' : result.answer.trim());
  return `${result.status} (${result.ms} ms)${said ? `: ${shownValue(said)}` : ''}`;
}

/** The receiver's `retMsg` ("success (already handled)"), when its answer is the contract's JSON. */
function retMsgOf(answer: string): string | undefined {
  try {
    const retMsg = fields(JSON.parse(answer)).retMsg;
    return typeof retMsg === 'string' ? retMsg : undefined;
  } catch {
    return undefined;
  }
}

/** `HH:MM:SS` in UTC (the file's receivedAt is UTC too). */
const clock = (at: Date) => at.toISOString().slice(11, 19);

export function callbackLine(at: Date, kind: CallbackKind, payload: unknown, requestID: string, result: PostResult): string {
  return `${clock(at)}  ${kind.padEnd(5)}  ${callbackSubject(kind, payload)}  requestID ${shownValue(requestID)}  → ${describeResult(result)}`;
}
