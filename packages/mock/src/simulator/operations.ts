import { DelCall, RetCodes, TaskOperate, TaskStatusEntries } from 'callbot-contract';
import type { SimAnswer } from './api.js';
import { invalid, refusal, success } from './answers.js';
import type { Core } from './core.js';
import { pump } from './dialer.js';
import { isFinished } from './payloads.js';
import type { ImportError, RefusedOrders } from './refused-orders.js';
import { type OrderRecord, type Schemas, type TaskRecord, TaskStatus, type TaskStatusValue } from './types.js';

/**
 * The operations that change the world. Each answers from the state it leaves behind; a refusal
 * changes nothing and names the field that made it. The choices here are written in the spec
 * (operation descriptions, TaskCreateSetting.startupType, FuncFlag.taskKeep, OrderCall).
 */

/** Choice (spec: importBatchCall): the scene of a task created by an import. */
export const IMPORT_SCENE_ID = 'mock-scene';
/** startupType values read from the separate NXCC API (spec: TaskCreateSetting.startupType). */
export const StartupType = { Manual: 1, Immediate: 3 } as const;
/** `running (taskStatus 2)`: the spec's English meaning of the status (x-enum-descriptions). */
const STATUS_NAMES = new Map(TaskStatusEntries.map((entry) => [entry.value, entry.description.split(' — ').pop()!.toLowerCase()]));
export const describeStatus = (status: TaskStatusValue) => `${STATUS_NAMES.get(status)} (taskStatus ${status})`;

export const unknownTask = (core: Core, userTaskID: string) => invalid(core, `userTaskID: no task "${userTaskID}" in this account`);

function newTask(core: Core, userTaskID: string, sceneID: string, status: TaskStatusValue): TaskRecord {
  return {
    userTaskID,
    taskID: String(++core.state.counters.taskID),
    sceneID,
    createdAt: core.now,
    status,
    settings: {},
    funcFlag: {},
    taskCallbackUrl: '',
    pending: null,
    batchID: '',
    batchCount: 0,
    importUntil: 0,
    orders: [],
    calls: [],
    queue: [],
    queueHead: 0,
    dialing: 0,
    finishedOrders: 0,
    answeredOrders: 0,
    answeredCalls: 0,
    lastUsed: 0,
  };
}

/** A task born running has already changed status from the implicit "waiting": its event is sent. */
function born(core: Core, uuid: string, task: TaskRecord): void {
  const status = task.status;
  task.status = TaskStatus.WaitingToStart;
  core.putTask(uuid, task);
  core.setStatus(uuid, task, status);
}

function openBatch(core: Core, task: TaskRecord): void {
  task.batchCount += 1;
  task.batchID = `${task.taskID}-b${task.batchCount}`;
  core.state.counters.batch += 1;
}

type CallInfoList = Schemas['CallInfoList'];
type AddResult = { totalCount: number; successCount: number; errList: ImportError[] };

/**
 * Adds the list's orders to the task's current batch, and is the one place that writes the
 * answer's errList, in the request's order: the orders refused before (`refused`: a malformed
 * or blocked phone, refused-orders.ts) and, choice (spec: CallOrder.orderID), an orderID the task
 * already holds — or one repeated in the list — refused for that order, so no order is dialed twice.
 * `list` is the request's list without the refused orders; `totalCount` counts them all.
 */
function addOrders(core: Core, task: TaskRecord, list: CallInfoList, refused?: RefusedOrders): AddResult {
  const index = core.orders(task);
  const sent = (refused?.callList ?? list.callList) as CallInfoList['callList'];
  const result: AddResult = { totalCount: sent.length, successCount: 0, errList: [] };
  sent.forEach((item, position) => {
    const before = refused?.refused.get(position);
    if (before) {
      result.errList.push(before);
      return;
    }
    if (index.has(item.orderID)) {
      result.errList.push({ phone: item.userPhone, errMsg: `orderID "${item.orderID}" is already in the task` });
      return;
    }
    const order: OrderRecord = {
      orderID: item.orderID,
      userPhone: item.userPhone,
      userName: item.userName,
      customerName: item.customerName,
      other: item.other,
      params: item.params.map((param) => ({ ...param })),
      orderCallbackUrl: list.orderCallbackUrl,
      callCallbackUrl: list.callCallbackUrl,
      batchID: task.batchID,
      state: 'waiting',
      callIdx: [],
      answered: false,
      stopRequested: false,
      queued: false,
      current: null,
    };
    core.addOrder(task, order);
    result.successCount += 1;
  });
  return result;
}

