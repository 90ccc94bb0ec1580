import { type components, RetCodes, validateAgainst } from 'callbot-contract';
import { expect } from 'vitest';
import type { SimEvent, SimOperation, Simulator, SimulatorOptions } from '../../src/simulator/api.js';
import { ANSWER_SCHEMAS, createSimulator, defaultSimulatorOptions, EVENT_SCHEMAS } from '../../src/simulator/world.js';

type Schemas = components['schemas'];
export type CallOrder = Schemas['CallOrder'];

export const START = 1_700_000_000_000;
export const CALLBACKS = { orderCallbackUrl: 'http://127.0.0.1:9/order', callCallbackUrl: 'http://127.0.0.1:9/call' };

/** The request schema of each operation: the driver sends only what the pipeline would let through. */
const REQUEST_SCHEMAS = {
  createTask: 'CreateTaskRequest',
  updateTask: 'UpdateTaskRequest',
  createAndCall: 'CreateAndCallRequest',
  addBatchCall: 'AddBatchCallRequest',
  importBatchCall: 'ImportBatchCallRequest',
  mgrTaskStatus: 'MgrTaskStatusRequest',
  listTask: 'ListTaskRequest',
  listOrder: 'ListOrderRequest',
  listCall: 'ListCallRequest',
  listOrderDetail: 'ListOrderDetailRequest',
  exportBatchCall: 'ExportBatchCallRequest',
  stopOrder: 'StopOrderRequest',
} as const satisfies Record<SimOperation, string>;

export function options(overrides: Partial<SimulatorOptions> = {}): SimulatorOptions {
  return { ...defaultSimulatorOptions(), ...overrides };
}

export function order(id: string, i = 0): CallOrder {
  return {
    orderID: id,
    userPhone: `86156${String(i).padStart(8, '0')}`,
    other: `other-${id}`,
    userName: '张伟',
    customerName: '',
    params: [{ name: 'n', value: String(i) }],
  };
}

export const orders = (count: number, prefix = 'o') => Array.from({ length: count }, (_, i) => order(`${prefix}${i}`, i));
export const callInfoList = (list: CallOrder[]) => ({ ...CALLBACKS, callList: list });

/**
 * A simulator wrapped for tests: every request is checked against its request schema, every
 * answer against its answer schema, every event against its callback schema; events drained are
 * kept in `events`.
 */
export class Driver {
  readonly events: SimEvent[] = [];
  readonly answers: unknown[] = [];

  constructor(readonly sim: Simulator) {}

  static create(overrides: Partial<SimulatorOptions> = {}, start = START) {
    return new Driver(createSimulator(options(overrides), start));
  }

  call(uuid: string, operation: SimOperation, body: Record<string, unknown>): Record<string, any> {
    const request = { productID: 'callbot', ...body };
    expect(validateAgainst(REQUEST_SCHEMAS[operation], request), `${operation} request`).toEqual([]);
    const answer = this.sim.handle(uuid, operation, request).body;
    expect(validateAgainst(ANSWER_SCHEMAS[operation], answer), `${operation} answer ${JSON.stringify(answer).slice(0, 300)}`).toEqual([]);
    this.answers.push(answer);
    return answer;
  }

  ok(uuid: string, operation: SimOperation, body: Record<string, unknown>): Record<string, any> {
    const answer = this.call(uuid, operation, body);
    expect(answer.retCode, `${operation}: ${answer.retMsg}`).toBe(RetCodes.Success.code);
    return answer;
  }

  drain(): SimEvent[] {
    const taken = this.sim.drainEvents();
    for (const event of taken) {
      // expect() only on a failure: the scale tests drain tens of thousands of events.
      const issues = validateAgainst(EVENT_SCHEMAS[event.kind], event.payload);
      if (issues.length > 0) expect(issues, `${event.kind} event`).toEqual([]);
      const previous = this.events[this.events.length - 1];
      if (previous && event.seq !== previous.seq + 1) expect(event.seq, 'event seq').toBe(previous.seq + 1);
      this.events.push(event);
    }
    return taken;
  }

