import { Limits, MockLimits, RetCodes } from 'callbot-contract';
import type { SimAnswer } from './api.js';
import { invalid, refusal, success } from './answers.js';
import type { Core } from './core.js';
import { exportedCall, isFinished, lastCall, orderCall, orderDetail, taskData, toSeconds } from './payloads.js';
import type { CallInfoDetail, CallRecord, OrderRecord, Schemas, TaskRecord } from './types.js';

/**
 * The read operations: filters and paging over the task records. Unfiltered lists slice the
 * insertion-ordered arrays, so a page costs O(page) however many orders the task holds.
 */

/** Choice (spec: PageSize): the mock answers at most this many items per page. */
export const MAX_PAGE_SIZE = MockLimits.PageSize.maximum;
/** Choice (spec: listOrder/listCall): page 1 of 100 when the request names none. */
export const DEFAULT_PAGE = { page: 1, size: 100 } as const;
/** The vendor's cap on listOrderDetail ids. */
export const MAX_DETAIL_IDS = Limits.ListOrderDetailRequest.orderList.maxItems;

type Paging = { page: number; size: number };

function paging(body: Record<string, unknown>): Paging {
  return {
    page: typeof body.page === 'number' ? body.page : DEFAULT_PAGE.page,
    size: typeof body.size === 'number' ? body.size : DEFAULT_PAGE.size,
  };
}

const sizeRefusal = (core: Core, size: number) =>
  size > MAX_PAGE_SIZE ? invalid(core, `size: ${size} is more than ${MAX_PAGE_SIZE} items per page`) : undefined;

function pageOf<T>(items: readonly T[], { page, size }: Paging): T[] {
  const start = (page - 1) * size;
  return start >= items.length ? [] : items.slice(start, start + size);
}

type Range = Schemas['RangeFilter'] | null | undefined;
const inRange = (value: number, range: Range) =>
  !range?.enable || ((range.gt === undefined || value > range.gt) && (range.lt === undefined || value < range.lt));

/** Choice: a `null`, absent or empty list is no filter. */
const activeList = <T>(list: readonly T[] | null | undefined): list is readonly T[] => Array.isArray(list) && list.length > 0;

interface CallFilters {
  callID?: string[] | null;
  intentID?: string[] | null;
  intentName?: string[] | null;
  intentTag?: string[] | null;
  intentLevel?: number[];
  turnTime?: Range;
  callDuration?: Range;
  callStatus?: number[];
}

/** Whether a call (its detail and turns) passes the call filters shared by listOrder and listCall. */
function callMatches(detail: CallInfoDetail, turns: number, f: CallFilters): boolean {
  if (activeList(f.callID) && !f.callID.includes(detail.callID)) return false;
  if (activeList(f.callStatus) && !f.callStatus.includes(detail.callStatus)) return false;
  const intents = detail.intents;
  if (activeList(f.intentID) && !intents.some((i) => i.intentID !== undefined && f.intentID!.includes(i.intentID))) return false;
  if (activeList(f.intentName) && !intents.some((i) => i.intentName !== undefined && f.intentName!.includes(i.intentName))) return false;
  if (activeList(f.intentTag) && !intents.some((i) => i.intentTag !== undefined && f.intentTag!.includes(i.intentTag))) return false;
  if (activeList(f.intentLevel) && !intents.some((i) => i.intentLevel !== undefined && f.intentLevel!.includes(i.intentLevel))) return false;
  return inRange(turns, f.turnTime) && inRange(detail.callDuration, f.callDuration);
}

const filterSet = (value: unknown) =>
  Array.isArray(value)
    ? value.length > 0
    : typeof value === 'object' && value !== null
      ? (value as { enable?: boolean }).enable === true
      : value !== undefined && value !== null;
const filtersSet = (options: object) => Object.values(options).some(filterSet);

