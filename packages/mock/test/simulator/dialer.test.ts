import { describe, expect, it } from 'vitest';
import type { DialerSettings } from '../../src/simulator/api.js';
import { callInfoList, Driver, orders } from './support.js';

// The dialer in virtual time: concurrency, rounds, outcomes, completion, the event bound.

const U = 'acct-1';
const only = (kind: keyof DialerSettings['outcomes']): DialerSettings['outcomes'] => ({
  answered: 0,
  noAnswer: 0,
  busy: 0,
  rejected: 0,
  invalidNumber: 0,
  [kind]: 1,
});
const dialer = (overrides: Partial<DialerSettings>): DialerSettings => ({
  concurrency: 4,
  maxRounds: 3,
  redialDelaySeconds: 30,
  outcomes: only('noAnswer'),
  ...overrides,
});

function callsPerOrder(d: Driver, userTaskID: string) {
  const counts = new Map<string, number>();
  for (const call of d.all(U, 'listCall', userTaskID)) counts.set(call.orderID, (counts.get(call.orderID) ?? 0) + 1);
  return [...counts.values()];
}

describe('simulator dialer', () => {
  it('never has more calls in progress than maxCall (or the default concurrency)', () => {
    for (const [settings, limit] of [
      [{}, 4],
      [{ maxCall: 2 }, 2],
    ] as const) {
      const d = Driver.create({ dialer: dialer({ outcomes: { answered: 1, noAnswer: 1, busy: 1, rejected: 0, invalidNumber: 0 } }) });
      d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', taskCreateSetting: settings, callInfoList: callInfoList(orders(30)) });
      let peak = 0;
      for (let i = 0; i < 3000 && d.tasks(U)[0]!.taskStatus === 2; i += 1) {
        peak = Math.max(peak, d.sim.stats().callsInProgress);
        d.advance(1);
      }
      expect(peak).toBe(limit);
      expect(d.tasks(U)[0]!.taskStatus).toBe(3);
    }
  });

  it('unanswered orders are redialed up to maxRounds, separated by redialDelaySeconds', () => {
    const d = Driver.create({ dialer: dialer({}) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(5)) });
    d.settle();
    expect(callsPerOrder(d, 't')).toEqual([3, 3, 3, 3, 3]);
    const byOrder = d
      .all(U, 'listCall', 't')
      .filter((c) => c.orderID === 'o0')
      .map((c) => c.callInfoDetail);
    for (let i = 1; i < byOrder.length; i += 1) expect(byOrder[i].callStartTs - byOrder[i - 1].callEndTs).toBeGreaterThanOrEqual(30);
  });

  it.each([
    ['roundRedial false', { funcFlag: { roundRedial: false } }],
    ['strategy 一拨一', { taskCreateSetting: { strategyName: '一拨一' } }],
  ])('%s → one call per order', (_, settings) => {
    const d = Driver.create({ dialer: dialer({}) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', ...settings, callInfoList: callInfoList(orders(5)) });
    d.settle();
    expect(callsPerOrder(d, 't')).toEqual([1, 1, 1, 1, 1]);
  });

  it('maxCallsPerOrder caps the rounds', () => {
    const d = Driver.create({ maxCallsPerOrder: 2, dialer: dialer({ maxRounds: 5 }) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(3)) });
    d.settle();
    expect(callsPerOrder(d, 't')).toEqual([2, 2, 2]);
  });

  it('an invalid number or an answered call finishes the order at once', () => {
    for (const kind of ['invalidNumber', 'answered'] as const) {
      const d = Driver.create({ dialer: dialer({ outcomes: only(kind) }) });
      d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(3)) });
      d.settle();
      expect(callsPerOrder(d, 't')).toEqual([1, 1, 1]);
      const calls = d.all(U, 'listCall', 't').map((c) => c.callInfoDetail);
      if (kind === 'answered') {
        for (const call of calls) {
          expect(call.callDuration).toBeGreaterThanOrEqual(10);
          expect(call.callDuration).toBeLessThanOrEqual(180);
          expect(call.callAnswerTs - call.callStartTs).toBeGreaterThanOrEqual(3);
          expect(call.callAnswerTs - call.callStartTs).toBeLessThanOrEqual(20);
          expect(call.intents).toHaveLength(1);
        }
      } else expect(calls.map((c) => c.hangupCause)).toEqual(['UNALLOCATED_NUMBER', 'UNALLOCATED_NUMBER', 'UNALLOCATED_NUMBER']);
    }
  });

  it('with funcFlag.taskKeep the task stays running when its orders are done; without it, it completes', () => {
    for (const taskKeep of [true, false]) {
      const d = Driver.create({ dialer: dialer({ outcomes: only('answered') }) });
      d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', funcFlag: { taskKeep }, callInfoList: callInfoList(orders(2)) });
      d.settle();
      expect(d.tasks(U)[0]!.taskStatus).toBe(taskKeep ? 2 : 3);
      // More orders: a kept task dials them; a completed one waits for a start.
      d.ok(U, 'addBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(2, 'more')) });
      d.settle();
      expect(d.all(U, 'listCall', 't')).toHaveLength(taskKeep ? 4 : 2);
      if (!taskKeep) {
        expect(d.tasks(U)[0]!.taskStatus).toBe(3);
        expect(d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 }).taskStatus).toBe(2);
        d.settle();
        expect(d.all(U, 'listCall', 't')).toHaveLength(4);
        expect(d.eventsOf(U, 't', 'task').map((e) => (e.payload as any).taskStatus)).toEqual([2, 3, 2, 3]);
      }
    }
  });

  it('a paused task dials nothing; a started one resumes', () => {
    const d = Driver.create({ dialer: dialer({ outcomes: only('answered'), concurrency: 1 }) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(3)) });
    d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 2 });
    d.advance(3600);
    expect(d.all(U, 'listCall', 't')).toHaveLength(1); // the call already in progress ends normally
    d.ok(U, 'mgrTaskStatus', { userTaskID: 't', taskOperate: 1 });
    d.settle();
    expect(d.all(U, 'listCall', 't')).toHaveLength(3);
  });

  it('no new call starts while maxPendingEvents events wait; draining lets the dialer go on', () => {
    const d = Driver.create({ maxPendingEvents: 3, dialer: dialer({ outcomes: only('answered'), concurrency: 1 }) });
    d.sim.handle(U, 'createAndCall', { productID: 'callbot', userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(10)) });
    d.sim.advanceTo(d.sim.now + 86_400_000);
    const stats = d.sim.stats();
    // task event (1) + call and order events of the first order (2) = 3: the dialer stopped there.
    expect([stats.pendingEvents, stats.calls, stats.callsInProgress]).toEqual([3, 1, 0]);
    d.drain();
    expect(d.sim.stats().callsInProgress).toBe(1);
    d.settle();
    expect(d.sim.stats().calls).toBe(10);
  });

  it("a call event says finish only for the order's last call; the order event follows it", () => {
    const d = Driver.create({ dialer: dialer({ outcomes: only('busy'), maxRounds: 2 }) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(1)) });
    d.settle();
    expect(d.eventsOf(U, 't').map((e) => [e.kind, (e.payload as any).finish ?? null, e.url])).toEqual([
      ['task', null, ''],
      ['call', false, 'http://127.0.0.1:9/call'],
      ['call', true, 'http://127.0.0.1:9/call'],
      ['order', true, 'http://127.0.0.1:9/order'],
      ['task', null, ''],
    ]);
  });
});

