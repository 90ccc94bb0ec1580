import { constants } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { invalidJsonProblem } from 'callbot-contract/internal';
import type { OpenWorld } from './options.js';
import type { SimOperation, Simulator } from './simulator/api.js';
import { restoreSimulator, SnapshotError } from './simulator/world.js';
import { acquireStateLock, type StateLock, StateLockedError } from './state-lock.js';

// `--state FILE`: the simulated world survives a restart, kept by one mock at a time (the file
// is locked: state-lock.ts). The file is replaced whole, never
// written in place (temp file beside it, fsync, rename, fsync of the folder), so a crash at
// any moment leaves the last good save. A file that cannot be read back is an error that
// names it and stops the mock: it is never silently replaced by an empty world.

/** The envelope's version: bumped when the envelope (not the world inside it) changes shape. */
export const STATE_FILE_VERSION = 1;
/** A state file larger than this is refused before it is read (about 4x the default bounds' world). */
export const MAX_STATE_FILE_BYTES = 512 * 1024 * 1024;

/** What is written: the simulator's snapshot (itself versioned) in a small envelope. */
interface StateEnvelope {
  callbotMockState: number;
  savedAt: string;
  world: unknown;
}

/** A state file that cannot be used; the message names the file and what is wrong with it. */
export class StateFileError extends Error {
  override name = 'StateFileError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`--state ${file}: ${problem}`);
  }
}

/** The world saved in `file`, or undefined when there is no file yet (the first start). */
export async function loadState(file: string, { maxBytes = MAX_STATE_FILE_BYTES } = {}): Promise<unknown> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new StateFileError(file, 'is not a regular file');
    if (info.size > maxBytes) throw new StateFileError(file, `is ${info.size} bytes, more than the ${maxBytes} a state file may be`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot be read (${code ?? (error as Error).message})`);
  }
  if (text.trim() === '') throw new StateFileError(file, 'is empty (not a callbot-mock state file); move it away to start with an empty world');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Never quote the text: a world holds phone numbers.
    throw new StateFileError(file, `${invalidJsonProblem(error) ?? 'is not valid JSON'}; move it away to start with an empty world`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('callbotMockState' in parsed)) {
    throw new StateFileError(file, 'is not a callbot-mock state file (no "callbotMockState" version); move it away to start with an empty world');
  }
  const envelope = parsed as Partial<StateEnvelope>;
  if (envelope.callbotMockState !== STATE_FILE_VERSION) {
    throw new StateFileError(file, `is state file version ${JSON.stringify(envelope.callbotMockState)}; this callbot-mock reads version ${STATE_FILE_VERSION}`);
  }
  if (!envelope.world || typeof envelope.world !== 'object' || Array.isArray(envelope.world)) {
    throw new StateFileError(file, '"world" must be a JSON object (the simulator\'s snapshot)');
  }
  return envelope.world;
}

/** The temp file a save writes before renaming it over `file` (one name: a crash leaves at most one). */
export function tempFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`);
}

