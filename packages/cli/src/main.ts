#!/usr/bin/env node
import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerDocsCommand } from './commands/docs.js';
import { registerImportCommand } from './commands/import.js';
import { registerMockCommand } from './commands/mock.js';
import { registerProbeCommand } from './commands/probe.js';
import { registerSignCommand } from './commands/sign.js';

// `callbot` — one command, one subcommand per job. Each subcommand lives in its own module.
const program = new Command()
  .name('callbot')
  .description('nxtele Callbot v3: import call lists, debug signatures, run the local mock.')
  .version(packageJson.version, '-V, --version', 'print the version of callbot-cli')
  .showHelpAfterError();

registerImportCommand(program);
registerSignCommand(program);
registerMockCommand(program);
registerDocsCommand(program);
registerProbeCommand(program);

await program.parseAsync(process.argv);
