import type { Command } from 'commander';
import { registerListVerb } from '../results/list-verb.js';
import type { VerbRun } from '../shared/io.js';

// `callbot calls --task T [filters] [--out FILE]`: every call of the task (listCall, all pages;
// results/list.ts).

export function registerCallsCommand(program: Command, run: VerbRun): void {
  registerListVerb(program, run, {
    name: 'calls',
    description: 'Every call of a task (listCall, all pages), filtered',
    filters: [
      ['--since <time>', 'calls from this time on (ISO 8601, e.g. 2026-11-01T08:00:00+08:00, or Unix seconds)'],
      ['--until <time>', 'calls until this time (ISO 8601 or Unix seconds)'],
    ],
    ids: ['--call-id <callID>', 'only these calls'],
    pageSize: 'calls per request',
  });
}
