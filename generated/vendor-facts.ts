/**
 * This file was generated from openapi/ (via generated/openapi.json) by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** One value of an enum of the spec, with its name and meaning. */
export interface EnumEntry<V extends number | string = number | string> {
  readonly value: V;
  /** From `x-enum-varnames` (`WaitingToStart`). */
  readonly name: string;
  /** From `x-enum-descriptions` (`待启动 — Waiting to start`). */
  readonly description: string;
}

/**
 * 是否删除未拨打的数据(慎用) — delete the data not dialed yet (use with caution): 0 no, 1
 * delete. **Choice:** absent means 0.
 */
export const DelCall = {
  Keep: 0,
  Delete: 1,
} as const;
export type DelCallValue = (typeof DelCall)[keyof typeof DelCall];
/** DelCall's values with their names (`x-enum-varnames`) and meanings (`x-enum-descriptions`), in the spec's order. */
export const DelCallEntries: readonly EnumEntry<DelCallValue>[] = [
  { value: 0, name: "Keep", description: "不删除 — Keep undialed data" },
  { value: 1, name: "Delete", description: "删除 — Delete undialed data" },
];

/**
 * 任务操作参数 — the operation on the task: 1 启动 (start), 2 暂停 (pause), 3 完结
 * (complete / end; irreversible).
 */
export const TaskOperate = {
  Start: 1,
  Pause: 2,
  Complete: 3,
} as const;
export type TaskOperateValue = (typeof TaskOperate)[keyof typeof TaskOperate];
/** TaskOperate's values with their names (`x-enum-varnames`) and meanings (`x-enum-descriptions`), in the spec's order. */
export const TaskOperateEntries: readonly EnumEntry<TaskOperateValue>[] = [
  { value: 1, name: "Start", description: "启动 — Start" },
  { value: 2, name: "Pause", description: "暂停 — Pause" },
  { value: 3, name: "Complete", description: "完结 — Complete" },
];

/**
 * 任务状态 — task status: 1 待启动 (waiting to start), 2 进行中 (running), 3 已完成
 * (completed), 4 已完结(失败) (ended / failed), 5 已暂停 (paused).
 *
 * In answers and callbacks a task status is `anyOf` this schema and any integer (the vendor
 * may add states); in request filters it is this closed list.
 */
export const TaskStatus = {
  WaitingToStart: 1,
  Running: 2,
  Completed: 3,
  Ended: 4,
  Paused: 5,
} as const;
export type TaskStatusValue = (typeof TaskStatus)[keyof typeof TaskStatus];
/** TaskStatus's values with their names (`x-enum-varnames`) and meanings (`x-enum-descriptions`), in the spec's order. */
export const TaskStatusEntries: readonly EnumEntry<TaskStatusValue>[] = [
  { value: 1, name: "WaitingToStart", description: "待启动 — Waiting to start" },
  { value: 2, name: "Running", description: "进行中 — Running" },
  { value: 3, name: "Completed", description: "已完成 — Completed" },
  { value: 4, name: "Ended", description: "已完结(失败) — Ended (failed)" },
  { value: 5, name: "Paused", description: "已暂停 — Paused" },
];

/**
 * 产品id,定值"callbot" — product id, always `callbot`.
 *
 * **Choice:** always `callbot`, as every table says. The vendor's own examples contradict their
 * tables here: createTask shows `""` (en) and `"string"` (zh), exportBatchCall `"string"` (zh and
 * en; henryou, Sep 26 2024). Those placeholders are refused.
 */
export const PRODUCT_ID = "callbot";

/** The contract's caps (`maxItems`, `maximum`), by schema and property: a request over one is refused before it leaves. */
export const Limits = {
  /**
   * ListOrderDetailRequest: 查询订单维度拨打详情 — the body of `listOrderDetail`; every call of each given order.
   */
  ListOrderDetailRequest: {
    /**
     * 订单id列表,最多500个 — the order ids, **at most 500** (stated on two copies of the page). **Choice:** at least one.
     */
    orderList: { maxItems: 500 },
  },
} as const;

/**
 * The mock's caps where the vendor publishes none (`x-callbot-mock-max-items`,
 * `x-callbot-mock-maximum`), by schema and property: Choices written in the spec, which the
 * mock enforces (retCode 4001 for a list, 4 for a number) and the command takes as its defaults.
 */
