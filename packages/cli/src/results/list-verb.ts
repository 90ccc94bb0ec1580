import type { Command } from 'commander';
import type { VerbRun } from '../shared/io.js';
import { positiveInteger } from '../shared/whole-number.js';
import type { FilterFlags } from './filters.js';
import { connectionFlagsOf } from '../shared/connection-options.js';
import { addCallFilterOptions, addReadOptions, listOption, READ_EXIT_CODES_HELP, type ReadFlags } from './flags.js';

// `callbot orders` and `callbot calls` are one verb over two vendor lists (listOrder, listCall):
// the same flags, front and engine (results/list.ts), told apart by the declaration below — a
// description, two filters of their own, the flag that names items and the page-size help.
// Only flags are declared here; the engine is loaded when the command runs, so `--help` stays fast.

export interface ListVerb {
  name: 'orders' | 'calls';
  description: string;
  /** The verb's own filters, declared after the shared read flags: [flags, description]. */
  filters: readonly (readonly [string, string])[];
  /** The repeatable flag that names items: [flags, description]. */
  ids: readonly [string, string];
  /** `--page-size`'s help. */
  pageSize: string;
}

export function registerListVerb(program: Command, run: VerbRun, verb: ListVerb): void {
  const command = addReadOptions(program.command(verb.name).description(verb.description));
  for (const [flags, description] of verb.filters) command.option(flags, description);
  addCallFilterOptions(command, verb.name)
    .addOption(listOption(...verb.ids))
    .option('--page-size <n>', verb.pageSize, positiveInteger, 100)
    .addHelpText('after', READ_EXIT_CODES_HELP)
    .action(async (flags: ReadFlags & FilterFlags & { pageSize: number }) => {
      const [{ readFront }, { runList }, { formatFor }, { orderOptions, callOptions }] = await Promise.all([
        import('./front.js'),
        import('./list.js'),
        import('./csv.js'),
        import('./filters.js'),
      ]);
      // The filters are read inside the front, so a bad one is its usage error (exit 1).
      const listOf = () =>
        verb.name === 'orders' ? { verb: 'orders' as const, options: orderOptions(flags) } : { verb: 'calls' as const, options: callOptions(flags) };
      run.exitCode = await readFront(run.io, verb.name, flags, (io) =>
        runList(
          {
            ...listOf(),
            userTaskID: flags.task,
            out: flags.out,
            format: formatFor(flags.out, flags.format),
            bom: flags.bom,
            time: flags.time,
            pageSize: flags.pageSize,
            timeoutMs: flags.timeoutMs,
            connection: connectionFlagsOf(flags),
          },
          io,
        ),
      );
    });
}