/** New orders of a request, not counting those refused as already present. */
function newOrderCount(core: Core, task: TaskRecord | undefined, list: CallInfoList): number {
  const ids = new Set(list.callList.map((item) => item.orderID));
  if (task) for (const id of ids) if (core.orders(task).has(id)) ids.delete(id);
  return ids.size;
}

const tooManyOrders = (core: Core, fields: object = {}) =>
  refusal(
    core,
    RetCodes.TooManyElements.code,
    `callInfoList.callList: more orders than the mock keeps (maxStoredOrders ${core.options.maxStoredOrders})`,
    fields,
  );

const addedFields = (task: TaskRecord, result: AddResult) => ({
  taskID: task.taskID,
  totalCount: result.totalCount,
  successCount: result.successCount,
  ...(result.errList.length > 0 ? { errList: result.errList } : {}),
});

function applyCreateFields(task: TaskRecord, body: Record<string, unknown>): void {
  const settings = (body.taskCreateSetting ?? {}) as Schemas['TaskCreateSetting'];
  task.settings = structuredClone(settings);
  task.funcFlag = structuredClone((body.funcFlag ?? {}) as Schemas['FuncFlag']);
  // createTask takes it at the top of its body; the shared settings shape carries it too.
  const topLevel = typeof body.taskCallbackUrl === 'string' ? body.taskCallbackUrl : undefined;
  task.taskCallbackUrl = topLevel ?? settings.taskCallbackUrl ?? '';
}

export function createTask(core: Core, uuid: string, body: Record<string, unknown>): SimAnswer {
  const userTaskID = body.userTaskID as string;
  if (core.task(uuid, userTaskID)) return invalid(core, `userTaskID: task "${userTaskID}" already exists`);
  core.roomForTask();
  const startupType = (body.taskCreateSetting as Schemas['TaskCreateSetting'] | undefined)?.startupType;
  const task = newTask(core, userTaskID, body.sceneID as string, startupType === StartupType.Immediate ? TaskStatus.Running : TaskStatus.WaitingToStart);
  applyCreateFields(task, body);
  born(core, uuid, task);
  return success(core, { taskID: task.taskID, taskStatus: task.status });
}

export function createAndCall(core: Core, uuid: string, body: Record<string, unknown>, refused?: RefusedOrders): SimAnswer {
  const userTaskID = body.userTaskID as string;
  if (core.task(uuid, userTaskID)) return invalid(core, `userTaskID: task "${userTaskID}" already exists`);
  const list = body.callInfoList as CallInfoList;
  core.roomForTask();
  if (!core.roomForOrders(undefined, newOrderCount(core, undefined, list))) return tooManyOrders(core);
  const startupType = (body.taskCreateSetting as Schemas['TaskCreateSetting'] | undefined)?.startupType;
  const task = newTask(core, userTaskID, body.sceneID as string, startupType === StartupType.Manual ? TaskStatus.WaitingToStart : TaskStatus.Running);
  applyCreateFields(task, body);
  openBatch(core, task);
  const result = addOrders(core, task, list, refused);
  born(core, uuid, task);
  pump(core, uuid, task);
  return success(core, addedFields(task, result));
}

