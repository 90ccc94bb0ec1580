import type { VirtualMs } from './api.js';
import type { Core } from './core.js';
import { peekAction, popAction } from './heap.js';
import { drawCall, finishesOrder } from './outcomes.js';
import { callEventPayload, endedCall, orderEventPayload } from './payloads.js';
import { type DueAction, type TaskRecord, TaskStatus } from './types.js';

/**
 * The dialer, in virtual time: a running task dials its due orders up to its concurrency; a call's
 * end records it, emits the call event (and the order event when it was the order's last), and
 * either finishes the order or schedules its next round. Nothing here reads a real clock.
 */

/** The strategy name that means one round only (spec: TaskCreateSetting.strategyName). */
export const ONE_ROUND_STRATEGY = '一拨一';

export function roundsFor(core: Core, task: TaskRecord): number {
  const redial = task.funcFlag.roundRedial !== false && task.settings.strategyName !== ONE_ROUND_STRATEGY;
  return Math.max(1, Math.min(core.options.maxCallsPerOrder, redial ? core.options.dialer.maxRounds : 1));
}

export function concurrencyFor(core: Core, task: TaskRecord): number {
  return Math.max(1, task.settings.maxCall || core.options.dialer.concurrency);
}

/** Starts calls for `task` while it runs, has room and the event queue is below its bound. */
export function pump(core: Core, uuid: string, task: TaskRecord): void {
  if (task.status !== TaskStatus.Running) return;
  const limit = concurrencyFor(core, task);
  while (task.dialing < limit && core.state.events.length < core.options.maxPendingEvents) {
    const order = core.nextDue(task);
    if (!order) return;
    const round = order.callIdx.length + 1;
    const callID = `${task.taskID}-${++core.state.counters.call}`;
    const key = `${uuid}\n${task.userTaskID}\n${order.orderID}\n${round}`;
    const call = drawCall(core.state.seed, key, callID, core.now, core.options.dialer.outcomes, task.settings.maxRingTime ?? 0);
    order.state = 'dialing';
    order.current = call;
    task.dialing += 1;
    core.schedule({ at: call.endAt, kind: 'callEnd', uuid, userTaskID: task.userTaskID, taskID: task.taskID, orderID: order.orderID, callID });
  }
}

export function pumpAll(core: Core): void {
  for (const [uuid, tasks] of core.state.accounts) for (const task of tasks.values()) pump(core, uuid, task);
}

function endCall(core: Core, action: DueAction, task: TaskRecord): void {
  const order = core.orders(task).get(action.orderID);
  const call = order?.current;
  if (!order || !call || call.callID !== action.callID) return;
  order.current = null;
  task.dialing -= 1;
  const record = endedCall(order, call, task.funcFlag.smsEnable === true);
  order.callIdx.push(task.calls.length);
  task.calls.push(record);
  if (call.kind === 'answered') {
    task.answeredCalls += 1;
    if (!order.answered) {
      order.answered = true;
      task.answeredOrders += 1;
    }
  }
  const last = finishesOrder(call.kind) || order.stopRequested || task.status === TaskStatus.Ended || order.callIdx.length >= roundsFor(core, task);
  if (last) {
    order.state = order.stopRequested ? 'stopped' : 'finished';
    task.finishedOrders += 1;
  } else {
    order.state = 'waiting';
    const at = core.now + core.options.dialer.redialDelaySeconds * 1000;
    core.schedule({ at, kind: 'redial', uuid: action.uuid, userTaskID: task.userTaskID, taskID: task.taskID, orderID: order.orderID, callID: '' });
  }
  core.emit('call', action.uuid, task, order.callCallbackUrl, callEventPayload(task, order, record));
  if (last) core.emit('order', action.uuid, task, order.orderCallbackUrl, orderEventPayload(task, order, record));
  core.checkCompletion(action.uuid, task);
}

function applySettings(core: Core, action: DueAction, task: TaskRecord): void {
  const pending = task.pending;
  if (!pending || pending.at !== action.at) return;
  task.pending = null;
  if (pending.taskCreateSetting) {
    task.settings = { ...task.settings, ...structuredClone(pending.taskCreateSetting) };
    if (pending.taskCreateSetting.taskCallbackUrl !== undefined) task.taskCallbackUrl = pending.taskCreateSetting.taskCallbackUrl;
  }
  if (pending.funcFlag) task.funcFlag = { ...task.funcFlag, ...structuredClone(pending.funcFlag) };
  // A change of taskKeep may let a running task complete now.
  core.checkCompletion(action.uuid, task);
}

function run(core: Core, action: DueAction): void {
  const task = core.task(action.uuid, action.userTaskID);
  if (!task || task.taskID !== action.taskID) return; // forgotten since
  switch (action.kind) {
    case 'callEnd':
      endCall(core, action, task);
      break;
    case 'redial': {
      const order = core.orders(task).get(action.orderID);
      if (order) core.enqueue(task, order);
      break;
    }
    case 'settings':
      applySettings(core, action, task);
      break;
  }
  pump(core, action.uuid, task);
}

/** Runs, in (at, seq) order, every action due at or before `time`, moving the clock to each. */
function runUntil(core: Core, time: VirtualMs): void {
  for (let next = peekAction(core.state.actions); next && next.at <= time; next = peekAction(core.state.actions)) {
    popAction(core.state.actions);
    if (next.at > core.state.now) core.state.now = next.at;
    run(core, next);
  }
}

/** Plays every action due up to `time`, then leaves the clock at `time`. */
export function advance(core: Core, time: VirtualMs): void {
  if (!(time > core.state.now)) return;
  runUntil(core, time);
  core.state.now = time;
}

/** Runs what a request made due at once (a zero delay: updateDelaySeconds 0, redialDelaySeconds 0). */
export function runDueNow(core: Core): void {
  runUntil(core, core.state.now);
}
