import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadState, saveState, STATE_FILE_VERSION, StateFileError, StateSaver, tempFileOf, watchChanges } from '../src/process/state-file.js';
import { resolveOptions } from '../src/process/options.js';
import { createSimulator, defaultSimulatorOptions, restoreSimulator } from '../src/simulator/world.js';

let folder: string;
let file: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'callbot-state-'));
  file = join(folder, 'world.json');
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(folder, { recursive: true, force: true });
});

const world = { version: 3, tasks: [{ userTaskID: 't1', orders: ['o1', 'o2'] }], now: 1_700_000_000_000 };

describe('loadState / saveState', () => {
  it('answers undefined when there is no file yet, and the saved world after a save', async () => {
    expect(await loadState(file)).toBeUndefined();
    await saveState(file, world, new Date('2026-01-02T03:04:05Z'));
    expect(await loadState(file)).toEqual(world);
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    expect(envelope).toEqual({ callbotMockState: STATE_FILE_VERSION, savedAt: '2026-01-02T03:04:05.000Z', world });
    // Nothing left beside it: the temp file was renamed.
    expect(readdirSync(folder)).toEqual(['world.json']);
  });

  it('replaces a previous save whole, and a stale temp file from a crash does not matter', async () => {
    await saveState(file, world);
    writeFileSync(tempFileOf(file), '{"half": '); // what a kill mid-write leaves
    await saveState(file, { ...world, now: 2 });
    expect(await loadState(file)).toEqual({ ...world, now: 2 });
    expect(existsSync(tempFileOf(file))).toBe(false);
  });

  const broken: [string, string, RegExp][] = [
    ['empty', '', /is empty/],
    ['not JSON', '{"callbotMockState": 1, "world": {', /is not valid JSON \(at position \d+/],
    ['another JSON file', '{"tasks": []}', /is not a callbot-mock state file/],
    ['an array', '[1, 2]', /is not a callbot-mock state file/],
    ['a newer version', '{"callbotMockState": 2, "world": {}}', /is state file version 2; this callbot-mock reads version 1/],
    ['no world', '{"callbotMockState": 1}', /"world" must be a JSON object/],
  ];
  for (const [what, text, problem] of broken) {
    it(`refuses ${what}, naming the file, and leaves it as it was`, async () => {
      writeFileSync(file, text);
      const error = await loadState(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StateFileError);
      expect((error as Error).message).toMatch(new RegExp(`^--state ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect((error as Error).message).toMatch(problem);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }

  it('never quotes the file in a JSON error (a world holds phone numbers)', async () => {
    writeFileSync(file, '{"callbotMockState": 1, "world": {"phone": 8615612345678x}}');
    await expect(loadState(file)).rejects.toThrow(/is not valid JSON/);
    await expect(loadState(file)).rejects.not.toThrow(/8615612345678/);
  });

  it('refuses a folder, a file over the bound, and an unreadable path', async () => {
    await expect(loadState(folder)).rejects.toThrow(`--state ${folder}: is not a regular file`);
    writeFileSync(file, JSON.stringify({ callbotMockState: 1, world: { pad: 'x'.repeat(100) } }));
    await expect(loadState(file, { maxBytes: 50 })).rejects.toThrow(/bytes, more than the 50 a state file may be/);
    await expect(loadState(join(file, 'below-a-file.json'))).rejects.toThrow(/cannot be read \(ENOTDIR\)/);
  });

  it('a save into a missing folder fails naming the file', async () => {
    const missing = join(folder, 'no-such-folder', 'world.json');
    await expect(saveState(missing, world)).rejects.toThrow(`--state ${missing}: cannot be saved (ENOENT)`);
  });
});

describe('StateSaver', () => {
  it('saves at the interval only when something changed, and once more on close', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let current = { n: 0 };
    const errors: Error[] = [];
    const saver = new StateSaver({ file, intervalMs: 1000, snapshot: () => current, onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(3000);
    expect(saver.saves).toBe(0); // nothing changed: nothing written
    expect(existsSync(file)).toBe(false);

    current = { n: 1 };
    saver.markChanged();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(saver.saves).toBe(1));
    expect(await loadState(file)).toEqual({ n: 1 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(saver.saves).toBe(1);

    current = { n: 2 };
    saver.markChanged();
    await saver.close();
    expect(saver.saves).toBe(2);
    expect(await loadState(file)).toEqual({ n: 2 });
    await saver.close(); // twice: nothing more
    expect(saver.saves).toBe(2);
    expect(errors).toEqual([]);
  });

  it('waits longer between saves when a save takes long (a tenth of the time at most)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let taken = 0;
    const snapshot = () => {
      taken += 1;
      vi.advanceTimersByTime(500); // taking this snapshot "took" 500 ms
      return { taken };
    };
    const saver = new StateSaver({ file, intervalMs: 1000, snapshot, onError: () => undefined });
    saver.markChanged();
    await vi.advanceTimersByTimeAsync(1000);
    expect(taken).toBe(1);
    // The save began 500 ms before `saving` (the snapshot's time) and ends (real I/O) while
    // waitFor polls, each poll moving the fake clock: the save took 500 ms and up to
    // `saved - saving` more, and the next is due ten times that after its end.
    const saving = performance.now();
    await vi.waitFor(() => expect(saver.saves).toBe(1)); // written, the next save scheduled
    const saved = performance.now();
    saver.markChanged();
    await vi.advanceTimersByTimeAsync(Math.max(0, saving + 4900 - performance.now()));
    expect(taken).toBe(1); // not after 1 s: after 10 × the last save's 500 ms
    await vi.advanceTimersByTimeAsync(saved + 10 * (saved - saving + 500) + 100 - performance.now());
    expect(taken).toBe(2);
    await saver.close();
  });

  it('close saves nothing when nothing changed', async () => {
    const saver = new StateSaver({ file, intervalMs: 1000, snapshot: () => ({}), onError: () => undefined });
    await saver.close();
    expect(saver.saves).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('saves asked for at once run one after the other, the last world last', async () => {
    let n = 0;
    const saver = new StateSaver({ file, intervalMs: 60_000, snapshot: () => ({ n: ++n }), onError: () => undefined });
    await Promise.all([saver.save(), saver.save(), saver.save()]);
    expect(saver.saves).toBe(3);
    expect(await loadState(file)).toEqual({ n: 3 });
    await saver.close();
  });

  it('a failed interval save is reported and tried again; the save on close throws', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const missing = join(folder, 'gone', 'world.json');
    const errors: Error[] = [];
    const saver = new StateSaver({ file: missing, intervalMs: 1000, snapshot: () => ({}), onError: (e) => errors.push(e) });
    saver.markChanged();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]!.message).toContain(missing);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(errors).toHaveLength(2)); // still changed: tried again
    await expect(saver.close()).rejects.toThrow(`--state ${missing}: cannot be saved`);
  });
});

describe('a simulated world through the state file', () => {
  it('comes back answering the same lists, and goes on as the original does', async () => {
    const options = defaultSimulatorOptions();
    const original = createSimulator(options, Date.UTC(2026, 10, 25, 9));
    const cb = { orderCallbackUrl: 'http://127.0.0.1:9/order', callCallbackUrl: 'http://127.0.0.1:9/call' };
    const callList = Array.from({ length: 30 }, (_, i) => ({
      orderID: `o-${i}`,
      userPhone: `86156${String(i).padStart(8, '0')}`,
      other: '',
      userName: '',
      customerName: '',
      params: [],
    }));
    expect(original.handle('acct', 'createTask', { productID: 'callbot', userTaskID: 't1', sceneID: 's1' }).body.retCode).toBe(0);
    expect(original.handle('acct', 'importBatchCall', { productID: 'callbot', userTaskID: 't1', callInfoList: { ...cb, callList } }).body.retCode).toBe(0);
    expect(original.handle('acct', 'mgrTaskStatus', { productID: 'callbot', userTaskID: 't1', taskOperate: 1 }).body.retCode).toBe(0);
    original.advanceTo(original.now + 90_000);
    expect(original.stats()).toMatchObject({ tasks: 1, orders: 30 });
    expect(original.stats().calls).toBeGreaterThan(0); // a world in the middle of its calls

    await saveState(file, original.snapshot());
    const restored = restoreSimulator(await loadState(file), options);
    const lists = (sim: typeof original) => [
      sim.handle('acct', 'listTask', { productID: 'callbot', page: 1, size: 10, queryConditions: {} }).body,
      sim.handle('acct', 'listOrder', { productID: 'callbot', userTaskID: 't1', options: {}, page: 1, size: 100 }).body,
      sim.handle('acct', 'listCall', { productID: 'callbot', userTaskID: 't1', options: {}, page: 1, size: 100 }).body,
    ];
    const withoutResponseID = (bodies: Record<string, unknown>[]) => bodies.map(({ responseID: _, ...rest }) => rest);
    expect(restored.now).toBe(original.now);
    expect(restored.stats()).toEqual(original.stats());
    expect(withoutResponseID(lists(restored))).toEqual(withoutResponseID(lists(original)));
    // The same seed and state: both play on alike.
    original.advanceTo(original.now + 3_600_000);
    restored.advanceTo(restored.now + 3_600_000);
    expect(restored.drainEvents().map((e) => e.payload)).toEqual(original.drainEvents().map((e) => e.payload));
  });

  it('watchChanges reports writes, clock moves and taken events, not reads', () => {
    const sim = createSimulator(defaultSimulatorOptions(), Date.UTC(2026, 10, 25, 9));
    let changes = 0;
    const watched = watchChanges(sim, () => changes++);
    watched.handle('acct', 'listTask', { productID: 'callbot', page: 1, size: 10, queryConditions: {} });
    watched.advanceTo(watched.now - 1); // not later: nothing moves
    expect(watched.drainEvents()).toEqual([]);
    expect(changes).toBe(0);
    watched.handle('acct', 'createTask', { productID: 'callbot', userTaskID: 't1', sceneID: 's1', taskCallbackUrl: 'http://127.0.0.1:9/t' });
    expect(changes).toBe(1);
    watched.advanceTo(watched.now + 1000);
    expect(changes).toBe(2);
    expect(watched.now).toBe(sim.now);
    expect(watched.snapshot()).toEqual(sim.snapshot());
  });
});

describe('stateFile in the mock options', () => {
  it('becomes the openWorld hook; with an openWorld of its own it is refused; resolving twice is fine', () => {
    const options = resolveOptions({ stateFile: file, stateIntervalMs: 500 });
    expect(options.openWorld).toBeTypeOf('function');
    expect(resolveOptions(options).openWorld).toBeTypeOf('function');
    expect(() => resolveOptions({ stateFile: file, openWorld: (fresh) => ({ simulator: fresh() }) })).toThrow('stateFile and openWorld: give one');
    expect(() => resolveOptions({ stateFile: '' })).toThrow('stateFile must be a file name');
    expect(() => resolveOptions({ stateFile: file, stateIntervalMs: 0 })).toThrow('stateIntervalMs must be an integer >= 1');
  });
});