describe('simulator dialer: maxRingTime', () => {
  it('no call rings longer than maxRingTime; one answered later is not answered', () => {
    const d = Driver.create({ dialer: dialer({ outcomes: only('answered'), maxRounds: 1 }) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', taskCreateSetting: { maxRingTime: 8 }, callInfoList: callInfoList(orders(40)) });
    d.settle();
    const calls = d.all(U, 'listCall', 't').map((c) => c.callInfoDetail);
    expect(calls).toHaveLength(40);
    for (const call of calls) {
      const ring = (call.callStatus === 1 ? call.callAnswerTs : call.callEndTs) - call.callStartTs;
      expect(ring).toBeLessThanOrEqual(8);
    }
    const statuses = new Set(calls.map((c) => c.callStatus));
    expect([...statuses].sort()).toEqual([1, 2]); // rings 3–20 s drawn: some within 8 s, some not
  });
});

describe('simulator dialer: stop between rounds', () => {
  it('an order stopped while waiting for its next round is finished: its order event follows a call event that said finish false', () => {
    const d = Driver.create({ dialer: dialer({ outcomes: only('busy'), maxRounds: 3, redialDelaySeconds: 600 }) });
    d.ok(U, 'createAndCall', { userTaskID: 't', sceneID: 's', callInfoList: callInfoList(orders(1)) });
    d.advance(60); // the first call (busy) has ended; the next round is 600 s away
    d.ok(U, 'stopOrder', { userTaskID: 't', orderIDs: ['o0'] });
    d.settle();
    expect(d.eventsOf(U, 't').map((e) => [e.kind, (e.payload as any).finish ?? null])).toEqual([
      ['task', null],
      ['call', false],
      ['order', true],
      ['task', null],
    ]);
    expect(d.all(U, 'listOrder', 't')[0]!.finish).toBe(true);
    expect(d.all(U, 'listCall', 't')).toHaveLength(1);
  });
});
