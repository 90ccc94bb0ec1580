import { type AddBatchCallInput, type CreateAndCallInput, type ImportBatchCallInput, PRODUCT_ID } from 'callbot-contract';
import type { CallOrder } from './build-batch.js';
import type { ConnectionSettings } from '../shared/credentials.js';

// The one place the batch's body is put together, for the send and for --dry-run alike, so the
// dry run measures the very text the client signs and sends. Key order matters: the signature
// covers the JSON text, and `callbot sign` users compare bodies by eye.

/**
 * The vendor operation a list goes out with:
 * - `importBatchCall` (`callbot import`): the list becomes the task's newest batch; the previous
 *   batch's numbers not yet dialed are dropped;
 * - `addBatchCall` (`--append`): the list is added to the task's orders; nothing is dropped;
 * - `createAndCall` (`--create-task`): the task is created with the list as its orders.
 */
export type BatchOperation = 'importBatchCall' | 'addBatchCall' | 'createAndCall';

/** What `createAndCall` needs besides the list: the script template, and the task's name if one is given. */
export interface NewTask {
  sceneID: string;
  taskName?: string | undefined;
}

/** Everything of the body that does not come from the file. */
export interface BatchEnvelope {
  operation: BatchOperation;
  userTaskID: string;
  /** For `createAndCall` only. */
  newTask?: NewTask | undefined;
}

export type BatchInput = ImportBatchCallInput | AddBatchCallInput | CreateAndCallInput;

/** What is handed to the client's method for the operation (productID is filled in by the client). */
export function batchInput(envelope: BatchEnvelope, settings: ConnectionSettings, orders: CallOrder[]): BatchInput {
  const callInfoList = { orderCallbackUrl: settings.orderCallbackUrl, callCallbackUrl: settings.callCallbackUrl, callList: orders };
  const { userTaskID, newTask } = envelope;
  if (envelope.operation !== 'createAndCall') return { userTaskID, callInfoList };
  if (!newTask) throw new TypeError('batchInput: createAndCall needs the new task (sceneID)');
  return {
    userTaskID,
    sceneID: newTask.sceneID,
    ...(newTask.taskName === undefined ? {} : { taskCreateSetting: { taskName: newTask.taskName } }),
    callInfoList,
  };
}

/** The body as the client sends it: `{ productID: PRODUCT_ID, ...input }` (productID first). */
export function batchBody(envelope: BatchEnvelope, settings: ConnectionSettings, orders: CallOrder[]) {
  return { productID: PRODUCT_ID, ...batchInput(envelope, settings, orders) };
}

/** A string that JSON.stringify writes with escapes (quotes, backslashes, control characters, any surrogate). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * The length in UTF-8 bytes of `JSON.stringify(value)`, for the JSON values a batch is made of
 * (strings, arrays, plain objects; anything else is stringified), without building the text: a
 * string without characters JSON escapes is its UTF-8 length and two quotes.
 */
export function jsonBytes(value: unknown): number {
  if (typeof value === 'string') return ESCAPED.test(value) ? Buffer.byteLength(JSON.stringify(value)) : Buffer.byteLength(value) + 2;
  if (Array.isArray(value)) {
    let bytes = 2 + Math.max(0, value.length - 1);
    for (const item of value) bytes += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 4 : jsonBytes(item);
    return bytes;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let bytes = 2;
    let fields = 0;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      bytes += jsonBytes(key) + 1 + jsonBytes(item);
      fields += 1;
    }
    return bytes + Math.max(0, fields - 1);
  }
  return Buffer.byteLength(JSON.stringify(value) ?? 'null');
}

/**
 * The UTF-8 length of `text` when JSON.stringify writes it as it is (between its quotes), or
 * -Infinity (a sum with it stays negative) when it would escape something or meet a surrogate,
 * or is no string: then the order is measured by jsonBytes.
 * One pass over the characters: no joined string, no regular expression, nothing allocated.
 */
function plainBytes(text: unknown): number {
  if (typeof text !== 'string') return Number.NEGATIVE_INFINITY;
  let bytes = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === 0x22 || c === 0x5c) return Number.NEGATIVE_INFINITY; // a control character, `"`, `\`
    } else if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdfff) return Number.NEGATIVE_INFINITY;
    else bytes += 2;
  }
  return bytes;
}

/** `orderBytes` of an order whose strings are all empty, per number of params. */
const emptyOrderBytes: number[] = [];

/**
 * `jsonBytes(order)` for the orders the builder makes (every field a string, in the fixed key
 * order), at a fraction of its cost: the usual order has nothing JSON escapes, so its size is
 * its fixed structure plus the UTF-8 length of its strings. Anything else is measured field by
 * field.
 */
export function orderBytes(order: CallOrder): number {
  const { orderID, userPhone, other, userName, customerName, params } = order;
  if (!Array.isArray(params)) return jsonBytes(order);
  let text = plainBytes(orderID) + plainBytes(userPhone) + plainBytes(other) + plainBytes(userName) + plainBytes(customerName);
  for (let i = 0; i < params.length && text >= 0; i += 1) text += plainBytes(params[i]!.name) + plainBytes(params[i]!.value);
  if (text < 0) return jsonBytes(order);
  const count = params.length;
  let structure = emptyOrderBytes[count];
  if (structure === undefined) {
    const empty = { name: '', value: '' };
    structure = jsonBytes({ orderID: '', userPhone: '', other: '', userName: '', customerName: '', params: Array.from({ length: count }, () => empty) });
    emptyOrderBytes[count] = structure;
  }
  return structure + text;
}

/**
 * The size in bytes of the JSON body the client will send (before gzip), counted order by
 * order, and the first order from which on it exceeds `limit`: the same bytes as the client's
 * JSON.stringify of the whole body (the envelope, each order, a comma between two).
 */
export function measureBody(
  envelope: BatchEnvelope,
  settings: ConnectionSettings,
  orders: readonly CallOrder[],
  limit: number,
): { bytes: number; firstOver?: number } {
  let bytes = jsonBytes(batchBody(envelope, settings, []));
  let firstOver: number | undefined;
  for (let i = 0; i < orders.length; i += 1) {
    bytes += orderBytes(orders[i]!) + (i > 0 ? 1 : 0);
    if (firstOver === undefined && bytes > limit) firstOver = i;
  }
  return firstOver === undefined ? { bytes } : { bytes, firstOver };
}
