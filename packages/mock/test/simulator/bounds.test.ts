import { RetCodes } from 'callbot-contract';
import { describe, expect, it } from 'vitest';
import { callInfoList, checkOneTruth, Driver, orders } from './support.js';

// The stored world is bounded: past maxTasks / maxStoredOrders the least recently used idle task
// is forgotten whole (never a count silently wrong); what cannot fit is refused.

const U = 'acct-1';

describe('simulator bounds', () => {
  it('past maxTasks the least recently used idle task is forgotten, not a running one', () => {
    const d = Driver.create({ maxTasks: 3 });
    d.ok(U, 'createTask', { userTaskID: 'idle-old', sceneID: 's' });
    d.ok(U, 'createAndCall', { userTaskID: 'running', sceneID: 's', callInfoList: callInfoList(orders(50)) });
    d.ok(U, 'createTask', { userTaskID: 'idle-new', sceneID: 's' });
    d.ok(U, 'listOrder', { userTaskID: 'running', options: {} }); // used last, but running anyway
    d.ok(U, 'createTask', { userTaskID: 'fourth', sceneID: 's' });
    expect(d.tasks(U).map((t) => t.userTaskID)).toEqual(['running', 'idle-new', 'fourth']);
    d.advance(600);
    checkOneTruth(d, U);
  });

  it('past maxStoredOrders other tasks are forgotten; a list that cannot fit at all answers 4001 and changes nothing', () => {
    const d = Driver.create({ maxStoredOrders: 10 });
    d.ok(U, 'createTask', { userTaskID: 'a', sceneID: 's' });
    d.ok(U, 'addBatchCall', { userTaskID: 'a', callInfoList: callInfoList(orders(6)) });
    d.ok(U, 'createTask', { userTaskID: 'b', sceneID: 's' });
    d.ok(U, 'addBatchCall', { userTaskID: 'b', callInfoList: callInfoList(orders(6)) });
    expect(d.tasks(U).map((t) => t.userTaskID)).toEqual(['b']);
    const refused = d.call(U, 'addBatchCall', { userTaskID: 'b', callInfoList: callInfoList(orders(5, 'x')) });
    expect(refused.retCode).toBe(RetCodes.TooManyElements.code);
    expect(refused.retMsg).toContain('callInfoList.callList');
    expect(d.tasks(U)[0]!.taskStat.totalOrderCount).toBe(6);
    expect(d.sim.stats().orders).toBe(6);
  });

  it('a forgotten task with calls in progress leaves no stray event and no wrong count', () => {
    const d = Driver.create({ maxTasks: 1 });
    d.ok(U, 'createAndCall', { userTaskID: 'a', sceneID: 's', callInfoList: callInfoList(orders(5)) });
    d.advance(1);
    d.ok('acct-2', 'createTask', { userTaskID: 'b', sceneID: 's' }); // no idle task: the running one goes
    const before = d.events.length;
    d.advance(3600);
    expect(d.events.slice(before)).toEqual([]);
    expect(d.sim.stats()).toMatchObject({ tasks: 1, orders: 0, calls: 0, callsInProgress: 0 });
  });
});