  /** Moves the clock by `seconds`, draining events in between so the dialer is never held back. */
  advance(seconds: number, step = seconds): void {
    const end = this.sim.now + seconds * 1000;
    while (this.sim.now < end) {
      this.sim.advanceTo(Math.min(end, this.sim.now + step * 1000));
      this.drain();
    }
    this.drain();
  }

  /** Plays until no call is in progress and nothing is due (bounded by `maxSeconds`). */
  settle(maxSeconds = 86_400): void {
    const end = this.sim.now + maxSeconds * 1000;
    for (;;) {
      this.advance(600);
      const stats = this.sim.stats();
      if ((stats.callsInProgress === 0 && this.idle()) || this.sim.now >= end) return;
    }
  }

  private idle(): boolean {
    // Nothing waits to be redialed: one more redial delay changes nothing in the call count.
    const before = this.sim.stats().calls;
    this.advance(defaultSimulatorOptions().dialer.redialDelaySeconds + 1);
    return this.sim.stats().calls === before && this.sim.stats().callsInProgress === 0;
  }

  eventsOf(uuid: string, userTaskID: string, kind?: SimEvent['kind']) {
    return this.events.filter((e) => e.uuid === uuid && e.userTaskID === userTaskID && (kind === undefined || e.kind === kind));
  }

  /** Every page of a list (size 1000). */
  all(uuid: string, operation: 'listOrder' | 'listCall', userTaskID: string, options: object = {}) {
    const items: any[] = [];
    let total = -1;
    for (let page = 1; ; page += 1) {
      const answer = this.ok(uuid, operation, { userTaskID, options, page, size: 1000 });
      const list = (operation === 'listOrder' ? answer.orderList : answer.callList) as any[];
      total = answer.totalCount;
      items.push(...list);
      if (list.length < 1000) break;
    }
    expect(items.length).toBe(total);
    return items;
  }

  tasks(uuid: string): Schemas['TaskData'][] {
    return this.ok(uuid, 'listTask', { page: 1, size: 1000, queryConditions: {} }).taskData;
  }
}

function groupBy<T extends { orderID: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.orderID);
    if (group) group.push(item);
    else groups.set(item.orderID, [item]);
  }
  return groups;
}

const withoutLine = (detail: Record<string, unknown>) => {
  const { callingNumber, lineAddress, ...rest } = detail;
  return rest;
};

/**
 * One truth: the events emitted so far, listOrder, listOrderDetail, listCall, exportBatchCall and
 * listTask's taskStat agree for every task of the account. Call after draining every event.
 */
