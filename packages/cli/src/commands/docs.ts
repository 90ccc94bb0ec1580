import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { VERB_EXIT } from '../shared/exit.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

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

export function registerDocsCommand(program: Command): void {
  program
    .command('docs')
    .description('Print the path of the offline API docs (shipped with callbot-mock) and of the spec; --open opens the docs')
    .option('--open', 'also try to open it (xdg-open / open / start); never an error if that is not possible')
    .action((flags: { open?: boolean }) => {
      const spec = require.resolve('callbot-contract/openapi.yaml');
      const file = docsFile();
      if (!file || !existsSync(file)) {
        process.stdout.write(`${spec}\n`);
        process.stderr.write(
          'callbot docs: the offline docs site ships with callbot-mock, which is not installed here\n' +
            '  (npm install --save-dev callbot-mock). The line above is the bundled spec (OpenAPI 3.1).\n',
        );
        process.exitCode = VERB_EXIT.usage;
        return;
      }
      process.stdout.write(`${file}\n${pathToFileURL(file).href}\n${spec}\n`);
      process.stderr.write(`(the mock also serves them: \`callbot-mock\`, then ${MOCK_DEFAULT_BASE_URL}/docs/)\n`);
      if (flags.open) tryOpen(pathToFileURL(file).href);
    });
}

function tryOpen(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`could not run ${command}; open the file above yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`could not run ${command}; open the file above yourself\n`);
  }
}
