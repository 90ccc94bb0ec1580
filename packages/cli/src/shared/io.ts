// The process around a verb: its streams, environment and interrupts — the one IO every verb
// takes. main.ts builds the real one from `process` once (processIo there); tests pass their own
// (test/support/run-in-process.ts), so a verb runs in-process, its output captured and its
// interrupts triggered by hand. No verb module reads `process` itself (test/architecture.test.ts).

import type { Readable } from 'node:stream';

/** Where text goes: anything with `write`. */
export interface TextSink {
  write(text: string): unknown;
}

/** stdout or stderr: a stream (rows are piped with backpressure), maybe a terminal. */
export interface OutStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/** The two interrupts a verb answers (Ctrl-C; a polite kill). */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

export interface VerbIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /**
   * Calls `handler` on each interrupt (SIGINT and SIGTERM, or only `signals`) instead of the
   * default death, until the returned function is called. The one interrupt helper: verbs never
   * listen for signals themselves.
   */
  onInterrupt(handler: (signal: InterruptSignal) => void, signals?: readonly InterruptSignal[]): () => void;
  /**
   * Ends at once with `code` (a second interrupt, when waiting any longer is not wanted): nothing
   * after it runs. Every other end of a verb is its returned exit code.
   */
  exitNow(code: number): void;
}

/** What a verb's registration gets: the IO, and where its action leaves the exit code. */
export interface VerbRun {
  io: VerbIo;
  exitCode: number;
}

/**
 * `--json`: one JSON document on stdout, and nothing else there. C1 control characters (U+0080 to
 * U+009F), which JSON.stringify leaves raw and some terminals obey (U+009B starts an escape
 * sequence), are written as \u escapes: the same JSON, safe to print.
 */
export function printJson(io: Pick<VerbIo, 'stdout'>, value: unknown): void {
  const text = JSON.stringify(value, null, 2).replace(/[\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  io.stdout.write(`${text}\n`);
}
