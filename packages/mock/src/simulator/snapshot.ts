import { MAX_VIRTUAL_MS } from './api.js';
import type { DueAction, OrderRecord, TaskRecord, WorldState } from './types.js';

/**
 * The world as versioned plain JSON (`--state FILE`), and back. Reading checks every value and
 * throws a SnapshotError naming the path of the first bad one (`accounts[0].tasks[2].orders[5].state`);
 * the derived counts (finished, answered, in calls) are recomputed from the orders and calls, so a
 * snapshot cannot carry counts that disagree with its lists.
 */

export const SNAPSHOT_FORMAT = 'callbot-mock-simulator';
export const SNAPSHOT_VERSION = 1;

export class SnapshotError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`snapshot ${path}: ${problem}`);
    this.name = 'SnapshotError';
  }
}

export function writeSnapshot(state: WorldState): unknown {
  const copy = structuredClone({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    seed: state.seed,
    now: state.now,
    counters: state.counters,
    accounts: [...state.accounts].map(([uuid, tasks]) => ({
      uuid,
      tasks: [...tasks.values()].map((task) => ({ ...task, queue: task.queue.slice(task.queueHead), queueHead: 0 })),
    })),
    actions: state.actions,
    events: state.events,
  });
  return copy;
}

// ---- a small checker: each function returns the value typed, or throws naming the path ----

type Json = Record<string, unknown>;
const fail = (path: string, problem: string): never => {
  throw new SnapshotError(path, problem);
};
const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path || '(root)', 'must be an object');
  return value as Json;
}
function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return value as unknown[];
}
function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  return value as string;
}
/**
 * The largest whole number a snapshot may hold (counters, sequence numbers, seconds): far below
 * 2^53, so that a counter read back still counts (at 2^53, `+ 1` changes nothing and ids repeat).
 */
const MAX_WHOLE = 2 ** 50;
function int(value: unknown, path: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > MAX_WHOLE)
    fail(path, `must be a whole number from ${min} to ${MAX_WHOLE}`);
  return value as number;
}
/** A virtual time (ms): finite, from 0 to the end of year 9999 (MAX_VIRTUAL_MS). */
function num(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_VIRTUAL_MS)
    fail(path, `must be a time in milliseconds from 0 to ${MAX_VIRTUAL_MS} (the end of year 9999)`);
  return value as number;
}
function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value as boolean;
}
function oneOf<T extends string | number>(value: unknown, path: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}
function field(record: Json, path: string, key: string): [unknown, string] {
  return [record[key], join(path, key)];
}
const f = <T>(record: Json, path: string, key: string, check: (value: unknown, path: string) => T): T => check(...field(record, path, key));

const OUTCOME_KINDS = ['answered', 'noAnswer', 'busy', 'rejected', 'invalidNumber'] as const;
const ORDER_STATES = ['waiting', 'dialing', 'finished', 'stopped'] as const;
const TASK_STATUSES = [1, 2, 3, 4, 5] as const;

function readCallDetail(value: unknown, path: string) {
  const detail = object(value, path);
  for (const key of ['callID', 'callAudioUrl', 'hangupCause', 'termSipCode']) f(detail, path, key, string);
  for (const key of ['callStatus', 'callStartTs', 'callAnswerTs', 'callEndTs', 'callDuration']) f(detail, path, key, int);
  for (const key of ['intents', 'sms', 'params']) f(detail, path, key, array).forEach((item, i) => object(item, join(join(path, key), i)));
  return detail as unknown as TaskRecord['calls'][number]['detail'];
}

