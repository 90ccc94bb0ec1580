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

export function registerMockCommand(program: Command, run: VerbRun): void {
  program
    .command('mock')
    .description('Run the local mock (the callbot-mock package, when installed); arguments go to callbot-mock')
    .helpOption(false)
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
}
