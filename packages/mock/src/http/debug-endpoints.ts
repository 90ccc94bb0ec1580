import { MockLimits, PRODUCT_ID, RetCodes } from 'callbot-contract';
import type { MockAccount } from '../requests/accounts.js';
import type { CallbackDispatcher } from '../callbacks/dispatcher.js';
import { checkAdvance, type MockClock } from '../callbacks/clock.js';
import type { HttpAnswer } from './exchange.js';
import { parseJsonBody } from '../requests/parse-json.js';
import { plainJson } from './respond.js';
import type { Simulator } from '../simulator/api.js';
import type { SimulationDriver } from '../callbacks/driver.js';

export const DEBUG_TASKS_PATH = '/__mock/tasks';
export const DEBUG_CALLBACKS_PATH = '/__mock/callbacks';
export const DEBUG_CLOCK_PATH = '/__mock/clock';
/** Deprecated: the old mock's view (tasks → batches → orders), rebuilt from the simulator's lists; see batchesOf. */
export const DEBUG_BATCHES_PATH = '/__mock/batches';

/** Page sizes of the debug listings: a default, and a maximum that bounds every answer. */
export const LISTING_PAGES = {
  tasks: { limit: { default: 100, max: 1000 }, orderLimit: { default: 100, max: MockLimits.PageSize.maximum } },
  /** Deprecated view: tasks a page, and orders shown per task (one listOrder page; more: `truncated`). */
  batches: { limit: { default: 10, max: 100 }, ordersPerTask: MockLimits.PageSize.maximum },
  callbacks: { limit: { default: 100, max: 1000 } },
} as const;

/** The largest `POST /__mock/clock` body read. */
const MAX_CLOCK_BODY_BYTES = 4096;

class BadQuery extends Error {}

/** A positive integer query parameter: absent → the default, above the maximum → the maximum. */
function pageSize(url: URL, name: string, bounds: { default: number; max: number }): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return bounds.default;
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new BadQuery(`${name} must be a whole number >= 1 (at most ${bounds.max} is used)`);
  return Math.min(Number(text), bounds.max);
}

const badRequest = (message: string) => plainJson(400, { retCode: RetCodes.GeneralError.code, retMsg: `${RetCodes.GeneralError.zh}: ${message}` });

function answerBadQuery(error: unknown): HttpAnswer {
  if (!(error instanceof BadQuery)) throw error;
  return badRequest(error.message);
}

/** The same listing from `cursor` on: the filters and page sizes kept. */
function nextLink(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  return `${path}?${query}`;
}

export interface DebugContext {
  accounts: readonly MockAccount[];
  /** The simulator's `handle` at the clock's time: the debug views are the vendor's own lists. */
  simulate: Simulator['handle'];
  dispatcher: CallbackDispatcher;
  driver: SimulationDriver;
  clock: MockClock;
  settleTimeoutMs: number;
}

type Json = Record<string, unknown>;

/**
 * `GET /__mock/tasks[?uuid=&userTaskID=&limit=&cursor=&orderLimit=&orderPage=]`: the tasks of
 * every account (or one), as the simulator's listTask answers them, `uuid` added. With
 * `userTaskID`, each task also carries a page of its orders as listOrder answers them (each with
 * its last call), `ordersTotal` and `ordersNext`. `cursor` is `ACCOUNT.PAGE` from a `next` link.
 */
export function listTasks(url: URL, ctx: DebugContext): HttpAnswer {
  const userTaskID = url.searchParams.get('userTaskID') || undefined;
  return pagedTasks(url, ctx, DEBUG_TASKS_PATH, LISTING_PAGES.tasks.limit, (uuid, task, orderPage, orderLimit) =>
    userTaskID ? ordersOf(ctx, uuid, String(task.userTaskID), orderPage, orderLimit, url) : {},
  );
}

/**
 * Deprecated `GET /__mock/batches[?uuid=&userTaskID=&limit=&cursor=]`: the old mock's shape,
 * rebuilt from the simulator's own lists. Per task, `batches` holds the latest batch
 * (`current: true`, exportBatchCall's orders) after, when there are any, the orders kept from
 * earlier batches (`current: false`). At most 1000 orders per task (`truncated` says more).
 * `droppedUndialed` is not known any more (the simulator forgets dropped orders). Prefer
 * /__mock/tasks.
 */