export function addBatchCall(core: Core, uuid: string, body: Record<string, unknown>, refused?: RefusedOrders): SimAnswer {
  const task = core.task(uuid, body.userTaskID as string);
  if (!task) return unknownTask(core, body.userTaskID as string);
  if (task.status === TaskStatus.Ended)
    return invalid(core, `userTaskID: task "${task.userTaskID}" is ${describeStatus(task.status)}; it takes no more orders`);
  const list = body.callInfoList as CallInfoList;
  if (!core.roomForOrders(task, newOrderCount(core, task, list))) return tooManyOrders(core);
  core.touch(task);
  if (task.batchCount === 0) openBatch(core, task);
  const result = addOrders(core, task, list, refused);
  pump(core, uuid, task);
  return success(core, addedFields(task, result));
}

/** Never-dialed waiting orders: what an import, or delCall 1, deletes. */
const undialed = (order: OrderRecord) => order.state === 'waiting' && order.callIdx.length === 0;

export function importBatchCall(core: Core, uuid: string, body: Record<string, unknown>, refused?: RefusedOrders): SimAnswer {
  const userTaskID = body.userTaskID as string;
  const list = body.callInfoList as CallInfoList;
  const counts = { totalCount: 0, successCount: 0 };
  let task = core.task(uuid, userTaskID);
  if (task && core.now < task.importUntil) {
    return refusal(core, RetCodes.BatchImportInProgress.code, `userTaskID: a batch of "${userTaskID}" is still being imported`, counts);
  }
  if (task?.status === TaskStatus.Ended) {
    return invalid(core, `userTaskID: task "${userTaskID}" is ${describeStatus(task.status)}; it takes no more orders`, counts);
  }
  // The import replaces the undialed orders, so they make room for the new ones (dropped ids may come back).
  const freed = task ? task.orders.filter(undialed).length : 0;
  const fresh = new Set(list.callList.map((item) => item.orderID));
  if (task) for (const id of fresh) if (core.orders(task).has(id) && !undialed(core.orders(task).get(id)!)) fresh.delete(id);
  if (!task) core.roomForTask();
  if (!core.roomForOrders(task, fresh.size - freed)) return tooManyOrders(core, counts);
  if (!task) {
    // Choice (spec: importBatchCall): an import names a task that does not exist yet → it is created, running.
    task = newTask(core, userTaskID, IMPORT_SCENE_ID, TaskStatus.Running);
    born(core, uuid, task);
  } else {
    core.touch(task);
    core.dropOrders(task, undialed);
  }
  openBatch(core, task);
  const result = addOrders(core, task, list, refused);
  task.importUntil = core.now + core.options.importingSeconds * 1000;
  core.checkCompletion(uuid, task);
  pump(core, uuid, task);
  return success(core, {
    totalCount: result.totalCount,
    successCount: result.successCount,
    ...(result.errList.length > 0 ? { errList: result.errList } : {}),
  });
}

/**
 * Choice (spec: mgrTaskStatus): start = waiting | paused → running, and completed → running when
 * orders were added since; pause = running → paused; complete = → completed (3) when every order is
 * finished, otherwise → ended (4) with the orders not finished stopped (a call in progress ends
 * normally and is the order's last). delCall 1 first deletes the never-dialed orders.
 */
