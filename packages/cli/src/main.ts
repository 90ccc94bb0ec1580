#!/usr/bin/env node
import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerCallsCommand } from './commands/calls.js';
import { registerDocsCommand } from './commands/docs.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerListenCommand } from './commands/listen.js';
import { registerMockCommand } from './commands/mock.js';
import { registerOrdersCommand } from './commands/orders.js';
import { registerSignCommand } from './commands/sign.js';

// `callbot` — one command, one subcommand per job. Each subcommand lives in its own module.
const program = new Command()
  .name('callbot')
  .description('nxtele Callbot v3: import call lists, debug signatures, run the local mock.')
  .version(packageJson.version, '-V, --version', 'print the version of callbot-cli')
  .showHelpAfterError();

registerImportCommand(program);
registerExportCommand(program);
registerOrdersCommand(program);
registerCallsCommand(program);
registerListenCommand(program);
registerSignCommand(program);
registerMockCommand(program);
registerDocsCommand(program);

await program.parseAsync(process.argv);
