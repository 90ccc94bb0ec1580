import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { VERB_EXIT } from '../shared/exit.js';
import { createRequire } from 'node:module';
import { platform } from 'node:os';
import { dirname, join } from 'node:path';
import { MOCK_DEFAULT_BASE_URL } from 'callbot-contract';
import type { VerbIo, VerbRun } from '../shared/io.js';

// `callbot docs`: where the offline API docs are. The docs site ships with callbot-mock (it
// serves them too); the bundled spec ships with callbot-contract. Printing paths always works
// (also on a server without a browser); --open tries the desktop's opener and never fails
// because of it.

const require = createRequire(import.meta.url);

function docsFile(): string | undefined {
  try {
    return join(dirname(require.resolve('callbot-mock/package.json')), 'docs', 'index.html');
  } catch {
    return undefined;
  }
}

export function registerDocsCommand(program: Command, run: VerbRun): void {
  const { io } = run;
  program
    .command('docs')
    .description('Print the path of the offline API docs (shipped with callbot-mock) and of the spec; --open opens the docs')
    .option('--open', 'also try to open it (xdg-open / open / start); never an error if that is not possible')
    .action((flags: { open?: boolean }) => {
      const spec = require.resolve('callbot-contract/openapi.yaml');
      const file = docsFile();
      if (!file || !existsSync(file)) {
        io.stdout.write(`${spec}\n`);
        io.stderr.write(
          'callbot docs: the offline docs site ships with callbot-mock, which is not installed here\n' +
            '  (npm install --save-dev callbot-mock). The line above is the bundled spec (OpenAPI 3.1).\n',
        );
        run.exitCode = VERB_EXIT.usage;
        return;
      }
      io.stdout.write(`${file}\n${pathToFileURL(file).href}\n${spec}\n`);
      io.stderr.write(`(the mock also serves them: \`callbot-mock\`, then ${MOCK_DEFAULT_BASE_URL}/docs/)\n`);
      if (flags.open) tryOpen(io, pathToFileURL(file).href);
    });
}

function tryOpen(io: VerbIo, url: string): void {
  const [command, args] = platform() === 'darwin' ? ['open', [url]] : platform() === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => io.stderr.write(`could not run ${command}; open the file above yourself\n`));
    child.unref();
  } catch {
    io.stderr.write(`could not run ${command}; open the file above yourself\n`);
  }
}