export function mgrTaskStatus(core: Core, uuid: string, body: Record<string, unknown>): SimAnswer {
  const task = core.task(uuid, body.userTaskID as string);
  if (!task) return unknownTask(core, body.userTaskID as string);
  const operate = body.taskOperate as number;
  const refuse = (what: string) => invalid(core, `taskOperate ${operate} (${what}): task "${task.userTaskID}" is ${describeStatus(task.status)}`);
  const status = task.status;
  let next: TaskStatusValue;
  if (operate === TaskOperate.Start) {
    const resumable = status === TaskStatus.WaitingToStart || status === TaskStatus.Paused;
    const reopened = status === TaskStatus.Completed && !core.allFinished(task);
    if (!resumable && !reopened) return refuse('start');
    next = TaskStatus.Running;
  } else if (operate === TaskOperate.Pause) {
    if (status !== TaskStatus.Running) return refuse('pause');
    next = TaskStatus.Paused;
  } else {
    if (status === TaskStatus.Completed || status === TaskStatus.Ended) return refuse('complete');
    next = TaskStatus.Completed; // decided below, after delCall
  }
  core.touch(task);
  if (body.delCall === DelCall.Delete) core.dropOrders(task, () => true);
  if (operate === TaskOperate.Complete) {
    if (core.allFinished(task)) next = TaskStatus.Completed;
    else {
      next = TaskStatus.Ended;
      for (const order of task.orders) {
        if (order.state === 'waiting') core.stopIdleOrder(uuid, task, order);
        else if (order.state === 'dialing') order.stopRequested = true;
      }
    }
  }
  core.setStatus(uuid, task, next);
  core.checkCompletion(uuid, task);
  pump(core, uuid, task);
  return success(core, { taskID: task.taskID, taskStatus: task.status });
}

/** Only a waiting or paused task can be updated; the change takes effect after updateDelaySeconds. */
export function updateTask(core: Core, uuid: string, body: Record<string, unknown>): SimAnswer {
  const task = core.task(uuid, body.userTaskID as string);
  if (!task) return unknownTask(core, body.userTaskID as string);
  if (task.status !== TaskStatus.WaitingToStart && task.status !== TaskStatus.Paused) {
    return invalid(core, `userTaskID: task "${task.userTaskID}" is ${describeStatus(task.status)}; only a waiting or paused task can be updated`);
  }
  core.touch(task);
  const settings = body.taskCreateSetting as Schemas['TaskCreateSetting'] | undefined;
  const funcFlag = body.funcFlag as Schemas['FuncFlag'] | undefined;
  const before = task.pending;
  const at = core.now + core.options.updateDelaySeconds * 1000;
  task.pending = {
    at,
    taskCreateSetting: settings || before?.taskCreateSetting ? { ...before?.taskCreateSetting, ...structuredClone(settings) } : null,
    funcFlag: funcFlag || before?.funcFlag ? { ...before?.funcFlag, ...structuredClone(funcFlag) } : null,
  };
  core.schedule({ at, kind: 'settings', uuid, userTaskID: task.userTaskID, taskID: task.taskID, orderID: '', callID: '' });
  return success(core, { taskID: task.taskID });
}

/**
 * Irreversible. A waiting order stops at once (its order event is sent if it was ever called); an
 * order in a call is stopped when that call ends (no redial). delCall 1 deletes the named orders
 * that were never dialed instead of keeping them as stopped. Unknown or finished orders → errList.
 */
export function stopOrder(core: Core, uuid: string, body: Record<string, unknown>): SimAnswer {
  const task = core.task(uuid, body.userTaskID as string);
  if (!task) return unknownTask(core, body.userTaskID as string);
  core.touch(task);
  const ids = body.orderIDs as string[];
  const index = core.orders(task);
  const errList: { orderID: string; errMsg: string }[] = [];
  const remove = new Set<string>();
  for (const orderID of ids) {
    const order = index.get(orderID);
    if (!order || remove.has(orderID)) {
      errList.push({ orderID, errMsg: remove.has(orderID) ? 'order already deleted' : `orderID "${orderID}" is not in the task` });
    } else if (isFinished(order) || order.stopRequested) {
      errList.push({ orderID, errMsg: order.state === 'finished' ? 'order already finished' : 'order already stopped' });
    } else if (order.state === 'dialing') {
      order.stopRequested = true;
    } else if (body.delCall === DelCall.Delete && undialed(order)) {
      remove.add(orderID);
    } else {
      core.stopIdleOrder(uuid, task, order);
    }
  }
  if (remove.size > 0) core.dropOrders(task, (order) => remove.has(order.orderID));
  core.checkCompletion(uuid, task);
  return success(core, { totalCount: ids.length, successCount: ids.length - errList.length, ...(errList.length > 0 ? { errList } : {}) });
}