function readOrder(value: unknown, path: string, callCount: number): OrderRecord {
  const o = object(value, path);
  for (const key of ['orderID', 'userPhone', 'userName', 'customerName', 'other', 'orderCallbackUrl', 'callCallbackUrl', 'batchID']) f(o, path, key, string);
  f(o, path, 'params', array).forEach((item, i) => {
    const param = object(item, join(join(path, 'params'), i));
    f(param, join(join(path, 'params'), i), 'name', string);
    f(param, join(join(path, 'params'), i), 'value', string);
  });
  f(o, path, 'state', (v, p) => oneOf(v, p, ORDER_STATES));
  f(o, path, 'callIdx', array).forEach((index, i) => {
    if (int(index, join(join(path, 'callIdx'), i)) >= callCount) fail(join(join(path, 'callIdx'), i), `must name one of the task's ${callCount} calls`);
  });
  for (const key of ['answered', 'stopRequested', 'queued']) f(o, path, key, bool);
  if (o.current !== null) {
    const cPath = join(path, 'current');
    const c = object(o.current, cPath);
    f(c, cPath, 'callID', string);
    f(c, cPath, 'kind', (v, p) => oneOf(v, p, OUTCOME_KINDS));
    for (const key of ['startAt', 'answerAt', 'endAt']) f(c, cPath, key, num);
    f(c, cPath, 'turns', int);
    f(c, cPath, 'intentIndex', (v, p) => int(v, p, -1));
    if (o.state !== 'dialing') fail(join(path, 'state'), 'must be "dialing" while a call is in progress');
  } else if (o.state === 'dialing') fail(join(path, 'current'), 'must hold the call in progress of a dialing order');
  return o as unknown as OrderRecord;
}

function readTask(value: unknown, path: string): TaskRecord {
  const t = object(value, path);
  for (const key of ['userTaskID', 'sceneID', 'taskCallbackUrl', 'batchID']) f(t, path, key, string);
  if (!/^\d+$/.test(f(t, path, 'taskID', string))) fail(join(path, 'taskID'), 'must be a string of digits');
  f(t, path, 'createdAt', num);
  f(t, path, 'importUntil', num);
  f(t, path, 'status', (v, p) => oneOf(v, p, TASK_STATUSES));
  f(t, path, 'settings', object);
  f(t, path, 'funcFlag', object);
  for (const key of ['batchCount', 'lastUsed']) f(t, path, key, int);
  if (t.pending !== null) {
    const pPath = join(path, 'pending');
    const p = object(t.pending, pPath);
    f(p, pPath, 'at', num);
    if (p.taskCreateSetting !== null) f(p, pPath, 'taskCreateSetting', object);
    if (p.funcFlag !== null) f(p, pPath, 'funcFlag', object);
  }
  const calls = f(t, path, 'calls', array);
  calls.forEach((item, i) => {
    const cPath = join(join(path, 'calls'), i);
    const call = object(item, cPath);
    f(call, cPath, 'orderID', string);
    f(call, cPath, 'turns', int);
    f(call, cPath, 'detail', readCallDetail);
  });
  const seen = new Set<string>();
  const orders = f(t, path, 'orders', array).map((item, i) => {
    const order = readOrder(item, join(join(path, 'orders'), i), calls.length);
    if (seen.has(order.orderID)) fail(join(join(join(path, 'orders'), i), 'orderID'), `"${order.orderID}" appears twice in the task`);
    seen.add(order.orderID);
    return order;
  });
  const queued = new Set(f(t, path, 'queue', array).map((id, i) => string(id, join(join(path, 'queue'), i))));
  if (t.queueHead !== 0) fail(join(path, 'queueHead'), 'must be 0 in a snapshot');
  // An order is due exactly when it waits in the queue: the flag is derived, not trusted.
  for (const order of orders) order.queued = order.state === 'waiting' && queued.has(order.orderID);
  // Derived counts: recomputed, never trusted.
  const task = t as unknown as TaskRecord;
  task.dialing = orders.filter((order) => order.state === 'dialing').length;
  task.finishedOrders = orders.filter((order) => order.state === 'finished' || order.state === 'stopped').length;
  task.answeredOrders = orders.filter((order) => order.answered).length;
  task.answeredCalls = task.calls.filter((call) => call.detail.callStatus === 1).length;
  return task;
}

