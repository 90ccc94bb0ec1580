import type { CallbackKind } from 'callbot-contract';
import { Callbacks } from 'callbot-contract/facts';
import { UsageError } from '../shared/usage-error.js';

// `callbot trigger order|call|task`: the payload starts as the spec's own example of that
// callback (generated/vendor-facts.ts, from openapi/components/examples) and is changed by the
// flags: --task sets userTaskID, each --field PATH=VALUE sets one field (PATH with dots for a
// nested one, numbers for a list's items: callInfoDetail.intents.0.intentTag=B). A VALUE keeps
// the type of the example's value there: text for a text field (orderID=00123 stays "00123"); for
// any other field (or a new one) it is read as JSON when it is JSON (2, true, null, [], {"a":1}),
// else taken as text. PATH:=JSON sets JSON whatever the field held (orderID:=null).

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function examplePayload(kind: CallbackKind, changes: { task?: string | undefined; fields?: readonly string[] | undefined }): Record<string, unknown> {
  const payload = structuredClone(Callbacks[kind].example) as Record<string, unknown>;
  if (changes.task !== undefined) payload.userTaskID = changes.task;
  for (const field of changes.fields ?? []) setField(payload, field);
  return payload;
}

function setField(payload: Record<string, unknown>, field: string): void {
  const eq = field.indexOf('=');
  if (eq <= 0) throw new UsageError(`--field ${field}: give PATH=VALUE (or PATH:=JSON), e.g. --field callInfoDetail.hangupCause=USER_BUSY`);
  // PATH:=JSON sets the value as JSON whatever the field held (null on a text field, say).
  const asJson = field[eq - 1] === ':';
  const pathText = field.slice(0, asJson ? eq - 1 : eq);
  const path = pathText.split('.');
  const text = field.slice(eq + 1);
  if (path.some((key) => key === '' || PROTOTYPE_KEYS.has(key))) throw new UsageError(`--field ${field}: "${pathText}" is not a field path`);
  let node: Record<string, unknown> | unknown[] = payload;
  for (const [i, key] of path.slice(0, -1).entries()) {
    const next = step(node, key);
    if (next === undefined || next === null) {
      // A new field: an object to hold the rest of the path (a list only by its index, below).
      const made = {};
      assign(node, key, made, field);
      node = made;
    } else if (typeof next === 'object') node = next as Record<string, unknown> | unknown[];
    else throw new UsageError(`--field ${field}: ${path.slice(0, i + 1).join('.')} is a ${typeof next}, not an object or a list`);
  }
  const last = path[path.length - 1]!;
  const current = step(node, last);
  let value: unknown;
  if (asJson) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new UsageError(`--field ${field}: ${pathText}:= takes JSON (null, 2, "text", [1], {"a":1})`);
    }
  } else value = typeof current === 'string' ? text : jsonOrText(text);
  assign(node, last, value, field);
}

/** The value at `key` of an object, or at index `key` of a list. */
function step(node: Record<string, unknown> | unknown[], key: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(key) ? node[Number(key)] : undefined;
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

/** Sets `key` of an object, or index `key` of a list (an index past its end is refused, not padded). */
function assign(node: Record<string, unknown> | unknown[], key: string, value: unknown, field: string): void {
  if (!Array.isArray(node)) {
    node[key] = value;
    return;
  }
  if (!/^\d+$/.test(key) || Number(key) > node.length) {
    throw new UsageError(`--field ${field}: "${key}" is not an index of that list (0 to ${node.length}; ${node.length} adds an item)`);
  }
  node[Number(key)] = value;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
