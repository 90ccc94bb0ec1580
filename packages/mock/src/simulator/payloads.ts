import { Callbacks } from 'callbot-contract';
import type { CallInFlight, CallInfoDetail, CallRecord, OrderRecord, Schemas, TaskRecord } from './types.js';
import { CALL_STATUS, HANGUP, INTENTS } from './outcomes.js';

/**
 * The contract-shaped views of the state: taskStat, a call's CallInfoDetail, the three callback
 * bodies and the items of the lists. Every view is built from the same records, which is what
 * makes events and lists agree.
 */

export const toSeconds = (ms: number) => Math.floor(ms / 1000);

/** The calling number and line the mock reports for every call (call callbacks, listOrderDetail). */
export const CALLING_NUMBER = '862160000000';
export const LINE_ADDRESS = '127.0.0.1';
export const RECORDING_BASE = 'https://recordings.callbot-mock.invalid/';

const rate = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 100) / 100);

export function taskStat(task: TaskRecord): Schemas['TaskStat'] {
  const totalOrderCount = task.orders.length;
  const totalCall = task.calls.length;
  return {
    answerOrderCount: task.answeredOrders,
    finishOrderCount: task.finishedOrders,
    totalOrderCount,
    finishRate: rate(task.finishedOrders, totalOrderCount),
    totalAnswerCall: task.answeredCalls,
    totalCall,
    answerRate: rate(task.answeredCalls, totalCall),
  };
}

/** The record of a call that has just ended. */
export function endedCall(order: OrderRecord, call: CallInFlight, smsEnable: boolean): CallRecord {
  const answered = call.kind === 'answered';
  const intent = INTENTS[call.intentIndex];
  const detail: CallInfoDetail = {
    callID: call.callID,
    callStatus: CALL_STATUS[call.kind],
    callStartTs: toSeconds(call.startAt),
    callAnswerTs: answered ? toSeconds(call.answerAt) : 0,
    callEndTs: toSeconds(call.endAt),
    callDuration: answered ? toSeconds(call.endAt) - toSeconds(call.answerAt) : 0,
    callAudioUrl: answered ? `${RECORDING_BASE}${encodeURIComponent(call.callID)}.wav` : '',
    ...HANGUP[call.kind],
    intents: intent ? [{ ...intent }] : [],
    sms:
      answered && smsEnable ? [{ smsSendTs: toSeconds(call.endAt), sysMessageID: `sms-${call.callID}`, smsContent: `mock message after ${call.callID}` }] : [],
    params: order.params.map((param) => ({ ...param })),
  };
  return { orderID: order.orderID, turns: call.turns, detail };
}

/**
 * Choice (spec: AgentInfo): a call no agent touched, in the vendor's own shape (its listOrderDetail
 * example: every field null but manualHangupBy 0). The mock has no agents, so every call it
 * reports carries this; the records keep no copy of it (one per call would only cost memory).
 */
export const noAgent = (): Schemas['AgentInfo'] => ({
  agentName: null,
  agentGroup: null,
  agentCallStatus: null,
  agentCallElapsed: null,
  agentLabel: null,
  manualCallStart: null,
  manualCallAnswer: null,
  manualCallEnd: null,
  manualHangupBy: 0,
});

/**
 * Choice (spec: OrderCall / CallInfoDetail): an order not called yet is listed with this call —
 * callID '' and callStatus 0 'not called yet'.
 */
export function notCalledYet(order: OrderRecord): CallInfoDetail {
  return {
    callID: '',
    callStatus: 0,
    callStartTs: 0,
    callAnswerTs: 0,
    callEndTs: 0,
    callDuration: 0,
    callAudioUrl: '',
    hangupCause: '',
    termSipCode: '',
    intents: [],
    sms: [],
    agent: noAgent(),
    params: order.params.map((param) => ({ ...param })),
  };
}

export const isFinished = (order: OrderRecord) => order.state === 'finished' || order.state === 'stopped';

export function lastCall(task: TaskRecord, order: OrderRecord): CallRecord | undefined {
  const index = order.callIdx[order.callIdx.length - 1];
  return index === undefined ? undefined : task.calls[index];
}

/**
 * The order's fields of an item, written onto `item` in the spec's order (after what `item`
 * already holds). Why no `{ ...orderFields(), more }`: V8 copies a spread object through its slow
 * path, about 20× the cost of setting the fields — a listOrder page of 100 items paid ~0.15 ms
 * for it (bench/mock-load.mjs).
 */
