#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { runCallbot } from './callbot.js';
import type { InterruptSignal, VerbIo } from './shared/io.js';

// The `callbot` bin: the one place that reads `process`. It builds the verbs' IO from the
// process's streams, environment and signals, runs the arguments (callbot.ts) and leaves the
// exit code for Node to exit with once everything is written.

// fetch (undici) parses HTTP answers with a WebAssembly module. V8 compiles it at once with its
// baseline compiler and then again, in the background, with its optimising one, and Node waits
// for that second compile before the process exits: 100-400 ms of CPU at the end of every run
// that made a request, while the command reads a handful of answers at most. Baseline only.
setFlagsFromString('--liftoff-only');

const processIo: VerbIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  onInterrupt: (handler: (signal: InterruptSignal) => void, signals: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM']) => {
    for (const signal of signals) process.on(signal, handler);
    return () => {
      for (const signal of signals) process.off(signal, handler);
    };
  },
  exitNow: (code) => process.exit(code),
};

// A reader that goes away (`callbot listen --help | head -1`) makes the next write fail with
// EPIPE. A verb that writes to stdout listens for that itself (results/front.ts: it stops, its
// files tidied, exit 0); where none does, Node would print the error and a stack trace. Stop
// quietly there too, with the same 0.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (stream.listenerCount('error') === 1) process.exit(0);
  });
}

process.exitCode = await runCallbot(process.argv.slice(2), processIo);
