import type { CallbackKind } from 'callbot-contract';
import { Callbacks } from 'callbot-contract/facts';
import { UsageError } from '../shared/usage-error.js';

// `callbot trigger order|call|task`: the payload starts as the spec's own example of that
// callback (generated/vendor-facts.ts, from openapi/components/examples) and is changed by the
// flags: --task sets userTaskID, each --field PATH=VALUE sets one field (PATH with dots for a
// nested one: callInfoDetail.hangupCause=USER_BUSY). A VALUE keeps the type of the example's value there:
// text for a text field (orderID=00123 stays "00123"); for any other field (or a new one) it is
// read as JSON when it is JSON (2, true, null, [], {"a":1}), else taken as text.

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A --field flag, collected: `PATH=VALUE`. */
export function collectField(text: string, previous: readonly string[] = []): string[] {
  return [...previous, text];
}

export function examplePayload(kind: CallbackKind, changes: { task?: string | undefined; fields?: readonly string[] | undefined }): Record<string, unknown> {
  const payload = structuredClone(Callbacks[kind].example) as Record<string, unknown>;
  if (changes.task !== undefined) payload.userTaskID = changes.task;
  for (const field of changes.fields ?? []) setField(payload, field);
  return payload;
}

function setField(payload: Record<string, unknown>, field: string): void {
  const eq = field.indexOf('=');
  if (eq <= 0) throw new UsageError(`--field ${field}: give PATH=VALUE, e.g. --field callInfoDetail.hangupCause=USER_BUSY`);
  const path = field.slice(0, eq).split('.');
  const text = field.slice(eq + 1);
  if (path.some((key) => key === '' || PROTOTYPE_KEYS.has(key))) throw new UsageError(`--field ${field}: "${field.slice(0, eq)}" is not a field path`);
  let node = payload;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  node[last] = typeof node[last] === 'string' ? text : jsonOrText(text);
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
