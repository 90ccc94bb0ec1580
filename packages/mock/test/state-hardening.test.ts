import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbotClient, DEMO_ACCOUNT, RetCodes } from 'callbot-contract';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { MAX_VIRTUAL_MS } from '../src/simulator/api.js';
import { createSimulator, defaultSimulatorOptions } from '../src/simulator/world.js';
import { saveState, STATE_FILE_VERSION, StateFileError, stateFileWorld } from '../src/process/state-file.js';
import { lockFileOf } from '../src/process/state-lock.js';

// The state file and the stored world under attack: numbers in a state file that would stop the
// clock or make ids repeat, text that the item bounds do not see, and two mocks on one file.

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'callbot-state-hardening-'));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

let fileCount = 0;
const freshFile = () => join(folder, `world-${++fileCount}.json`);

/** A snapshot of a world in the middle of its calls (tasks, orders, calls in progress, actions, events). */
function liveSnapshot(): Record<string, any> {
  const sim = createSimulator(defaultSimulatorOptions(), Date.UTC(2026, 10, 25, 9));
  const cb = { orderCallbackUrl: 'http://127.0.0.1:9/order', callCallbackUrl: 'http://127.0.0.1:9/call' };
  const callList = Array.from({ length: 5 }, (_, i) => ({
    orderID: `o-${i}`,
    userPhone: `8615600000${i}00`,
    other: '',
    userName: '',
    customerName: '',
    params: [],
  }));
  sim.handle('acct', 'createAndCall', { productID: 'callbot', userTaskID: 't1', sceneID: 's', callInfoList: { ...cb, callList } });
  sim.advanceTo(sim.now + 5000);
  return structuredClone(sim.snapshot()) as Record<string, any>;
}

/** Opens `world` through the `--state` hook, as the mock does at start. */
async function open(file: string, world: unknown) {
  writeFileSync(file, JSON.stringify({ callbotMockState: STATE_FILE_VERSION, savedAt: new Date().toISOString(), world }));
  const opened = await stateFileWorld({ file, intervalMs: 60_000, onSaveError: () => {} })(
    () => createSimulator(defaultSimulatorOptions(), Date.now()),
    defaultSimulatorOptions(),
  );
  await opened.close?.();
  return opened;
}