export function listBatches(url: URL, ctx: DebugContext): HttpAnswer {
  return pagedTasks(url, ctx, DEBUG_BATCHES_PATH, LISTING_PAGES.batches.limit, (uuid, task) => ({ batches: batchesOf(ctx, uuid, String(task.userTaskID)) }));
}

function batchesOf(ctx: DebugContext, uuid: string, userTaskID: string): Json[] {
  const max = LISTING_PAGES.batches.ordersPerTask;
  const listed = ctx.simulate(uuid, 'listOrder', { productID: PRODUCT_ID, userTaskID, options: {}, page: 1, size: max }).body;
  const orders = (Array.isArray(listed.orderList) ? (listed.orderList as Json[]) : []).map((order) => ({
    orderID: order.orderID,
    userPhone: order.userPhone,
    finish: order.finish,
  }));
  const truncated = typeof listed.totalCount === 'number' && listed.totalCount > orders.length;
  const exported = truncated ? {} : ctx.simulate(uuid, 'exportBatchCall', { productID: PRODUCT_ID, userTaskID }).body;
  if (truncated || exported.retCode !== 0 || !Array.isArray(exported.callList)) {
    return orders.length ? [{ batchID: null, current: true, truncated, orders }] : [];
  }
  const latest = new Set((exported.callList as Json[]).map((item) => item.orderID));
  const earlier = orders.filter((order) => !latest.has(order.orderID));
  const current = orders.filter((order) => latest.has(order.orderID));
  return [
    ...(earlier.length ? [{ batchID: null, current: false, truncated: false, orders: earlier }] : []),
    ...(exported.batchID ? [{ batchID: exported.batchID, current: true, truncated: false, orders: current }] : []),
  ];
}

function pagedTasks(
  url: URL,
  ctx: DebugContext,
  path: string,
  limits: { default: number; max: number },
  decorate: (uuid: string, task: Json, orderPage: number, orderLimit: number) => Json,
): HttpAnswer {
  try {
    const uuid = url.searchParams.get('uuid') || undefined;
    const userTaskID = url.searchParams.get('userTaskID') || undefined;
    const limit = pageSize(url, 'limit', limits);
    const orderLimit = pageSize(url, 'orderLimit', LISTING_PAGES.tasks.orderLimit);
    const orderPage = pageSize(url, 'orderPage', { default: 1, max: 1e9 });
    const cursorText = url.searchParams.get('cursor');
    const cursorMatch = cursorText ? /^(\d{1,6})\.([1-9]\d{0,8})$/.exec(cursorText) : undefined;
    if (cursorText && !cursorMatch) throw new BadQuery('cursor must be the value of a next link (e.g. 0.2)');
    const conditions = userTaskID ? { userTaskID: [userTaskID] } : {};
    const accounts = ctx.accounts.filter((account) => !uuid || account.uuid === uuid);
    // Each page is one listTask page of one account (accounts in order, empty ones skipped).
    const counts = accounts.map((account) => {
      const answer = ctx.simulate(account.uuid, 'listTask', { productID: PRODUCT_ID, page: 1, size: 1, queryConditions: conditions }).body;
      return typeof answer.totalCount === 'number' ? answer.totalCount : 0;
    });
    const total = counts.reduce((sum, count) => sum + count, 0);
    let accountIndex = cursorMatch ? Number(cursorMatch[1]) : 0;
    let page = cursorMatch ? Number(cursorMatch[2]) : 1;
    while (accountIndex < accounts.length && (page - 1) * limit >= counts[accountIndex]!) {
      accountIndex += 1;
      page = 1;
    }
    const tasks: Json[] = [];
    const account = accounts[accountIndex];
    if (account) {
      const answer = ctx.simulate(account.uuid, 'listTask', { productID: PRODUCT_ID, page, size: limit, queryConditions: conditions }).body;
      for (const task of Array.isArray(answer.taskData) ? (answer.taskData as Json[]) : []) {
        tasks.push({ uuid: account.uuid, ...task, ...decorate(account.uuid, task, orderPage, orderLimit) });
      }
      if (page * limit < counts[accountIndex]!) page += 1;
      else {
        accountIndex += 1;
        page = 1;
        while (accountIndex < accounts.length && counts[accountIndex] === 0) accountIndex += 1;
      }
    }
    const next =
      account && accountIndex < accounts.length
        ? nextLink(path, {
            uuid,
            userTaskID,
            limit,
            orderLimit: userTaskID && path === DEBUG_TASKS_PATH ? orderLimit : undefined,
            cursor: `${accountIndex}.${page}`,
          })
        : null;
    return plainJson(200, { tasks, total, limit, next });
  } catch (error) {
    return answerBadQuery(error);
  }
}

