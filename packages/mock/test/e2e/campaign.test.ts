import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallbotClient, createCallbotClient, DEMO_ACCOUNT, type OrderItem } from 'callbot-contract';
import { type CallbackReceiver, startCallbackReceiver } from 'callbot-test-kit/callback-receiver';
import { advanceClock } from 'callbot-test-kit/mock-clock';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';

// A whole campaign played through the built mock as a process, with the contract's own client
// and its own callback receiver (signatures, freshness and schemas checked on every callback).
// The mock runs at --speed 0: virtual time moves only when this test says so (POST
// /__mock/clock with settle, which answers once the callbacks due so far are delivered), so
// there is no sleep and no race. At the end every list the vendor offers must agree with the
// callbacks received.

const TASK_STATUS = { Running: 2, Completed: 3, Paused: 5 } as const;
const ANSWERED = 1; // callStatus 1 = answered (CallInfoDetail.callStatus: the mock's reading)

let mock: MockProcess;
let receiver: CallbackReceiver;
let callbot: CallbotClient;

beforeAll(async () => {
  mock = await startMockProcess(['--speed', '0', '--seed', '11', '--quiet']);
  // Callbacks are signed with the real clock (the wire's), whatever the virtual time.
  receiver = await startCallbackReceiver(DEMO_ACCOUNT);
  callbot = createCallbotClient({ baseUrl: mock.url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey });
});
afterAll(async () => {
  await mock?.stop();
  await receiver?.close();
});

const advance = (seconds: number) => advanceClock(mock.url, seconds);

const orders = (prefix: string, count: number, firstPhone: number) =>
  Array.from({ length: count }, (_, i) => ({
    orderID: `${prefix}-${i}`,
    userPhone: `86156${String(firstPhone + i).padStart(8, '0')}`,
    other: `${prefix}-${i}`,
    userName: '张伟',
    customerName: '华南物流',
    params: [{ name: 'amount', value: String(100 + i) }],
  }));

/** Every page of listOrder for the task (size 100). */
async function allOrders(userTaskID: string): Promise<OrderItem[]> {
  const all: OrderItem[] = [];
  for await (const order of callbot.orders({ userTaskID, options: {}, size: 100 })) all.push(order);
  return all;
}