export function listTask(core: Core, uuid: string, body: Record<string, unknown>): SimAnswer {
  const paged = paging(body);
  const tooBig = sizeRefusal(core, paged.size);
  if (tooBig) return tooBig;
  const q = (body.queryConditions ?? {}) as Schemas['ListTaskConditions'];
  const matches = (task: TaskRecord) => {
    const createTs = toSeconds(task.createdAt);
    const name = task.settings.taskName ?? '';
    return (
      (!q.taskStatus || q.taskStatus.includes(task.status)) &&
      (!q.taskName || q.taskName.some((wanted) => name.includes(wanted))) &&
      (q.sceneID === undefined || q.sceneID === task.sceneID) &&
      (!q.userTaskID || q.userTaskID.includes(task.userTaskID)) &&
      (q.startTs === undefined || createTs >= q.startTs) &&
      (q.endTs === undefined || createTs <= q.endTs)
    );
  };
  const tasks = [...core.tasksOf(uuid)].filter(matches);
  return success(core, { totalCount: tasks.length, taskData: pageOf(tasks, paged).map(taskData) });
}

export function listOrder(core: Core, task: TaskRecord, body: Record<string, unknown>): SimAnswer {
  const paged = paging(body);
  const tooBig = sizeRefusal(core, paged.size);
  if (tooBig) return tooBig;
  const options = (body.options ?? {}) as Schemas['ListOrderOptions'];
  let orders: readonly OrderRecord[] = task.orders;
  if (filtersSet(options)) {
    const { orderID, finish, ...callFilters } = options;
    const wanted = activeList(orderID) ? new Set(orderID) : undefined;
    orders = orders.filter((order) => {
      if (wanted && !wanted.has(order.orderID)) return false;
      if (finish === 1 && !isFinished(order)) return false;
      if (finish === 0 && isFinished(order)) return false;
      const call = lastCall(task, order);
      return callMatches(call ? call.detail : orderCall(task, order, undefined).callInfoDetail, call?.turns ?? 0, callFilters);
    });
  }
  const page = pageOf(orders, paged).map((order) => orderCall(task, order, lastCall(task, order)));
  return success(core, { totalCount: orders.length, orderList: page });
}

export function listCall(core: Core, task: TaskRecord, body: Record<string, unknown>): SimAnswer {
  const paged = paging(body);
  const tooBig = sizeRefusal(core, paged.size);
  if (tooBig) return tooBig;
  const options = (body.options ?? {}) as Schemas['ListCallOptions'];
  let calls: readonly CallRecord[] = task.calls;
  if (filtersSet(options)) {
    const { startTs, endTs, ...callFilters } = options;
    calls = calls.filter(
      (call) =>
        (startTs === undefined || call.detail.callStartTs >= startTs) &&
        (endTs === undefined || call.detail.callStartTs <= endTs) &&
        callMatches(call.detail, call.turns, callFilters),
    );
  }
  const index = core.orders(task);
  const page = pageOf(calls, paged).map((call) => orderCall(task, index.get(call.orderID)!, call));
  return success(core, { totalCount: calls.length, callList: page });
}

/** Choice (spec: listOrderDetail): ids the task does not hold are omitted; a repeated id is listed once. */
export function listOrderDetail(core: Core, task: TaskRecord, body: Record<string, unknown>): SimAnswer {
  const ids = (body.orderList ?? []) as string[];
  if (ids.length > MAX_DETAIL_IDS) {
    return refusal(core, RetCodes.TooManyElements.code, `orderList: ${ids.length} ids, at most ${MAX_DETAIL_IDS}`);
  }
  const index = core.orders(task);
  const list = [...new Set(ids)].flatMap((id) => {
    const order = index.get(id);
    return order ? [orderDetail(task, order)] : [];
  });
  return success(core, { orderDetailList: list });
}

/** Every order of the latest batch, one item each, with its last call's fields. */
export function exportBatchCall(core: Core, task: TaskRecord): SimAnswer {
  if (core.now < task.importUntil) {
    return refusal(core, RetCodes.BatchImportInProgress.code, `userTaskID: a batch of "${task.userTaskID}" is still being imported`);
  }
  const batch = task.batchID;
  const items = batch === '' ? [] : task.orders.filter((order) => order.batchID === batch).map((order) => exportedCall(task, order));
  return success(core, { totalCount: items.length, batchID: batch, callList: items });
}