/** Writes `world` to `file` atomically: temp file beside it, fsync, rename, fsync of the folder. */
export async function saveState(file: string, world: unknown, now: Date = new Date()): Promise<void> {
  const envelope: StateEnvelope = { callbotMockState: STATE_FILE_VERSION, savedAt: now.toISOString(), world };
  const text = JSON.stringify(envelope);
  const temp = tempFileOf(file);
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new StateFileError(file, `cannot be saved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  await syncFolder(dirname(file));
}

/** Makes the rename itself durable. Windows cannot open a folder for fsync: skipped there. */
async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP'].includes(code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

export interface StateSaverOptions {
  file: string;
  /** The world to save, taken when a save starts. */
  snapshot: () => unknown;
  /** Between two saves (when something changed); the timer never keeps the process alive. */
  intervalMs: number;
  /** A failed interval save (it is tried again at the next interval); the save on close throws instead. */
  onError: (error: Error) => void;
}

export const DEFAULT_STATE_INTERVAL_MS = 10_000;
/**
 * Taking and writing a snapshot blocks the event loop (a world of 100,000 orders: seconds): the
 * next interval save waits at least this many times as long as the last one took, so saving
 * never takes more than about a tenth of the mock's time, however big the world.
 */
export const SAVE_DUTY_FACTOR = 10;

/**
 * Saves the world every `intervalMs` (or longer: SAVE_DUTY_FACTOR) when `markChanged()` was
 * called since the last save, and once more on `close()`. Saves never overlap: one asked for
 * during a save follows it.
 */
export class StateSaver {
  private changed = false;
  private closed = false;
  /** The last save asked for: the next one starts after it (saves never overlap). */
  private tail: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastSaveMs = 0;
  /** Completed saves (for tests and the log). */
  saves = 0;

  constructor(private readonly options: StateSaverOptions) {
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(
      () => {
        if (!this.changed) return this.schedule();
        this.save().then(
          () => this.schedule(),
          (error: Error) => {
            this.options.onError(error);
            this.schedule();
          },
        );
      },
      Math.max(this.options.intervalMs, this.lastSaveMs * SAVE_DUTY_FACTOR),
    );
    this.timer.unref();
  }

  /** Something in the world changed: the next interval saves it. */
  markChanged(): void {
    this.changed = true;
  }

  /** Saves now (after a save in progress, if any). */
  save(): Promise<void> {
    const run = this.tail.then(() => this.write());
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    const started = performance.now();
    this.changed = false;
    try {
      await saveState(this.options.file, this.options.snapshot());
      this.saves += 1;
    } catch (error) {
      this.changed = true; // not saved: the next interval (or close) tries again
      throw error;
    } finally {
      this.lastSaveMs = performance.now() - started;
    }
  }

  /** Stops the timer and saves a last time if anything changed since the last save. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.tail;
    if (this.changed) await this.save();
  }
}

/** Operations that only read the world: answering them changes nothing worth saving. */
const READ_ONLY: ReadonlySet<SimOperation> = new Set(['listTask', 'listOrder', 'listOrderDetail', 'listCall', 'exportBatchCall']);

/**
 * The same simulator, telling `onChange` whenever the world may have changed (a request that
 * writes, the clock moving forward, events taken): what a `StateSaver` needs to know.
 */
export function watchChanges(simulator: Simulator, onChange: () => void): Simulator {
  return {
    get now() {
      return simulator.now;
    },
    handle(uuid, operation, body) {
      const answer = simulator.handle(uuid, operation, body);
      if (!READ_ONLY.has(operation)) onChange();
      return answer;
    },
    advanceTo(time) {
      const before = simulator.now;
      simulator.advanceTo(time);
      if (simulator.now !== before) onChange();
    },
    drainEvents(max) {
      const events = simulator.drainEvents(max);
      if (events.length > 0) onChange();
      return events;
    },
    stats: () => simulator.stats(),
    snapshot: () => simulator.snapshot(),
  };
}

/** Takes the file's lock (state-lock.ts): a second mock on the same file is refused, naming the owner's PID. */
function lockStateFile(file: string): StateLock {
  try {
    return acquireStateLock(file);
  } catch (error) {
    if (error instanceof StateLockedError) throw new StateFileError(file, error.message);
    throw new StateFileError(file, `cannot be locked (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The `openWorld` hook of `--state FILE` (MockOptions.stateFile): the file is locked for this mock
 * alone (refused when another holds it), the world is restored from it when it exists (its seed
 * and clock), otherwise a new one is saved to it at once (so that an unwritable path stops the
 * mock at start, not at its first save). While the mock runs, a StateSaver writes it when it
 * changed; on close, once more, and then the lock is released.
 */
export function stateFileWorld(state: { file: string; intervalMs: number; onSaveError: (error: Error) => void }): OpenWorld {
  return async (fresh, simulatorOptions) => {
    const { file } = state;
    const lock = lockStateFile(file);
    try {
      const snapshot = await loadState(file);
      let world: Simulator;
      try {
        world = snapshot === undefined ? fresh() : restoreSimulator(snapshot, simulatorOptions);
      } catch (error) {
        if (!(error instanceof SnapshotError)) throw error;
        throw new StateFileError(file, `holds a world this callbot-mock cannot read (${error.message}); move it away to start with an empty world`);
      }
      const saver = new StateSaver({ file, intervalMs: state.intervalMs, snapshot: () => world.snapshot(), onError: state.onSaveError });
      if (snapshot === undefined) await saver.save();
      const close = async () => {
        try {
          await saver.close();
        } finally {
          lock.release();
        }
      };
      return { simulator: watchChanges(world, () => saver.markChanged()), close };
    } catch (error) {
      lock.release();
      throw error;
    }
  };
}
