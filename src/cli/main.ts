#!/usr/bin/env node
import { Command } from 'commander';
import { registerDocsCommand } from './docs-command.js';
import { registerImportCommand } from './import-command.js';
import { registerMockCommand } from './mock-command.js';
import { registerSignCommand } from './sign-command.js';

// `callbot` — one command, one subcommand per job. Each subcommand lives in its own module.
const program = new Command()
  .name('callbot')
  .description('nxtele Callbot v3: import call lists, debug signatures, run the local mock.')
  .showHelpAfterError();

registerImportCommand(program);
registerSignCommand(program);
registerMockCommand(program);
registerDocsCommand(program);

await program.parseAsync(process.argv);
