import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallbotClient, createCallbotClient, DEMO_ACCOUNT } from 'callbot-contract';
import { type CallbackReceiver, startCallbackReceiver } from 'callbot-test-kit/callback-receiver';
import { advanceClock, readClock } from 'callbot-test-kit/mock-clock';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { defaultSimulatorOptions, restoreSimulator } from '../src/simulator/world.js';
import { loadState } from '../src/process/state-file.js';

// `--state FILE` with the mock as users start it (a process): the world survives a restart, a
// broken file stops the mock naming the file, and a kill at any moment leaves the last good save.

let folder: string;
let receiver: CallbackReceiver;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'callbot-state-process-'));
  receiver = await startCallbackReceiver(DEMO_ACCOUNT);
});
afterAll(async () => {
  await receiver?.close();
  rmSync(folder, { recursive: true, force: true });
});

const clientOf = (mock: MockProcess) => createCallbotClient({ baseUrl: mock.url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey });

const callList = (count: number, prefix = 'o') =>
  Array.from({ length: count }, (_, i) => ({
    orderID: `${prefix}-${i}`,
    userPhone: `86156${String(i).padStart(8, '0')}`,
    other: `${prefix}-${i}`,
    userName: '张伟',
    customerName: '',
    params: [],
  }));

/** What the vendor's lists say about a task, without the per-answer responseID. */
async function lists(callbot: CallbotClient, userTaskID: string) {
  const strip = <T extends { responseID?: string; requestID?: string }>({ responseID: _r, requestID: _q, ...rest }: T) => rest;
  return {
    tasks: strip(await callbot.listTasks({ page: 1, size: 100, queryConditions: {} })),
    orders: strip(await callbot.listOrders({ userTaskID, options: {}, page: 1, size: 100 })),
    calls: strip(await callbot.listCalls({ userTaskID, options: {}, page: 1, size: 100 })),
  };
}

describe('callbot-mock --state FILE (process)', () => {
  it('a world saved on SIGTERM comes back on restart: the same clock and the same lists', async () => {
    const file = join(folder, 'world.json');
    const first = await startMockProcess(['--speed', '0', '--quiet', '--state', file]);
    let before: Awaited<ReturnType<typeof lists>>;
    let clockBefore: number;
    const userTaskID = 'kept-task';
    try {
      const callbot = clientOf(first);
      await callbot.createTask({ userTaskID, sceneID: 'scene-1001', taskCallbackUrl: `${receiver.url}/task` });
      await callbot.importBatchCall({
        userTaskID,
        callInfoList: { orderCallbackUrl: `${receiver.url}/order`, callCallbackUrl: `${receiver.url}/call`, callList: callList(20) },
      });
      await callbot.startTask(userTaskID);
      clockBefore = (await advanceClock(first.url, 150)).now;
      before = await lists(callbot, userTaskID);
      expect(before.calls.callList?.length).toBeGreaterThan(0); // mid-campaign: calls made…
      expect(before.orders.orderList?.some((o) => !o.finish)).toBe(true); // …and orders still to finish
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output()).not.toMatch(/error/i);
    // The banner names the state file and says how to play a task through (copy-paste commands).
    expect(first.output()).toContain(`state:     ${file} (saved every 10 s when changed, and on exit)`);
    expect(first.output()).toContain(`curl -s -X POST ${first.url}/__mock/clock -H 'content-type: application/json' -d '{"advance": 600, "settle": true}'`);
    expect(first.output()).toContain(`CALLBOT_BASE_URL=${first.url} npm run demo`);
    expect(existsSync(file)).toBe(true);

    const second = await startMockProcess(['--speed', '0', '--quiet', '--state', file]);
    try {
      expect((await readClock(second.url)).now).toBe(clockBefore);
      expect(await lists(clientOf(second), userTaskID)).toEqual(before);
      // And it plays on from there.
      await advanceClock(second.url, 24 * 3600);
      const after = await lists(clientOf(second), userTaskID);
      expect(after.orders.orderList?.every((o) => o.finish)).toBe(true);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  const broken: [string, string, RegExp][] = [
    ['not JSON', '{"callbotMockState": 1, "world": {', /is not valid JSON/],
    ['another version', '{"callbotMockState": 9, "world": {}}', /version 9/],
    ['a world the simulator cannot read', '{"callbotMockState": 1, "world": {"format": "something else"}}', /holds a world this callbot-mock cannot read/],
  ];
  for (const [what, text, problem] of broken) {
    it(`refuses to start on ${what}, naming the file, and leaves the file as it was`, async () => {
      const file = join(folder, `broken-${what.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, text);
      const error = await startMockProcess(['--speed', '0', '--quiet', '--state', file]).then(
        (mock) => {
          void mock.stop();
          throw new Error('the mock started on a broken state file');
        },
        (e: Error) => e,
      );
      expect(error.message).toMatch(/exited with code [1-9]\d* before listening/);
      expect(error.message).toContain(file);
      expect(error.message).toMatch(problem);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }

  it('killed (SIGKILL) while it saves often, the file is a whole save the simulator restores', async () => {
    const file = join(folder, 'killed.json');
    const mock = await startMockProcess(['--speed', '0', '--quiet', '--state', file, '--state-interval-ms', '20']);
    const callbot = clientOf(mock);
    const cb = { orderCallbackUrl: `${receiver.url}/order`, callCallbackUrl: `${receiver.url}/call` };
    // A world big enough that a save takes a while: the kill lands in the middle of one more often than not.
    for (let t = 0; t < 4; t++) {
      await callbot.createTask({ userTaskID: `big-${t}`, sceneID: 'scene-1001' });
      await callbot.importBatchCall({ userTaskID: `big-${t}`, callInfoList: { ...cb, callList: callList(5000, `t${t}`) } });
      await callbot.startTask(`big-${t}`);
    }
    // Keep the world changing, then kill it without warning.
    for (let round = 0; round < 10; round++) await advanceClock(mock.url, 30);
    mock.child.kill('SIGKILL');
    await new Promise((resolve) => mock.child.once('exit', resolve));

    const world = await loadState(file); // whole JSON in a known envelope, never half a file
    expect(world).toBeDefined();
    const restored = restoreSimulator(world, defaultSimulatorOptions());
    expect(restored.stats().tasks).toBeGreaterThanOrEqual(1);
  });
});