function readAction(value: unknown, path: string): DueAction {
  const a = object(value, path);
  f(a, path, 'at', num);
  f(a, path, 'seq', int);
  f(a, path, 'kind', (v, p) => oneOf(v, p, ['callEnd', 'redial', 'settings'] as const));
  for (const key of ['uuid', 'userTaskID', 'taskID', 'orderID', 'callID']) f(a, path, key, string);
  return a as unknown as DueAction;
}

export function readSnapshot(snapshot: unknown): WorldState {
  const root = object(structuredClone(snapshot), '');
  if (root.format !== SNAPSHOT_FORMAT) fail('format', `must be "${SNAPSHOT_FORMAT}"`);
  if (root.version !== SNAPSHOT_VERSION) fail('version', `must be ${SNAPSHOT_VERSION} (this mock reads version ${SNAPSHOT_VERSION} only)`);
  const seed = f(root, '', 'seed', int);
  const now = f(root, '', 'now', num);
  const countersObject = f(root, '', 'counters', object);
  const counters = {} as WorldState['counters'];
  for (const key of ['taskID', 'call', 'batch', 'response', 'event', 'action', 'use'] as const) counters[key] = f(countersObject, 'counters', key, int);
  const accounts: WorldState['accounts'] = new Map();
  f(root, '', 'accounts', array).forEach((item, i) => {
    const path = join('accounts', i);
    const account = object(item, path);
    const uuid = f(account, path, 'uuid', string);
    if (accounts.has(uuid)) fail(join(path, 'uuid'), `"${uuid}" appears twice`);
    const tasks = new Map<string, TaskRecord>();
    f(account, path, 'tasks', array).forEach((taskValue, j) => {
      const task = readTask(taskValue, join(join(path, 'tasks'), j));
      if (tasks.has(task.userTaskID)) fail(join(join(join(path, 'tasks'), j), 'userTaskID'), `"${task.userTaskID}" appears twice`);
      tasks.set(task.userTaskID, task);
    });
    accounts.set(uuid, tasks);
  });
  const actions = f(root, '', 'actions', array).map((item, i) => readAction(item, join('actions', i)));
  // A call in progress must have its end on the agenda, or its order would stay dialing for ever.
  const ends = new Set(actions.filter((a) => a.kind === 'callEnd').map((a) => a.callID));
  for (const [uuid, tasks] of accounts) {
    for (const task of tasks.values()) {
      task.orders.forEach((order, i) => {
        if (order.current && !ends.has(order.current.callID)) {
          const index = [...accounts.keys()].indexOf(uuid);
          const taskIndex = [...tasks.keys()].indexOf(task.userTaskID);
          fail(`accounts[${index}].tasks[${taskIndex}].orders[${i}].current.callID`, `"${order.current.callID}" has no callEnd action`);
        }
      });
    }
  }
  // The heap's order is part of the state: check it is a heap, so a hand-edited file cannot reorder time.
  actions.forEach((action, i) => {
    const parent = actions[(i - 1) >> 1];
    if (i > 0 && parent && (parent.at > action.at || (parent.at === action.at && parent.seq > action.seq))) {
      fail(join('actions', i), 'is due before its parent: the actions are not a heap ordered by (at, seq)');
    }
  });
  const events = f(root, '', 'events', array).map((item, i) => {
    const path = join('events', i);
    const event = object(item, path);
    f(event, path, 'seq', int);
    f(event, path, 'kind', (v, p) => oneOf(v, p, ['call', 'order', 'task'] as const));
    for (const key of ['uuid', 'userTaskID', 'url']) f(event, path, key, string);
    f(event, path, 'payload', object);
    f(event, path, 'at', num);
    return event as unknown as WorldState['events'][number];
  });
  return { seed, now, counters, accounts, actions, events };
}