function withOrderFields<T extends object>(item: T, task: TaskRecord, order: OrderRecord) {
  return Object.assign(item, {
    orderID: order.orderID,
    userPhone: order.userPhone,
    userName: order.userName,
    sceneID: task.sceneID,
    userTaskID: task.userTaskID,
    taskID: task.taskID,
    finish: isFinished(order),
    other: order.other,
  });
}

/**
 * A copy the receiver may change freely (a hand copy: structuredClone costs ~10× more per call),
 * with its agent fields (last, as a spread would put them). `Object.assign` keeps the stored
 * detail's key order, as `{ ...detail }` does, at a fraction of its cost; but it would assign an
 * own `__proto__` key (a detail read from a hand-edited state file) where a spread copies it.
 */
function copyDetail(detail: CallInfoDetail): CallInfoDetail {
  const copy = Object.hasOwn(detail, '__proto__') ? { ...detail } : Object.assign({}, detail);
  copy.intents = detail.intents.map((intent) => ({ ...intent }));
  copy.sms = detail.sms.map((sms) => ({ ...sms }));
  copy.agent = noAgent();
  copy.params = detail.params.map((param) => ({ ...param }));
  return copy;
}

/** OrderCall: an order with one of its calls (listCall: each call; listOrder: the last one). */
export function orderCall(task: TaskRecord, order: OrderRecord, call: CallRecord | undefined): Schemas['OrderCall'] {
  return Object.assign(withOrderFields({}, task, order), { callInfoDetail: call ? copyDetail(call.detail) : notCalledYet(order) });
}

/** CallFinishedCallback: callbackType 3 (spec Choice), with calling number and line. */
export function callEventPayload(task: TaskRecord, order: OrderRecord, call: CallRecord): Schemas['CallFinishedCallback'] {
  const detail = Object.assign(copyDetail(call.detail), { callingNumber: CALLING_NUMBER, lineAddress: LINE_ADDRESS });
  return Object.assign(withOrderFields({ callbackType: Callbacks.call.callbackType }, task, order), { callInfoDetail: detail });
}

/** OrderFinishedCallback: callbackType "2" (a string; spec Choice), with the order's last call. */
export function orderEventPayload(task: TaskRecord, order: OrderRecord, call: CallRecord): Schemas['OrderFinishedCallback'] {
  return Object.assign(withOrderFields({ callbackType: Callbacks.order.callbackType }, task, order), {
    finish: true as const,
    callInfoDetail: copyDetail(call.detail),
  });
}

/** TaskStatusCallback: callbackType 1, the status and statistics at the moment of the change. */
export function taskEventPayload(task: TaskRecord): Schemas['TaskStatusCallback'] {
  return {
    callbackType: Callbacks.task.callbackType,
    userTaskID: task.userTaskID,
    taskID: task.taskID,
    sceneID: task.sceneID,
    taskStatus: task.status,
    createTs: toSeconds(task.createdAt),
    taskStat: taskStat(task),
  };
}

export function taskData(task: TaskRecord): Schemas['TaskData'] {
  return {
    userTaskID: task.userTaskID,
    taskID: task.taskID,
    sceneID: task.sceneID,
    taskStatus: task.status,
    createTs: toSeconds(task.createdAt),
    taskStat: taskStat(task),
  };
}

/** listOrderDetail item: the order with every one of its calls (calling number and line included). */
export function orderDetail(task: TaskRecord, order: OrderRecord): Schemas['OrderDetail'] {
  const callInfoDetailList = order.callIdx.map((index) =>
    Object.assign(copyDetail(task.calls[index]!.detail), { callingNumber: CALLING_NUMBER, lineAddress: LINE_ADDRESS }),
  );
  return Object.assign(withOrderFields({}, task, order), { callInfoDetailList });
}

/** exportBatchCall item: an order of the latest batch with its last call's fields. */
export function exportedCall(task: TaskRecord, order: OrderRecord): Schemas['ExportedCall'] {
  const detail = lastCall(task, order)?.detail ?? notCalledYet(order);
  return {
    orderID: order.orderID,
    userPhone: order.userPhone,
    other: order.other,
    callID: detail.callID,
    callStatus: detail.callStatus,
    callStartTs: detail.callStartTs,
    intents: detail.intents.map((intent) => ({ ...intent })),
  };
}
