import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/api.js';
import { restoreSimulator, SnapshotError } from '../../src/simulator/world.js';
import { callInfoList, Driver, options, orders } from './support.js';

// Same seed + same calls → same answers and events; a snapshot continues the same future.

const U = 'acct-1';

/** A fixed script in two halves; each step is a request or a clock move. */
const firstHalf = (d: Driver) => {
  d.call(U, 'createAndCall', { userTaskID: 'a', sceneID: 's', funcFlag: { smsEnable: true }, callInfoList: callInfoList(orders(40)) });
  d.call('acct-2', 'importBatchCall', { userTaskID: 'b', callInfoList: callInfoList(orders(25, 'b')) });
  d.advance(200, 7);
  d.call(U, 'stopOrder', { userTaskID: 'a', orderIDs: ['o30', 'o31', 'o0'] });
  d.call(U, 'mgrTaskStatus', { userTaskID: 'a', taskOperate: 2 });
  d.call(U, 'updateTask', { userTaskID: 'a', taskCreateSetting: { maxCall: 3 } });
};
const secondHalf = (d: Driver) => {
  d.advance(400, 13);
  d.call(U, 'mgrTaskStatus', { userTaskID: 'a', taskOperate: 1 });
  d.call('acct-2', 'addBatchCall', { userTaskID: 'b', callInfoList: callInfoList(orders(5, 'c')) });
  d.advance(3600, 61);
  d.call(U, 'listOrder', { userTaskID: 'a', options: {}, page: 2, size: 7 });
  d.call('acct-2', 'listCall', { userTaskID: 'b', options: { callStatus: [1] } });
  d.call(U, 'listTask', { page: 1, size: 10, queryConditions: {} });
};

function play(seed: number) {
  const d = Driver.create({ seed });
  firstHalf(d);
  secondHalf(d);
  return d;
}

describe('simulator determinism and snapshots', () => {
  it('the same seed and the same calls give identical events and answers', () => {
    const one = play(42);
    const two = play(42);
    expect(one.events.length).toBeGreaterThan(100);
    expect(two.events).toEqual(one.events);
    expect(two.answers).toEqual(one.answers);
    expect(play(43).events).not.toEqual(one.events);
  });

  it('snapshot → JSON → restoreSimulator continues with the same future as the original', () => {
    const original = Driver.create({ seed: 9 });
    firstHalf(original);
    original.sim.advanceTo(original.sim.now + 5_000); // leave calls in progress and events pending
    const text = JSON.stringify(original.sim.snapshot());
    const restored = new Driver(restoreSimulator(JSON.parse(text), options({ seed: 9 })));
    expect(restored.sim.stats()).toEqual(original.sim.stats());
    expect(original.sim.stats().callsInProgress).toBeGreaterThan(0);
    const before = original.events.length;
    secondHalf(original);
    secondHalf(restored);
    expect(restored.events).toEqual(original.events.slice(before));
    expect(restored.answers).toEqual(original.answers.slice(original.answers.length - restored.answers.length));
    expect(JSON.stringify(restored.sim.snapshot())).toBe(JSON.stringify(original.sim.snapshot()));
  });

  describe('a corrupt snapshot throws SnapshotError naming what is wrong', () => {
    const good = () => {
      const d = Driver.create();
      firstHalf(d);
      d.sim.advanceTo(d.sim.now + 3_000);
      return JSON.parse(JSON.stringify(d.sim.snapshot()));
    };
    const cases: [string, (s: any) => void, string][] = [
      ['another format', (s) => Object.assign(s, { format: 'x' }), 'format'],
      ['another version', (s) => Object.assign(s, { version: 99 }), 'version'],
      ['a bad clock', (s) => Object.assign(s, { now: 'soon' }), 'now'],
      ['a bad order state', (s) => (s.accounts[0].tasks[0].orders[3].state = 'lost'), 'accounts[0].tasks[0].orders[3].state'],
      ['a call index out of range', (s) => s.accounts[0].tasks[0].orders.find((o: any) => o.callIdx.length > 0).callIdx.push(999_999), 'callIdx'],
      [
        'a duplicate orderID',
        (s) => (s.accounts[0].tasks[0].orders[1].orderID = s.accounts[0].tasks[0].orders[0].orderID),
        'accounts[0].tasks[0].orders[1].orderID',
      ],
      ['a task status out of the enum', (s) => (s.accounts[1].tasks[0].status = 9), 'accounts[1].tasks[0].status'],
      ['a dialing order without its call', (s) => (s.accounts[0].tasks[0].orders.find((o: any) => o.state === 'dialing').current = null), '.current'],
      ['actions out of heap order', (s) => s.actions.reverse(), 'actions['],
      ['a call in progress without its end', (s) => (s.actions = s.actions.filter((a: any) => a.kind !== 'callEnd')), '.current.callID'],
      ['a missing counter', (s) => delete s.counters.call, 'counters.call'],
      ['an event without payload', (s) => (s.events[0].payload = null), 'events[0].payload'],
    ];
    it.each(cases)('%s', (_, corrupt, path) => {
      const snapshot = good();
      corrupt(snapshot);
      let error: unknown;
      try {
        restoreSimulator(snapshot, options());
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as Error).message).toContain(path);
    });
    it('not an object at all', () => {
      expect(() => restoreSimulator(null, options())).toThrow(SnapshotError);
      expect(() => restoreSimulator([], options())).toThrow(/snapshot \(root\): must be an object/);
    });
    it('the good snapshot restores (the cases above fail for their corruption only)', () => {
      const sim: Simulator = restoreSimulator(good(), options());
      expect(sim.stats().tasks).toBe(2);
    });
  });
});
