#!/usr/bin/env node
import { Command } from 'commander';
import { registerMockCommand } from './mock-command.js';

// `callbot` — one command, one subcommand per job. Each subcommand lives in its own module.
const program = new Command()
  .name('callbot')
  .description('nxtele Callbot v3: import call lists, debug signatures, run the local mock.')
  .showHelpAfterError();

registerMockCommand(program);

await program.parseAsync(process.argv);
