import { RetCodes } from 'callbot-contract';
import { describe, expect, it } from 'vitest';
import { BLOCKED_PHONE_PREFIX, ERR_MSG } from '../../src/simulator/refused-orders.js';
import { callInfoList, Driver, order, orders } from './support.js';

// Each operation answers from the state; each refusal changes nothing and names the field.

const U = 'acct-1';
const refusedWith = (answer: Record<string, any>, code: number, ...words: string[]) => {
  expect(answer.retCode, answer.retMsg).toBe(code);
  for (const word of words) expect(answer.retMsg).toContain(word);
};

function running(driver: Driver, userTaskID = 't', count = 3) {
  driver.ok(U, 'createAndCall', { userTaskID, sceneID: 's', callInfoList: callInfoList(orders(count)) });
}

describe('simulator operations: refusals name the field', () => {
  it.each(['addBatchCall', 'importBatchCall'] as const)('%s of an existing orderID lists it in errList (never dialed twice)', (operation) => {
    const d = Driver.create();
    running(d);
    d.advance(1); // the import lock of createAndCall is not involved; calls start
    const answer = d.ok(U, operation, { userTaskID: 't', callInfoList: callInfoList([order('o0'), order('new-1'), order('new-1')]) });
    expect(answer.totalCount).toBe(3);
    expect(answer.successCount).toBe(1);
    expect(answer.errList.map((e: any) => e.errMsg)).toEqual([expect.stringContaining('orderID "o0"'), expect.stringContaining('orderID "new-1"')]);
  });

  it('one errList, in the request order: a repeated orderID, a blocked number, a phone the caller found malformed', () => {
    const d = Driver.create();
    running(d);
    const before = d.sim.stats().orders;
    const list = [order('o0', 50), { ...order('b1', 51), userPhone: `${BLOCKED_PHONE_PREFIX}07` }, { ...order('m2', 52), userPhone: '12x' }, order('ok3', 53)];
    const body = { productID: 'callbot', userTaskID: 't', callInfoList: callInfoList(list) };
    const answer = d.sim.handle(U, 'addBatchCall', body, new Set([2])).body;
    expect(answer).toMatchObject({ retCode: RetCodes.Success.code, totalCount: 4, successCount: 1 });
    expect(answer.errList).toEqual([
      { phone: order('o0', 50).userPhone, errMsg: 'orderID "o0" is already in the task' },
      { phone: `${BLOCKED_PHONE_PREFIX}07`, errMsg: ERR_MSG.blocked },
      { phone: '12x', errMsg: ERR_MSG.badPhone },
    ]);
    expect(d.sim.stats().orders).toBe(before + 1);
  });

  it('an import whose every order is refused changes nothing (the undialed orders stay)', () => {
    const d = Driver.create();
    d.ok(U, 'createTask', { userTaskID: 't', sceneID: 's' });
    d.ok(U, 'addBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(2)) });
    const blocked = [{ ...order('x', 1), userPhone: `${BLOCKED_PHONE_PREFIX}01` }];
    const answer = d.ok(U, 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList(blocked) });
    expect(answer).toMatchObject({ totalCount: 1, successCount: 0, errList: [{ errMsg: ERR_MSG.blocked }] });
    expect(d.sim.stats().orders).toBe(2);
  });

  it('createTask and createAndCall refuse a userTaskID the account holds; another account may use it', () => {
    const d = Driver.create();
    d.ok(U, 'createTask', { userTaskID: 't', sceneID: 's' });
    refusedWith(d.call(U, 'createTask', { userTaskID: 't', sceneID: 's' }), RetCodes.InvalidParameterValue.code, 'userTaskID', '"t"');
    refusedWith(
      d.call(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(1)) }),
      RetCodes.InvalidParameterValue.code,
      'userTaskID',
    );
    d.ok('acct-2', 'createTask', { userTaskID: 't', sceneID: 's' });
    expect(d.tasks(U)).toHaveLength(1);
  });

  it.each([
    ['addBatchCall', { callInfoList: callInfoList(orders(1)) }],
    ['mgrTaskStatus', { taskOperate: 1 }],
    ['updateTask', { funcFlag: { taskKeep: true } }],
    ['listOrder', { options: {} }],
    ['listCall', { options: {} }],
    ['listOrderDetail', { orderList: ['o0'] }],
    ['stopOrder', { orderIDs: ['o0'] }],
    ['exportBatchCall', {}],
  ] as const)('%s on an unknown task is refused naming userTaskID', (operation, body) => {
    const d = Driver.create();
    refusedWith(d.call(U, operation, { userTaskID: 'nope', ...body }), RetCodes.InvalidParameterValue.code, 'userTaskID', '"nope"');
    expect(d.sim.stats().tasks).toBe(0);
  });

  it('importBatchCall on an unknown task creates it, running, scene mock-scene, no task callback URL', () => {
    const d = Driver.create();
    d.ok(U, 'importBatchCall', { userTaskID: 'fresh', callInfoList: callInfoList(orders(2)) });
    const [task] = d.tasks(U);
    expect([task!.userTaskID, task!.sceneID, task!.taskStatus]).toEqual(['fresh', 'mock-scene', 2]);
    const taskEvents = d.drain().filter((e) => e.kind === 'task');
    expect(taskEvents.map((e) => [e.url, (e.payload as any).taskStatus])).toEqual([['', 2]]);
  });

  it('a second import while the first is importing, and an export then, answer 1001; after importingSeconds they work', () => {
    const d = Driver.create({ importingSeconds: 10 });
    d.ok(U, 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(2)) });
    refusedWith(
      d.call(U, 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(2, 'x')) }),
      RetCodes.BatchImportInProgress.code,
      'userTaskID',
    );
    refusedWith(d.call(U, 'exportBatchCall', { userTaskID: 't' }), RetCodes.BatchImportInProgress.code, 'userTaskID');
    d.advance(10);
    expect(d.ok(U, 'exportBatchCall', { userTaskID: 't' }).totalCount).toBe(2);
  });

  it('importBatchCall opens a batch and drops only the undialed orders of the earlier ones; export lists the latest batch', () => {
    const d = Driver.create({
      importingSeconds: 0,
      dialer: { concurrency: 1, maxRounds: 1, redialDelaySeconds: 0, outcomes: { answered: 1, noAnswer: 0, busy: 0, rejected: 0, invalidNumber: 0 } },
    });
    d.ok(U, 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(3)) });
    d.advance(1); // o0 is dialing (concurrency 1); o1, o2 undialed
    const answer = d.ok(U, 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList([order('o2'), order('n1')]) });
    expect(answer.successCount).toBe(2); // o2 was dropped as undialed, so it may come back
    const listed = d.all(U, 'listOrder', 't').map((o) => o.orderID);
    expect(listed).toEqual(['o0', 'o2', 'n1']);
    const exported = d.ok(U, 'exportBatchCall', { userTaskID: 't' });
    expect(exported.callList.map((c: any) => c.orderID)).toEqual(['o2', 'n1']);
    expect(exported.batchID).not.toBe('');
  });

  it('mgrTaskStatus refuses a transition it does not allow, naming taskOperate and the current status', () => {
    const d = Driver.create();
    d.ok(U, 'createTask', { userTaskID: 't', sceneID: 's' });
    refusedWith(
      d.call(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 2 }),
      RetCodes.InvalidParameterValue.code,
      'taskOperate 2',
      'waiting',
      'taskStatus 1',
    );
    expect(d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 }).taskStatus).toBe(2);
    refusedWith(d.call(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 }), RetCodes.InvalidParameterValue.code, 'taskOperate 1', 'running');
    expect(d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 3 }).taskStatus).toBe(3); // no order: every order is finished
    refusedWith(d.call(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 3 }), RetCodes.InvalidParameterValue.code, 'taskOperate 3', 'completed');
    refusedWith(d.call(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 }), RetCodes.InvalidParameterValue.code, 'taskOperate 1', 'completed');
  });

  it('complete with orders not finished ends the task (4) and stops them; a call in progress ends normally', () => {
    const d = Driver.create({
      dialer: { concurrency: 1, maxRounds: 3, redialDelaySeconds: 30, outcomes: { answered: 0, noAnswer: 1, busy: 0, rejected: 0, invalidNumber: 0 } },
    });
    running(d, 't', 3);
    d.advance(1);
    expect(d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 3 }).taskStatus).toBe(4);
    d.advance(3600);
    const listed = d.all(U, 'listOrder', 't');
    expect(listed.every((o) => o.finish)).toBe(true);
    expect(d.all(U, 'listCall', 't')).toHaveLength(1); // only the call in progress was made
    expect(d.eventsOf(U, 't', 'order')).toHaveLength(1);
    refusedWith(
      d.call(U, 'addBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(1, 'late')) }),
      RetCodes.InvalidParameterValue.code,
      'userTaskID',
      'ended',
    );
  });

  it('delCall 1 drops the orders never dialed', () => {
    const d = Driver.create({
      dialer: { concurrency: 1, maxRounds: 1, redialDelaySeconds: 0, outcomes: { answered: 1, noAnswer: 0, busy: 0, rejected: 0, invalidNumber: 0 } },
    });
    running(d, 't', 4);
    d.advance(1);
    d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 2, delCall: 1 });
    expect(d.all(U, 'listOrder', 't').map((o) => o.orderID)).toEqual(['o0']);
  });

  it('updateTask is refused while running, naming the status; accepted while paused and effective after updateDelaySeconds', () => {
    const d = Driver.create({
      updateDelaySeconds: 300,
      dialer: { concurrency: 1, maxRounds: 1, redialDelaySeconds: 0, outcomes: { answered: 1, noAnswer: 0, busy: 0, rejected: 0, invalidNumber: 0 } },
    });
    running(d, 't', 40);
    refusedWith(
      d.call(U, 'updateTask', { userTaskID: 't', taskCreateSetting: { maxCall: 5 } }),
      RetCodes.InvalidParameterValue.code,
      'running',
      'taskStatus 2',
    );
    d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 2 });
    d.ok(U, 'updateTask', { userTaskID: 't', taskCreateSetting: { maxCall: 5 } });
    d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 });
    d.advance(1);
    expect(d.sim.stats().callsInProgress).toBe(1); // not yet: 300 s of virtual time to go
    d.advance(300, 1);
    expect(d.sim.stats().callsInProgress).toBe(5);
  });

  it('stopOrder: unknown and finished orders in errList, counts, irreversible; a stopped order is never dialed', () => {
    const d = Driver.create({
      dialer: { concurrency: 1, maxRounds: 1, redialDelaySeconds: 0, outcomes: { answered: 1, noAnswer: 0, busy: 0, rejected: 0, invalidNumber: 0 } },
    });
    running(d, 't', 3);
    d.advance(1);
    const answer = d.ok(U, 'stopOrder', { userTaskID: 't', orderIDs: ['o1', 'zz', 'o1'] });
    expect([answer.totalCount, answer.successCount]).toEqual([3, 1]);
    expect(answer.errList).toEqual([
      { orderID: 'zz', errMsg: expect.stringContaining('"zz"') },
      { orderID: 'o1', errMsg: expect.stringContaining('stopped') },
    ]);
    d.settle();
    const calledOrders = new Set(d.all(U, 'listCall', 't').map((c) => c.orderID));
    expect([...calledOrders].sort()).toEqual(['o0', 'o2']);
    expect(d.tasks(U)[0]!.taskStatus).toBe(3);
  });

  it('list pages are bounded: size above 1000 is refused naming size; listOrderDetail over 500 ids answers 4001', () => {
    const d = Driver.create();
    running(d);
    for (const operation of ['listOrder', 'listCall'] as const) {
      refusedWith(d.call(U, operation, { userTaskID: 't', options: {}, page: 1, size: 1001 }), RetCodes.InvalidParameterValue.code, 'size');
    }
    refusedWith(d.call(U, 'listTask', { page: 1, size: 5000, queryConditions: {} }), RetCodes.InvalidParameterValue.code, 'size');
    const detail = d.sim.handle(U, 'listOrderDetail', {
      productID: 'callbot',
      userTaskID: 't',
      orderList: Array.from({ length: 501 }, (_, i) => `o${i}`),
    }).body;
    refusedWith(detail, RetCodes.TooManyElements.code, 'orderList');
  });

  it('listOrderDetail omits unknown ids and lists a repeated id once', () => {
    const d = Driver.create();
    running(d);
    const answer = d.ok(U, 'listOrderDetail', { userTaskID: 't', orderList: ['o2', 'missing', 'o0', 'o2'] });
    expect(answer.orderDetailList.map((o: any) => o.orderID)).toEqual(['o2', 'o0']);
  });

  it('listTask filters by status, name (fuzzy), scene, ids and creation time', () => {
    const d = Driver.create();
    d.ok(U, 'createTask', { userTaskID: 'a', sceneID: 's1', taskCreateSetting: { taskName: '账单提醒 12月' } });
    d.advance(100);
    d.ok(U, 'createTask', { userTaskID: 'b', sceneID: 's2', taskCreateSetting: { taskName: 'other', startupType: 3 } });
    const ids = (q: object) => d.ok(U, 'listTask', { page: 1, size: 10, queryConditions: q }).taskData.map((t: any) => t.userTaskID);
    expect(ids({})).toEqual(['a', 'b']);
    expect(ids({ taskStatus: [2] })).toEqual(['b']);
    expect(ids({ taskName: ['账单'] })).toEqual(['a']);
    expect(ids({ sceneID: 's2' })).toEqual(['b']);
    expect(ids({ userTaskID: ['a', 'zz'] })).toEqual(['a']);
    expect(ids({ startTs: Math.floor(d.sim.now / 1000) })).toEqual(['b']);
    expect(ids({ endTs: Math.floor(d.sim.now / 1000) - 1 })).toEqual(['a']);
    expect(d.ok(U, 'listTask', { page: 2, size: 1, queryConditions: {} }).taskData.map((t: any) => t.userTaskID)).toEqual(['b']);
  });

  it('listOrder and listCall filters select by the (last) call', () => {
    const d = Driver.create({ seed: 7 });
    running(d, 't', 30);
    d.settle();
    const calls = d.all(U, 'listCall', 't');
    const answered = calls.filter((c) => c.callInfoDetail.callStatus === 1);
    expect(answered.length).toBeGreaterThan(0);
    expect(d.all(U, 'listCall', 't', { callStatus: [1] })).toEqual(answered);
    const long = calls.filter((c) => c.callInfoDetail.callDuration > 60 && c.callInfoDetail.callDuration < 120);
    expect(d.all(U, 'listCall', 't', { callDuration: { gt: 60, lt: 120, enable: true } })).toEqual(long);
    expect(d.all(U, 'listCall', 't', { callDuration: { gt: 60, lt: 120, enable: false } })).toEqual(calls);
    const first = calls[0]!.callInfoDetail.callStartTs;
    expect(d.all(U, 'listCall', 't', { startTs: first + 1 })).toEqual(calls.filter((c) => c.callInfoDetail.callStartTs >= first + 1));
    const tagged = calls.filter((c) => c.callInfoDetail.intents.some((i: any) => i.intentTag === 'A'));
    expect(d.all(U, 'listCall', 't', { intentTag: ['A'] })).toEqual(tagged);
    // turnTime: the dialogue turns behind each call, seen through the filter's exclusive bounds.
    const turnsOf = new Map<string, number>();
    for (let turns = 0; turns <= 20; turns += 1) {
      for (const c of d.all(U, 'listCall', 't', { turnTime: { gt: turns - 1, lt: turns + 1, enable: true } })) turnsOf.set(c.callInfoDetail.callID, turns);
    }
    expect(turnsOf.size).toBe(calls.length);
    for (const c of calls) expect(turnsOf.get(c.callInfoDetail.callID)! > 0).toBe(c.callInfoDetail.callStatus === 1);
    const byLevel = calls.filter((c) => c.callInfoDetail.intents.some((i: any) => i.intentLevel === 2));
    expect(d.all(U, 'listCall', 't', { intentLevel: [2] })).toEqual(byLevel);
    expect(d.all(U, 'listCall', 't', { intentID: ['i-02'], intentName: null })).toEqual(byLevel);
    const orders = d.all(U, 'listOrder', 't');
    expect(d.all(U, 'listOrder', 't', { intentName: ['考虑中'] })).toEqual(
      orders.filter((o) => o.callInfoDetail.intents.some((i: any) => i.intentName === '考虑中')),
    );
    expect(d.all(U, 'listOrder', 't', { turnTime: { lt: 1, enable: true } })).toEqual(orders.filter((o) => o.callInfoDetail.callStatus !== 1));
    expect(d.all(U, 'listOrder', 't', { orderID: ['o3', 'o1'] }).map((o) => o.orderID)).toEqual(['o1', 'o3']);
    expect(d.all(U, 'listOrder', 't', { callStatus: [1] })).toEqual(orders.filter((o) => o.callInfoDetail.callStatus === 1));
    expect(d.all(U, 'listOrder', 't', { finish: 0 })).toEqual([]);
  });
});

describe('simulator operations: zero delays', () => {
  it('updateDelaySeconds 0 applies an update at once', () => {
    const d = Driver.create({ updateDelaySeconds: 0 });
    d.ok(U, 'createTask', { userTaskID: 't', sceneID: 's', taskCreateSetting: { maxCall: 1 } });
    d.ok(U, 'addBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(10)) });
    d.ok(U, 'updateTask', { userTaskID: 't', taskCreateSetting: { maxCall: 4 } });
    d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 });
    expect(d.sim.stats().callsInProgress).toBe(4);
  });
});