export function checkOneTruth(driver: Driver, uuid: string): void {
  for (const task of driver.tasks(uuid)) {
    const id = task.userTaskID;
    const where = `${uuid}/${id}`;
    const orderList = driver.all(uuid, 'listOrder', id);
    const callList = driver.all(uuid, 'listCall', id);
    const details: Schemas['OrderDetail'][] = [];
    for (let i = 0; i < orderList.length; i += 500) {
      const ids = orderList.slice(i, i + 500).map((o) => o.orderID);
      details.push(...driver.ok(uuid, 'listOrderDetail', { userTaskID: id, orderList: ids }).orderDetailList);
    }
    expect(
      details.map((d) => d.orderID),
      where,
    ).toEqual(orderList.map((o) => o.orderID));

    // taskStat against the lists.
    const stat = task.taskStat;
    expect(stat.totalOrderCount, `${where} totalOrderCount`).toBe(orderList.length);
    expect(stat.finishOrderCount, `${where} finishOrderCount`).toBe(orderList.filter((o) => o.finish).length);
    expect(stat.totalCall, `${where} totalCall`).toBe(callList.length);
    expect(stat.totalAnswerCall, `${where} totalAnswerCall`).toBe(callList.filter((c) => c.callInfoDetail.callStatus === 1).length);
    expect(stat.answerOrderCount, `${where} answerOrderCount`).toBe(details.filter((d) => d.callInfoDetailList.some((c) => c.callStatus === 1)).length);

    // Calls: the call events are exactly listCall, in order, field for field.
    const callEvents = driver.eventsOf(uuid, id, 'call').map((e) => e.payload as Schemas['CallFinishedCallback']);
    const eventsNow = callEvents.filter((e) => e.taskID === task.taskID);
    expect(
      callList.map((c) => c.callInfoDetail),
      `${where} listCall vs call events`,
    ).toEqual(eventsNow.map((e) => withoutLine(e.callInfoDetail)));
    expect(callList.map((c) => c.orderID)).toEqual(eventsNow.map((e) => e.orderID));

    // Orders: listOrder's call is listOrderDetail's last (or "not called yet"); events per order.
    const orderEvents = groupBy(
      driver
        .eventsOf(uuid, id, 'order')
        .map((e) => e.payload as Schemas['OrderFinishedCallback'])
        .filter((e) => e.taskID === task.taskID),
    );
    const callEventsByOrder = groupBy(eventsNow);
    orderList.forEach((item, i) => {
      const detail = details[i]!;
      const calls = detail.callInfoDetailList.map(withoutLine);
      const ofOrder = callEventsByOrder.get(item.orderID) ?? [];
      expect(calls, `${where} ${item.orderID} listOrderDetail vs call events`).toEqual(ofOrder.map((e) => withoutLine(e.callInfoDetail)));
      expect(detail.finish).toBe(item.finish);
      const last = calls[calls.length - 1];
      if (last) expect(item.callInfoDetail, `${where} ${item.orderID} last call`).toEqual(last);
      else expect([item.callInfoDetail.callID, item.callInfoDetail.callStatus]).toEqual(['', 0]);
      const finishedOrder = orderEvents.get(item.orderID) ?? [];
      expect(finishedOrder.length, `${where} ${item.orderID} order events`).toBe(item.finish && last ? 1 : 0);
      if (finishedOrder[0]) expect(finishedOrder[0].callInfoDetail).toEqual(last);
      // A call event that said finish is the order's last call and the order is finished. The
      // converse does not hold: an order stopped between rounds finishes after its last call
      // event (finish false then); its order event, checked above, says so.
      ofOrder.forEach((e, k) => {
        if (k < ofOrder.length - 1 || !item.finish) expect(e.finish, `${where} ${item.orderID} call ${k} finish`).toBe(false);
      });
    });

    // Task events: the last one says the current status, and each one is a change.
    const taskEvents = driver.eventsOf(uuid, id, 'task').map((e) => e.payload as Schemas['TaskStatusCallback']);
    const statuses = taskEvents.filter((e) => e.taskID === task.taskID).map((e) => e.taskStatus);
    if (statuses.length > 0) expect(statuses[statuses.length - 1], `${where} last task event`).toBe(task.taskStatus);
    statuses.forEach((s, k) => k > 0 && expect(s).not.toBe(statuses[k - 1]));

    // Export: the latest batch's orders, each as listOrder says.
    const exported = driver.call(uuid, 'exportBatchCall', { userTaskID: id });
    if (exported.retCode === RetCodes.Success.code) {
      expect(exported.totalCount).toBe(exported.callList.length);
      const byID = new Map(orderList.map((o) => [o.orderID, o]));
      for (const item of exported.callList as Schemas['ExportedCall'][]) {
        const listed = byID.get(item.orderID);
        expect(listed, `${where} exported ${item.orderID} is listed`).toBeDefined();
        expect([item.callID, item.callStatus, item.callStartTs]).toEqual([
          listed!.callInfoDetail.callID,
          listed!.callInfoDetail.callStatus,
          listed!.callInfoDetail.callStartTs,
        ]);
      }
    } else {
      expect(exported.retCode).toBe(RetCodes.BatchImportInProgress.code);
    }
  }
}
