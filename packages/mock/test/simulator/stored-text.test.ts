import { RetCodes } from 'callbot-contract';
import { describe, expect, it } from 'vitest';
import { callInfoList, Driver, order, orders } from './support.js';

// The stored world is bounded in text too (maxStoredBytes), not only in items: 60 createTask
// requests with 16 MB userTaskIDs once kept a gigabyte. Past the bound the least recently used
// idle task is forgotten, as for maxTasks; a request that alone holds more is refused (4001)
// and changes nothing.

const U = 'acct-1';
const long = (n: number, c = 'x') => c.repeat(n);

/** The text the simulator's snapshot holds, as a check from outside: the length of its JSON. */
const snapshotChars = (d: Driver) => JSON.stringify(d.sim.snapshot()).length;

describe('simulator text bound (maxStoredBytes)', () => {
  it('tasks with long userTaskIDs: the oldest idle ones are forgotten, the kept text stays under the bound', () => {
    const d = Driver.create({ maxStoredBytes: 50_000 });
    for (let i = 0; i < 60; i++) d.ok(U, 'createTask', { userTaskID: `${i}-${long(4000)}`, sceneID: 's' });
    const kept = d.tasks(U).map((t) => t.userTaskID.split('-')[0]);
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThanOrEqual(12);
    expect(kept.at(-1)).toBe('59'); // the newest stays
    expect(d.sim.stats().tasks).toBe(kept.length);
    expect(snapshotChars(d)).toBeLessThan(50_000 + 10_000);
  });

  it('long names, params and settings count as well as ids', () => {
    const d = Driver.create({ maxStoredBytes: 100_000 });
    for (let t = 0; t < 20; t++) {
      const list = orders(5, `t${t}-`).map((o) => ({ ...o, userName: long(2000, '张'), params: [{ name: 'n', value: long(300) }] }));
      d.ok(U, 'createAndCall', { userTaskID: `t${t}`, sceneID: 's', taskCreateSetting: { taskName: long(1000) }, callInfoList: callInfoList(list) });
      d.advance(3600); // the calls end: the task is idle, and may be forgotten
    }
    expect(d.sim.stats().tasks).toBeLessThan(20);
    expect(d.tasks(U).map((t) => t.userTaskID)).toContain('t19');
  });

  it('a request holding more than the bound alone is refused (4001) naming its largest field, and changes nothing', () => {
    const d = Driver.create({ maxStoredBytes: 10_000 });
    d.ok(U, 'createTask', { userTaskID: 'kept', sceneID: 's' });
    // The world as it was, but for the answers' own counter (each refusal has a responseID).
    const world = () => {
      const { counters, ...rest } = d.sim.snapshot() as { counters: Record<string, number> };
      return { ...rest, counters: { ...counters, response: 0 } };
    };
    const before = world();
    const refused = d.call(U, 'createTask', { userTaskID: long(20_000), sceneID: 's' });
    expect(refused.retCode).toBe(RetCodes.TooManyElements.code);
    expect(refused.retMsg).toMatch(/^[^:]+: userTaskID: more text than the mock keeps \(20\d{3} characters in this request; maxStoredBytes 10000\)$/);
    const imported = d.call(U, 'importBatchCall', { userTaskID: 'kept', callInfoList: callInfoList([{ ...order('o1'), other: long(20_000) }]) });
    expect(imported).toMatchObject({ retCode: RetCodes.TooManyElements.code, totalCount: 0, successCount: 0 });
    expect(imported.retMsg).toContain('callInfoList.callList[0]');
    expect(world()).toEqual(before);
  });

  it('refuses a bound that is not a positive whole number', () => {
    expect(() => Driver.create({ maxStoredBytes: 0 })).toThrow(/maxStoredBytes/);
  });
});
