import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { VERB_EXIT } from '../shared/exit.js';
import type { VerbRun } from '../shared/io.js';

// `callbot mock`: a pointer to the `callbot-mock` command. The mock is a package of its own
// (callbot-mock) so that installing the command never installs Prism; when callbot-mock is
// installed next to this package, `callbot mock ARGS` runs it with the same arguments.

const INSTALL_HINT =
  'callbot mock: the mock is the separate package callbot-mock, which is not installed here.\n' +
  '  Install it next to callbot-cli (a development dependency is enough):  npm install --save-dev callbot-mock\n' +
  '  then run `callbot mock` or `npx callbot-mock` (see `callbot-mock --help`).\n';

/** The path of callbot-mock's bin script, or undefined when the package cannot be found. */
export function findMockBin(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('callbot-mock/package.json');
    return join(dirname(manifest), 'dist', 'bin.js');
  } catch {
    return undefined;
  }
}

const TAIL_HELP = `
Each line: time (UTC), kind (call, order, task), task and order, URL, status (retrying: this
attempt failed and another follows; delivered; failed: given up; skipped: host not allowed) with
the receiver's HTTP status, attempt N of M, how long the attempt took, the error.
With --json: the mock's own lines (JSON Lines), heartbeats left out; see callbot-mock's README,
"GET /__mock/callbacks?follow=1".

Exit codes:
  0  ended by Ctrl-C, or the mock closed
  1  usage error (--base-url is not a URL)
  3  no mock answers at the URL, it does not stream the callback log, or the stream broke off`;

/** \`callbot mock tail\`: follows a running mock's callback log (mock-tail/, loaded when it runs). */
function registerTail(mock: Command, run: VerbRun): void {
  mock
    .command('tail')
    .description('Print each callback delivery of a running mock as it happens (GET /__mock/callbacks?follow=1): status, retries, time')
    .helpOption('-h, --help', 'display help for command')
    .allowExcessArguments(false)
    .option('--base-url <url>', 'the mock [env CALLBOT_BASE_URL] (default: the local mock, http://127.0.0.1:4010)')
    .option('--json', 'print the JSON lines as the mock sends them (one per delivery attempt)')
    .addHelpText('after', TAIL_HELP)
    .action(async (flags: { baseUrl?: string; json?: boolean }) => {
      const { runMockTail } = await import('../mock-tail/tail.js');
      run.exitCode = await runMockTail(flags, run.io);
    });
}

export function registerMockCommand(program: Command, run: VerbRun): void {
  const mock = program
    .command('mock')
    .description('Run the local mock (the callbot-mock package, when installed); arguments go to callbot-mock')
    .usage('[args...] | tail [--base-url URL] [--json]')
    .helpOption(false)
    .helpCommand(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'arguments for callbot-mock (try `callbot mock --help`)')
    .action(async (args: string[]) => {
      const bin = findMockBin();
      if (!bin) {
        run.io.stderr.write(INSTALL_HINT);
        run.exitCode = VERB_EXIT.usage;
        return;
      }
      // The mock runs on the same Node as this command (execPath), on the terminal's own streams.
      const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit' });
      // The child gets the terminal's Ctrl-C itself; this process only waits and passes on the result.
      const stopListening = run.io.onInterrupt((signal) => {
        if (signal === 'SIGTERM') child.kill('SIGTERM');
      });
      run.exitCode = await new Promise<number>((resolve) => {
        child.on('exit', (code, signal) => {
          stopListening();
          resolve(code ?? (signal ? 1 : 0));
        });
      });
    });
  registerTail(mock, run);
}
