import { Readable, Writable } from 'node:stream';
import { runCallbot } from '../../src/callbot.js';
import type { InterruptSignal, VerbIo } from '../../src/shared/io.js';
import { type CliRun, freshDir } from './run-cli.js';

// `callbot ARGS` run in this process (src/callbot.ts's runCallbot) on a captured IO: what a
// spawned run (run-cli.ts) shows — exit code, stdout, stderr — without starting Node, loading the
// bundle and the contract again for every run. Same conditions as runCli: stdin a pipe (ended, or
// given `input`), stdout and stderr not terminals (unless `tty`), CALLBOT_* variables of the
// surrounding shell removed and NO_COLOR set. The working directory is `cwd` (a fresh one by
// default) for the length of the run, as a spawned run's would be; relative paths resolve there.
// Interrupts are triggered by hand (`interrupt`); a real signal, a kill and the bins stay with
// run-cli.ts.

/** A stream that keeps what is written to it, as text. */
class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  constructor(tty: boolean) {
    super({ decodeStrings: false });
    if (tty) this.isTTY = true;
  }
  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}

export interface InProcessOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  /** stdout and stderr are terminals (isTTY). */
  tty?: boolean;
}

export interface TestIo {
  io: VerbIo;
  stdout(): string;
  stderr(): string;
  /** Calls the handlers the verb registered for `signal`, as the process would on a signal. */
  interrupt(signal: InterruptSignal): void;
  /** Resolves with the code of io.exitNow, if the verb calls it. */
  exited: Promise<number>;
}

/** An IO whose output is captured and whose interrupts are triggered by hand. */
export function testIo(options: Omit<InProcessOptions, 'cwd'> = {}): TestIo {
  const stdout = new Capture(Boolean(options.tty));
  const stderr = new Capture(Boolean(options.tty));
  const handlers = new Set<{ handler: (signal: InterruptSignal) => void; signals: readonly InterruptSignal[] }>();
  let exitNow: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    exitNow = resolve;
  });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CALLBOT_')));
  const io: VerbIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    env: { ...inherited, NO_COLOR: '1', ...options.env },
    onInterrupt(handler, signals = ['SIGINT', 'SIGTERM']) {
      const entry = { handler, signals };
      handlers.add(entry);
      return () => handlers.delete(entry);
    },
    exitNow: (code) => exitNow(code),
  };
  return {
    io,
    stdout: () => stdout.text,
    stderr: () => stderr.text,
    interrupt(signal) {
      for (const entry of [...handlers]) if (entry.signals.includes(signal)) entry.handler(signal);
    },
    exited,
  };
}

/** The working directory the runs under way share (runs in another one wait for them to end). */
let current: { cwd: string; before: string; users: number; released: Promise<void>; release: () => void } | undefined;

/** Runs `fn` with the process's working directory set to `cwd`; runs in the same directory may overlap. */
async function inDirectory<T>(cwd: string, fn: () => Promise<T>): Promise<T> {
  while (current && current.cwd !== cwd) await current.released;
  if (!current) {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    current = { cwd, before: process.cwd(), users: 0, released, release };
    process.chdir(cwd);
  }
  const mine = current;
  mine.users += 1;
  try {
    return await fn();
  } finally {
    mine.users -= 1;
    if (mine.users === 0) {
      process.chdir(mine.before);
      current = undefined;
      mine.release();
    }
  }
}

export interface LiveVerb extends TestIo {
  /** Resolves once `text` (or a match of the pattern) appears on stderr. */
  waitForStderr(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the verb has ended (returned, or called exitNow). */
  done: Promise<CliRun>;
}

/** Starts `callbot ARGS` in-process and hands it over while it runs (for interrupts, and stderr as it comes). */
export function startInProcess(args: string[], options: InProcessOptions = {}): LiveVerb {
  const test = testIo(options);
  const ended = inDirectory(options.cwd ?? freshDir(), () => Promise.race([runCallbot(args, test.io), test.exited]));
  const done = ended.then((code) => ({ code, stdout: test.stdout(), stderr: test.stderr() }));
  const waitForStderr = async (pattern: string | RegExp, timeoutMs = 20_000) => {
    const found = () => (typeof pattern === 'string' ? test.stderr().includes(pattern) : pattern.test(test.stderr()));
    const deadline = Date.now() + timeoutMs;
    let over = false;
    const end = () => {
      over = true;
    };
    ended.then(end, end);
    while (!found()) {
      if (over) throw new Error(`the verb ended before stderr showed ${String(pattern)}; it has:\n${test.stderr()}`);
      if (Date.now() > deadline) throw new Error(`stderr never showed ${String(pattern)}; it has:\n${test.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { ...test, waitForStderr, done };
}

/** `callbot ARGS` in-process: resolves with its exit code and what it wrote (as runCli does for the bin). */
export function runInProcess(args: string[], options: InProcessOptions = {}): Promise<CliRun> {
  return startInProcess(args, options).done;
}

/** A running verb, in-process or the bin as a process: what a test that stops it needs. */
export interface RunningVerb {
  stderr(): string;
  waitForStderr(pattern: string | RegExp): Promise<void>;
  /** An interrupt: triggered in-process; a real signal to a process. */
  stop(signal: InterruptSignal): void;
  done: Promise<CliRun>;
  /** It has ended (returned, exited). */
  ended: boolean;
}

/** Adds `live` to `running` and notes when it ends. */
export function tracked(running: Set<RunningVerb>, live: Omit<RunningVerb, 'ended'>): RunningVerb {
  const verb: RunningVerb = { ...live, ended: false };
  const end = () => {
    verb.ended = true;
  };
  verb.done.then(end, end);
  running.add(verb);
  return verb;
}

/** `callbot ARGS` in-process, added to `running`. */
export function runningInProcess(running: Set<RunningVerb>, args: string[], options: InProcessOptions = {}): RunningVerb {
  const verb = startInProcess(args, options);
  return tracked(running, { stderr: verb.stderr, waitForStderr: verb.waitForStderr, stop: verb.interrupt, done: verb.done });
}

/** For afterEach: stops what is still running (two interrupts: at once) and forgets them all. */
export async function stopAll(running: Set<RunningVerb>): Promise<void> {
  for (const verb of running) {
    if (verb.ended) continue;
    verb.stop('SIGINT');
    verb.stop('SIGINT');
    await verb.done.catch(() => {});
  }
  running.clear();
}
