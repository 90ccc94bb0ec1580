import type { SimOperation } from './api.js';
import type { OrderRecord, TaskRecord } from './types.js';

/**
 * The text the world keeps from requests — ids, phones, names, URLs, params, settings — counted
 * in characters (UTF-16 code units, one byte each for the bound `maxStoredBytes`). The item
 * bounds (maxTasks, maxStoredOrders) say nothing of an order whose name is 16 MB: this does.
 * An order's params count once more for each call that may copy them into its details
 * (maxCallsPerOrder): that is what the state file and the answers carry. What the simulator
 * makes up itself (call ids, audio URLs, intents) is bounded by the item counts and not counted.
 */

/** The write operations that keep text from their body; the others store none of it. */
export const KEEPS_TEXT: ReadonlySet<SimOperation> = new Set(['createTask', 'createAndCall', 'addBatchCall', 'importBatchCall', 'updateTask']);

const chars = (value: unknown) => (typeof value === 'string' ? value.length : 0);

/** The characters of every string in a JSON-like value, keys included (settings and flags are free-form). */
export function textOf(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object' || depth > 64) return 0;
  let total = 0;
  if (Array.isArray(value)) for (const item of value) total += textOf(item, depth + 1);
  else for (const [key, item] of Object.entries(value)) total += key.length + textOf(item, depth + 1);
  return total;
}

type OrderText = Pick<OrderRecord, 'orderID' | 'userPhone' | 'userName' | 'customerName' | 'other' | 'params'>;

/** One order's text with its callback URLs, its params counted `1 + maxCalls` times. */
export function orderText(order: OrderText, urls: number, maxCalls: number): number {
  let params = 0;
  if (Array.isArray(order.params)) for (const param of order.params) params += chars(param?.name) + chars(param?.value);
  return (
    chars(order.orderID) + chars(order.userPhone) + chars(order.userName) + chars(order.customerName) + chars(order.other) + urls + params * (1 + maxCalls)
  );
}

/** What a stored task holds: its own fields, its settings (and those pending), its orders. */
export function taskText(task: TaskRecord, maxCalls: number): number {
  let total = chars(task.userTaskID) + chars(task.sceneID) + chars(task.taskCallbackUrl) + textOf(task.settings) + textOf(task.funcFlag) + textOf(task.pending);
  for (const order of task.orders) total += orderText(order, chars(order.orderCallbackUrl) + chars(order.callCallbackUrl) + chars(order.batchID), maxCalls);
  return total;
}

/** The text a write request brings (at least what it keeps), and the field holding most of it (for a refusal). */
export function requestText(body: Record<string, unknown>, maxCalls: number): { chars: number; largest: string } {
  let total = 0;
  let largest = { at: '', chars: -1 };
  const note = (at: string, n: number) => {
    total += n;
    if (n > largest.chars) largest = { at, chars: n };
  };
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'callInfoList' || value === null || typeof value !== 'object') {
      note(key, textOf(value));
      continue;
    }
    const { callList, ...list } = value as { callList?: unknown };
    for (const [listKey, item] of Object.entries(list)) note(`callInfoList.${listKey}`, textOf(item));
    const urls = chars((list as { orderCallbackUrl?: unknown }).orderCallbackUrl) + chars((list as { callCallbackUrl?: unknown }).callCallbackUrl);
    if (Array.isArray(callList)) callList.forEach((order, i) => note(`callInfoList.callList[${i}]`, orderText(order as OrderText, urls, maxCalls)));
  }
  return { chars: total, largest: largest.at };
}
