import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { MOCK_DEFAULT_BASE_URL } from '../defaults.js';
import { generatedFile } from '../paths.js';

// `callbot docs`: where the offline API docs are. Printing the path always works (also on a
// server without a browser); --open tries the desktop's opener and never fails because of it.

export function registerDocsCommand(program: Command): void {
  program
    .command('docs')
    .description('Print the path of the offline API docs (generated/docs/index.html); --open opens it in a browser')
    .option('--open', 'also try to open it (xdg-open / open / start); never an error if that is not possible')
    .action((flags: { open?: boolean }) => {
      const file = generatedFile('docs', 'index.html');
      if (!existsSync(file)) {
        process.stderr.write(`callbot docs: ${file} is missing; run \`npm run generate\`\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${file}\n${pathToFileURL(file).href}\n`);
      process.stderr.write(`(the mock also serves it: \`callbot mock\`, then ${MOCK_DEFAULT_BASE_URL}/docs/)\n`);
      if (flags.open) tryOpen(pathToFileURL(file).href);
    });
}

function tryOpen(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`could not run ${command}; open the file above yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`could not run ${command}; open the file above yourself\n`);
  }
}