function ordersOf(ctx: DebugContext, uuid: string, userTaskID: string, page: number, size: number, url: URL): Json {
  const answer = ctx.simulate(uuid, 'listOrder', { productID: PRODUCT_ID, userTaskID, options: {}, page, size }).body;
  const orders = Array.isArray(answer.orderList) ? answer.orderList : [];
  const ordersTotal = typeof answer.totalCount === 'number' ? answer.totalCount : orders.length;
  const ordersNext =
    page * size < ordersTotal
      ? nextLink(DEBUG_TASKS_PATH, { uuid, userTaskID, orderLimit: size, orderPage: page + 1, limit: url.searchParams.get('limit') ?? undefined })
      : null;
  return { orders, ordersTotal, ordersNext };
}

/** `GET /__mock/callbacks[?limit=&cursor=]`: delivery records oldest first; `cursor` is the last `id` seen. */
export function listCallbacks(url: URL, dispatcher: CallbackDispatcher): HttpAnswer {
  try {
    const limit = pageSize(url, 'limit', LISTING_PAGES.callbacks.limit);
    const cursorText = url.searchParams.get('cursor');
    if (cursorText && !/^\d{1,15}$/.test(cursorText)) throw new BadQuery('cursor must be the value of a next link (a record id)');
    const page = dispatcher.records({ after: cursorText ? Number(cursorText) : 0, limit });
    const next = page.next !== undefined ? nextLink(DEBUG_CALLBACKS_PATH, { limit, cursor: page.next }) : null;
    return plainJson(200, { callbacks: page.records, total: page.total, limit, next });
  } catch (error) {
    return answerBadQuery(error);
  }
}

/** What `GET` and `POST /__mock/clock` answer. */
export interface ClockView {
  /** Virtual Unix seconds. */
  now: number;
  speed: number;
  /** Callbacks not delivered (or given up) yet: in the simulator, queued, or being sent. */
  pendingCallbacks: number;
}

export function clockView(ctx: Pick<DebugContext, 'clock' | 'driver'>): ClockView {
  return { now: Math.floor(ctx.clock.now() / 1000), speed: ctx.clock.speed, pendingCallbacks: ctx.driver.pendingCallbacks() };
}

/**
 * `POST /__mock/clock` with `{"advance": SECONDS, "settle": true}`: moves virtual time forward
 * (0 to 30 days; default 0), plays the world to it, and with `settle` (the default) waits — at
 * most `settleTimeoutMs` — until every callback due so far is delivered or given up.
 */
export async function postClock(bytes: Buffer, ctx: DebugContext): Promise<HttpAnswer> {
  if (bytes.length > MAX_CLOCK_BODY_BYTES) return badRequest(`body larger than ${MAX_CLOCK_BODY_BYTES} bytes`);
  let advance = 0;
  let settle = true;
  if (bytes.length > 0) {
    const parsed = parseJsonBody(bytes, 4);
    if (!parsed.ok) return badRequest(parsed.refusal.retMsg);
    for (const [key, value] of Object.entries(parsed.value)) {
      if (key === 'advance') {
        try {
          advance = checkAdvance(value);
        } catch (error) {
          return badRequest((error as Error).message);
        }
      } else if (key === 'settle') {
        if (typeof value !== 'boolean') return badRequest('settle must be true or false');
        settle = value;
      } else return badRequest(`"${key.slice(0, 40)}" is not a field of this request (known: advance, settle)`);
    }
  }
  ctx.clock.advance(advance);
  ctx.driver.tick();
  if (settle) await ctx.driver.settle(ctx.settleTimeoutMs);
  return plainJson(200, clockView(ctx));
}