describe('a campaign through the mock (contract client + contract receiver)', () => {
  it('create, import, start, pause, add, stop some, resume, complete: every list agrees with the callbacks', async () => {
    // Fixed ids and seed: the world's outcomes are drawn per (account, task, order, round), so the run repeats exactly.
    const userTaskID = 'campaign-1';
    const callbackUrls = { orderCallbackUrl: `${receiver.url}/order`, callCallbackUrl: `${receiver.url}/call` };

    await callbot.createTask({
      userTaskID,
      sceneID: 'scene-1001',
      taskCallbackUrl: `${receiver.url}/task`,
      taskCreateSetting: { taskName: 'campaign test', maxCall: 2 },
      funcFlag: { taskKeep: true },
    });
    const first = orders('first', 12, 1000);
    const imported = await callbot.importBatchCall({ userTaskID, callInfoList: { ...callbackUrls, callList: first } });
    expect(imported).toMatchObject({ totalCount: 12, successCount: 12 });

    expect((await callbot.startTask(userTaskID)).taskStatus).toBe(TASK_STATUS.Running);
    await advance(180);
    const early = { calls: receiver.received.call.length, orders: receiver.received.order.length };
    expect(early.calls).toBeGreaterThan(0); // the dialer is at work…
    expect(receiver.received.order.length).toBeLessThan(12); // …and not done

    // Pause: the task callback says so; the calls under way end (a call lasts at most 200
    // virtual seconds: ring 3–20, talk 10–180), and then nothing more is dialled while paused.
    expect((await callbot.pauseTask(userTaskID)).taskStatus).toBe(TASK_STATUS.Paused);
    await advance(300);
    expect(receiver.received.task.at(-1)).toMatchObject({ userTaskID, taskStatus: TASK_STATUS.Paused });
    const whilePaused = receiver.received.call.length;
    await advance(600);
    expect(receiver.received.call.length).toBe(whilePaused);

    const added = orders('added', 6, 2000);
    const addAnswer = await callbot.addBatchCall({ userTaskID, callInfoList: { ...callbackUrls, callList: added } });
    expect(addAnswer.retCode).toBe(0);

    // Stop two of the orders just added (never dialled: the task is paused). Stopping is
    // irreversible; a stopped order that was never called gets no order callback.
    const stopped = added.slice(-2).map((o) => o.orderID);
    const stopAnswer = await callbot.stopOrders({ userTaskID, orderIDs: stopped });
    expect(stopAnswer).toMatchObject({ totalCount: 2, successCount: 2 });

    // Resume and play on until every order that was not stopped has finished.
    expect((await callbot.startTask(userTaskID)).taskStatus).toBe(TASK_STATUS.Running);
    const expectedFinished = 18 - 2;
    for (let round = 0; round < 200 && new Set(receiver.received.order.map((o) => o.orderID)).size < expectedFinished; round++) {
      await advance(300);
    }
    const finishedOrders = new Set(receiver.received.order.map((o) => o.orderID));
    for (const id of stopped) expect(finishedOrders.has(id)).toBe(false);
    expect(finishedOrders.size).toBe(expectedFinished);

    // taskKeep: the task stays running with every order done, until this test completes it.
    const listed = await callbot.listTasks({ page: 1, size: 10, queryConditions: { userTaskID: [userTaskID] } });
    expect(listed.taskData?.[0]?.taskStatus).toBe(TASK_STATUS.Running);
    expect((await callbot.completeTask(userTaskID)).taskStatus).toBe(TASK_STATUS.Completed);
    const settled = await advance(60);
    expect(settled.pendingCallbacks).toBe(0);

    const { call: calls, order: orderCallbacks, task: taskCallbacks, refused } = receiver.received;
    expect(refused).toEqual([]); // every callback verified (signature, createTs, schema)

    // Each callback arrived once: one order callback per finished order, one call callback per callID.
    expect(orderCallbacks).toHaveLength(expectedFinished);
    const callIDs = calls.map((c) => c.callInfoDetail.callID);
    expect(new Set(callIDs).size).toBe(callIDs.length);
    for (const c of [...calls, ...orderCallbacks]) expect(c.userTaskID).toBe(userTaskID);

    // Task callbacks: running, paused, running again, completed — one per change of status.
    expect(taskCallbacks.map((t) => t.taskStatus)).toEqual([TASK_STATUS.Running, TASK_STATUS.Paused, TASK_STATUS.Running, TASK_STATUS.Completed]);
    const lastTask = taskCallbacks.at(-1)!;

    const callsByOrder = new Map<string, typeof calls>();
    for (const c of calls) callsByOrder.set(c.orderID, [...(callsByOrder.get(c.orderID) ?? []), c]);
    const answeredOrders = [...callsByOrder.values()].filter((list) => list.some((c) => c.callInfoDetail.callStatus === ANSWERED)).length;
    const answeredCalls = calls.filter((c) => c.callInfoDetail.callStatus === ANSWERED).length;

    // listTask's taskStat: the counts the callbacks add up to (and what the last task callback said).
    const task = (await callbot.listTasks({ page: 1, size: 10, queryConditions: { userTaskID: [userTaskID] } })).taskData?.[0];
    expect(task).toMatchObject({ userTaskID, taskStatus: TASK_STATUS.Completed });
    expect(task!.taskStat).toMatchObject({
      totalOrderCount: 18,
      finishOrderCount: 18, // the mock counts stopped orders as finished: they are done

      totalCall: calls.length,
      totalAnswerCall: answeredCalls,
      answerOrderCount: answeredOrders,
    });
    expect(lastTask.taskStat).toEqual(task!.taskStat);

    // listOrder: every order once; a finished one shows its last call, as the order callback did.
    const listedOrders = await allOrders(userTaskID);
    expect(listedOrders.map((o) => o.orderID).sort()).toEqual([...first, ...added].map((o) => o.orderID).sort());
    for (const callback of orderCallbacks) {
      const listedOrder = listedOrders.find((o) => o.orderID === callback.orderID)!;
      expect(listedOrder.finish).toBe(true);
      expect(listedOrder.callInfoDetail).toMatchObject({
        callID: callback.callInfoDetail.callID,
        callStatus: callback.callInfoDetail.callStatus,
        callDuration: callback.callInfoDetail.callDuration,
      });
      const lastCall = callsByOrder.get(callback.orderID)!.at(-1)!;
      expect(callback.callInfoDetail.callID).toBe(lastCall.callInfoDetail.callID);
    }

    // listOrderDetail: every call of every order, as the call callbacks said (ids, statuses, durations).
    const details = await callbot.listOrderDetails({ userTaskID, orderList: [...first, ...added].map((o) => o.orderID) });
    for (const detail of details.orderDetailList) {
      const fromCallbacks = (callsByOrder.get(detail.orderID) ?? []).map((c) => [
        c.callInfoDetail.callID,
        c.callInfoDetail.callStatus,
        c.callInfoDetail.callDuration,
      ]);
      const listedCalls = detail.callInfoDetailList.map((c) => [c.callID, c.callStatus, c.callDuration]);
      expect(listedCalls, `calls of ${detail.orderID}`).toEqual(fromCallbacks);
    }
    expect(details.orderDetailList).toHaveLength(18);
    for (const id of stopped) expect(details.orderDetailList.find((d) => d.orderID === id)?.callInfoDetailList).toEqual([]);

    // listCall: every call once, the same ids and durations.
    const listedCalls: { callID: string; callDuration: number }[] = [];
    for await (const c of callbot.calls({ userTaskID, options: {}, size: 100 })) {
      listedCalls.push({ callID: c.callInfoDetail.callID, callDuration: c.callInfoDetail.callDuration });
    }
    expect(listedCalls.map((c) => c.callID).sort()).toEqual([...callIDs].sort());
    const durations = new Map(calls.map((c) => [c.callInfoDetail.callID, c.callInfoDetail.callDuration]));
    for (const c of listedCalls) expect(c.callDuration).toBe(durations.get(c.callID));

    // exportBatchCall: the latest batch (importBatchCall made it; addBatchCall added to it), one
    // row per order with its last call — an empty callID for an order never called.
    const exported = await callbot.exportBatchCall({ userTaskID });
    const lastCallOf = (orderID: string) => callsByOrder.get(orderID)?.at(-1)?.callInfoDetail.callID ?? '';
    const rows = (exported.callList ?? []).map((c) => `${c.orderID} ${c.callID}`).sort();
    expect(rows).toEqual([...first, ...added].map((o) => `${o.orderID} ${lastCallOf(o.orderID)}`).sort());
    expect(exported.totalCount).toBe(18);
    expect(early.orders).toBeLessThanOrEqual(orderCallbacks.length);
  });
});