export const MockLimits = {
  /**
   * PageSize: 每页条数 — page size (the vendor's examples use 100). **Unknown:** the vendor publishes no maximum (its separate NXCC CDR query caps pages at 100). **Choice:** at least 1, no `maximum` in the contract; ask for 100 or fewer. **Choice (the mock):** more than 1000 (`x-callbot-mock-maximum`) is refused with retCode 4 naming `size`, so every answer is bounded.
   */
  PageSize: {
    maximum: 1000,
  },
  /**
   * CallInfoList: 名单与回调地址 — the call list and the two callback URLs.
   */
  CallInfoList: {
    /**
     * 一个号码即为一个订单,一个订单会进行一轮或多轮通话 — one phone number is one order; an order gets one or more rounds of calls.
     */
    callList: { maxItems: 100000 },
  },
} as const;

/**
 * The three callbacks the vendor sends (the spec's webhooks), by the kind a receiver tells them
 * apart by: the payload's schema (components.schemas) and the `callbackType` the mock sends
 * (a Choice: the vendor's pages contradict each other; see TaskStatusCallback).
 */
export const Callbacks = {
  /**
   * Receive the order-finished callback
   */
  order: { kind: "order", webhook: "orderFinished", operationId: "orderFinished", schema: "OrderFinishedCallback", callbackType: "2",
    /** The spec's example of this callback's payload. */
    example: {"callbackType":"2","orderID":"0c7d2e5a-1b3f-4e6a-9c8d-7f6e5d4c3b2a","userPhone":"6281234567890","userName":"Siti Rahma","sceneID":"scene-1001","userTaskID":"7b0f4c52-3d7e-4f0e-9a55-2f4f2d1f5a11","taskID":"880012","finish":true,"other":"","callInfoDetail":{"callID":"c-6e2a1b","callStatus":2,"callStartTs":1700000200,"callAnswerTs":0,"callEndTs":1700000230,"callDuration":0,"callAudioUrl":"","hangupCause":"NO_ANSWER","termSipCode":"480","intents":[],"sms":[],"params":[{"name":"amount","value":"45.00"}]}} },
  /**
   * Receive the call-finished callback
   */
  call: { kind: "call", webhook: "callFinished", operationId: "callFinished", schema: "CallFinishedCallback", callbackType: 3,
    /** The spec's example of this callback's payload. */
    example: {"callbackType":3,"orderID":"3f1c9b9e-8a51-4b8e-a2c4-1d0a6b8f7e21","userPhone":"8615612345678","userName":"张伟","sceneID":"scene-1001","userTaskID":"7b0f4c52-3d7e-4f0e-9a55-2f4f2d1f5a11","taskID":"880012","finish":true,"other":"crm-ticket-1042","callInfoDetail":{"callID":"c-5d1f0a","callingNumber":"862160000000","lineAddress":"10.0.0.8","callStatus":1,"callStartTs":1700000100,"callAnswerTs":1700000108,"callEndTs":1700000160,"callDuration":52,"callAudioUrl":"https://example.com/recordings/c-5d1f0a.wav","hangupCause":"NORMAL_CLEARING","termSipCode":"200","intents":[{"intentID":"i-01","intentTag":"A","intentName":"有意向","intentLevel":1}],"sms":[{"smsSendTs":1700000170,"sysMessageID":"m-7781","smsContent":"您好,您的账单已生成。"}],"params":[{"name":"amount","value":"1280.50"}]}} },
  /**
   * Receive the task-status callback
   */
  task: { kind: "task", webhook: "taskStatusChanged", operationId: "taskStatusChanged", schema: "TaskStatusCallback", callbackType: 1,
    /** The spec's example of this callback's payload. */
    example: {"callbackType":1,"userTaskID":"7b0f4c52-3d7e-4f0e-9a55-2f4f2d1f5a11","taskID":"880012","sceneID":"scene-1001","taskStatus":3,"createTs":1700000000,"taskStat":{"answerOrderCount":42,"finishOrderCount":100,"totalOrderCount":100,"finishRate":1,"totalAnswerCall":45,"totalCall":130,"answerRate":0.35}} },
} as const;
