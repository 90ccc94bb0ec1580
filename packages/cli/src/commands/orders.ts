import type { Command } from 'commander';
import { registerListVerb } from '../results/list-verb.js';
import type { VerbRun } from '../shared/io.js';

// `callbot orders --task T [filters] [--out FILE]`: every order of the task with its last call
// (listOrder, all pages; results/list.ts).

export function registerOrdersCommand(program: Command, run: VerbRun): void {
  registerListVerb(program, run, {
    name: 'orders',
    description: 'Every order of a task with its last call (listOrder, all pages), filtered',
    filters: [
      ['--finished', 'only finished orders'],
      ['--unfinished', 'only orders not finished'],
    ],
    ids: ['--order <orderID>', 'only these orders'],
    pageSize: 'orders per request',
  });
}
