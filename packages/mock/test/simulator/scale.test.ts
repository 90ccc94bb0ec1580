import { describe, expect, it } from 'vitest';
import { callInfoList, checkOneTruth, Driver, orders } from './support.js';

// Whole tasks played in-process. Correctness only: timings belong in bench/.

const U = 'acct-1';

describe('simulator at scale', () => {
  it('plays a 10,000-order task to completion: every order finished, one order event each, the task event to completed', () => {
    const d = Driver.create({
      seed: 5,
      dialer: { concurrency: 200, maxRounds: 2, redialDelaySeconds: 60, outcomes: { answered: 60, noAnswer: 20, busy: 10, rejected: 5, invalidNumber: 5 } },
    });
    const answer = d.ok(U, 'createAndCall', { userTaskID: 'big', sceneID: 's', callInfoList: callInfoList(orders(10_000)) });
    expect(answer.successCount).toBe(10_000);
    for (let i = 0; i < 1000 && d.tasks(U)[0]!.taskStatus === 2; i += 1) d.advance(600);
    const [task] = d.tasks(U);
    expect(task!.taskStatus).toBe(3);
    expect(task!.taskStat.finishOrderCount).toBe(10_000);
    const orderEvents = d.eventsOf(U, 'big', 'order');
    expect(orderEvents).toHaveLength(10_000);
    expect(new Set(orderEvents.map((e) => (e.payload as { orderID: string }).orderID)).size).toBe(10_000);
    expect(d.eventsOf(U, 'big', 'task').map((e) => (e.payload as { taskStatus: number }).taskStatus)).toEqual([2, 3]);
    expect(d.eventsOf(U, 'big', 'call').length).toBe(task!.taskStat.totalCall);
    checkOneTruth(d, U);
  }, 120_000);

  it('pages listOrder over 100,000 orders: every page is the right slice, in insertion order', () => {
    const d = Driver.create({
      dialer: { concurrency: 10, maxRounds: 1, redialDelaySeconds: 0, outcomes: { answered: 1, noAnswer: 0, busy: 0, rejected: 0, invalidNumber: 0 } },
    });
    const list = orders(100_000);
    const body = { productID: 'callbot', userTaskID: 'huge', callInfoList: callInfoList(list) };
    expect(d.sim.handle(U, 'importBatchCall', body).body.successCount).toBe(100_000);
    d.advance(400); // some calls made: the first orders carry calls
    const seen: string[] = [];
    for (let page = 1; page <= 100; page += 1) {
      const answer = d.ok(U, 'listOrder', { userTaskID: 'huge', options: {}, page, size: 1000 });
      expect(answer.totalCount).toBe(100_000);
      expect(answer.orderList).toHaveLength(1000);
      seen.push(...answer.orderList.map((o: { orderID: string }) => o.orderID));
    }
    expect(seen).toEqual(list.map((o) => o.orderID));
    expect(d.ok(U, 'listOrder', { userTaskID: 'huge', options: {}, page: 101, size: 1000 }).orderList).toEqual([]);
    const middle = d.ok(U, 'listOrder', { userTaskID: 'huge', options: {}, page: 4001, size: 7 });
    expect(middle.orderList.map((o: { orderID: string }) => o.orderID)).toEqual(list.slice(28_000, 28_007).map((o) => o.orderID));
    const first = d.ok(U, 'listOrder', { userTaskID: 'huge', options: {}, page: 1, size: 10 }).orderList;
    expect(first.filter((o: { callInfoDetail: { callID: string } }) => o.callInfoDetail.callID !== '').length).toBeGreaterThan(0);
  }, 120_000);
});
