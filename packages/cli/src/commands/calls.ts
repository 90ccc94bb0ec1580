import type { Command } from 'commander';
import type { VerbRun } from '../shared/io.js';
import type { FilterFlags } from '../results/filters.js';
import { addCallFilterOptions, addReadOptions, connectionOf, listOption, positiveInteger, READ_EXIT_CODES_HELP, type ReadFlags } from '../results/flags.js';

// `callbot calls --task T [filters] [--out FILE]`: every call of the task (listCall, all pages;
// results/list.ts). The engine is loaded when the command runs.

export function registerCallsCommand(program: Command, run: VerbRun): void {
  addCallFilterOptions(
    addReadOptions(program.command('calls').description('Every call of a task (listCall, all pages), filtered'))
      .option('--since <time>', 'calls from this time on (ISO 8601, e.g. 2026-11-01T08:00:00+08:00, or Unix seconds)')
      .option('--until <time>', 'calls until this time (ISO 8601 or Unix seconds)'),
    'calls',
  )
    .addOption(listOption('--call-id <callID>', 'only these calls'))
    .option('--page-size <n>', 'calls per request', positiveInteger, 100)
    .addHelpText('after', READ_EXIT_CODES_HELP)
    .action(async (flags: ReadFlags & FilterFlags & { pageSize: number }) => {
      const [{ readFront }, { runList }, { formatFor }, { callOptions }] = await Promise.all([
        import('../results/front.js'),
        import('../results/list.js'),
        import('../results/csv.js'),
        import('../results/filters.js'),
      ]);
      run.exitCode = await readFront(run.io, 'calls', flags, (io) =>
        runList(
          {
            verb: 'calls',
            options: callOptions(flags),
            userTaskID: flags.task,
            out: flags.out,
            format: formatFor(flags.out, flags.format),
            bom: flags.bom,
            time: flags.time,
            pageSize: flags.pageSize,
            timeoutMs: flags.timeoutMs,
            connection: connectionOf(flags),
          },
          io,
        ),
      );
    });
}