describe('a state file whose numbers would break the world is refused, naming the file and the field', () => {
  const cases: [string, (w: Record<string, any>) => void, string][] = [
    ['now = 1e300 (the clock would stand still)', (w) => (w.now = 1e300), 'now'],
    ['now past the year 9999', (w) => (w.now = MAX_VIRTUAL_MS + 1), 'now'],
    ['a task created at 1e300', (w) => (w.accounts[0].tasks[0].createdAt = 1e300), 'accounts[0].tasks[0].createdAt'],
    ['a call that ends at 1e20', (w) => (w.accounts[0].tasks[0].orders[0].current.endAt = 1e20), 'accounts[0].tasks[0].orders[0].current.endAt'],
    ['an action due at 1e300', (w) => (w.actions[0].at = 1e300), 'actions[0].at'],
    ['a counter at 2^53 − 1 (the next id would repeat)', (w) => (w.counters.taskID = Number.MAX_SAFE_INTEGER), 'counters.taskID'],
    ['a sequence number at 2^53 − 1', (w) => (w.actions[0].seq = Number.MAX_SAFE_INTEGER), 'actions[0].seq'],
  ];
  it.each(cases)('%s', async (_, spoil, field) => {
    const world = liveSnapshot();
    expect(world.accounts[0].tasks[0].orders[0].current).not.toBeNull(); // the fixture has a call in progress
    spoil(world);
    const file = freshFile();
    const error = await open(file, world).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toContain(`--state ${file}: holds a world this callbot-mock cannot read (snapshot ${field}: must be`);
    expect(existsSync(lockFileOf(file)), 'the lock is released after a refusal').toBe(false);
  });

  it('the same world with sane numbers opens (the fixture is valid)', async () => {
    await expect(open(freshFile(), liveSnapshot())).resolves.toHaveProperty('simulator');
  });

  it('callbot-mock refuses to start on now = 1e300, naming the file and "now"', async () => {
    const file = freshFile();
    const world = liveSnapshot();
    world.now = 1e300;
    await saveState(file, world);
    const text = readFileSync(file, 'utf8');
    const error = await startMockProcess(['--speed', '0', '--quiet', '--state', file]).then(
      async (mock) => {
        await mock.stop();
        throw new Error('the mock started on a state file whose clock is 1e300');
      },
      (e: Error) => e,
    );
    expect(error.message).toMatch(/exited with code [1-9]\d* before listening/);
    expect(error.message).toContain(`--state ${file}`);
    expect(error.message).toContain('snapshot now: must be a time in milliseconds from 0 to');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('callbot-mock --max-stored-bytes (process)', () => {
  it('forgets the oldest tasks past the bound, and refuses a request that alone holds more (4001)', async () => {
    const mock = await startMockProcess(['--speed', '0', '--quiet', '--max-stored-bytes', '200000']);
    try {
      const callbot = createCallbotClient({ baseUrl: mock.url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey });
      for (let i = 0; i < 20; i++) await callbot.createTask({ userTaskID: `${i}-${'x'.repeat(30_000)}`, sceneID: 'scene-1001' });
      const { taskData = [] } = await callbot.listTasks({ page: 1, size: 100, queryConditions: {} });
      expect(taskData.length).toBeGreaterThan(0);
      expect(taskData.length).toBeLessThanOrEqual(6);
      const refused = await callbot
        .createTask({ userTaskID: 'y'.repeat(250_000), sceneID: 'scene-1001' })
        .catch((e: { retCode?: number; message: string }) => e);
      expect(refused).toMatchObject({ retCode: RetCodes.TooManyElements.code });
      expect((refused as Error).message).toContain('userTaskID: more text than the mock keeps');
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });
});

describe('one mock per --state file (process)', () => {
  // Each mock answers one request before the test goes on: a signal in the very moment after the
  // banner can come before the mock's handler is in place (it then dies without saving).
  const start = async (file: string) => {
    const mock = await startMockProcess(['--speed', '0', '--quiet', '--state', file]);
    await createCallbotClient({ baseUrl: mock.url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey }).ping();
    return mock;
  };
  const refusal = (file: string) =>
    start(file).then(
      async (mock) => {
        await mock.stop();
        throw new Error('a second mock started on a state file in use');
      },
      (e: Error) => e,
    );
  const stopWith = (mock: MockProcess, signal: NodeJS.Signals) =>
    new Promise<number | null>((resolve) => {
      mock.child.once('exit', (code) => resolve(code));
      mock.child.kill(signal);
    });

  it('a second mock on the same file is refused, naming the file and the first one’s PID; the file stays the first one’s', async () => {
    const file = freshFile();
    const first = await start(file);
    try {
      const error = await refusal(file);
      expect(error.message).toMatch(/exited with code [1-9]\d* before listening/);
      expect(error.message).toContain(`--state ${file}: is in use by another callbot-mock (pid ${first.child.pid},`);
      expect(error.message).toContain(`remove ${lockFileOf(file)} if it is no longer running`);
      // The first one is untouched and still owns the file.
      const callbot = createCallbotClient({ baseUrl: first.url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey });
      await callbot.createTask({ userTaskID: 'first-owner', sceneID: 'scene-1001' });
      expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8'))).toMatchObject({ pid: first.child.pid });
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(lockFileOf(file)), 'released on SIGTERM').toBe(false);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(JSON.stringify(saved.world)).toContain('first-owner');
  });

  it('SIGINT releases the lock too, and the next mock takes the file', async () => {
    const file = freshFile();
    const first = await start(file);
    expect(existsSync(lockFileOf(file))).toBe(true);
    expect(await stopWith(first, 'SIGINT')).toBe(0);
    expect(existsSync(lockFileOf(file))).toBe(false);
    const second = await start(file);
    expect(await second.stop()).toBe(0);
  });

  it('a lock left by a mock killed with SIGKILL is taken over (its PID is not running)', async () => {
    const file = freshFile();
    const first = await start(file);
    const deadPid = first.child.pid;
    await stopWith(first, 'SIGKILL');
    expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8'))).toMatchObject({ pid: deadPid });
    const second = await start(file);
    try {
      expect(JSON.parse(readFileSync(lockFileOf(file), 'utf8'))).toMatchObject({ pid: second.child.pid });
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(existsSync(lockFileOf(file))).toBe(false);
  });

  it('a lock held by a running process that is not a mock is respected (named), and a lock naming no owner is not taken', async () => {
    const file = freshFile();
    const lock = lockFileOf(file);
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-11-25T09:00:00.000Z', token: 'someone-else' }));
    expect((await refusal(file)).message).toContain(`is in use by another callbot-mock (pid ${process.pid}, since 2026-11-25T09:00:00.000Z)`);
    writeFileSync(lock, '');
    expect((await refusal(file)).message).toContain(`is locked: ${lock} exists but names no owner`);
    expect(readFileSync(lock, 'utf8')).toBe('');
    rmSync(lock);
  });
});
