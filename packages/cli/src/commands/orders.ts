import type { Command } from 'commander';
import type { VerbRun } from '../shared/io.js';
import type { FilterFlags } from '../results/filters.js';
import { addCallFilterOptions, addReadOptions, connectionOf, listOption, positiveInteger, READ_EXIT_CODES_HELP, type ReadFlags } from '../results/flags.js';

// `callbot orders --task T [filters] [--out FILE]`: every order of the task with its last call
// (listOrder, all pages; results/list.ts). The engine is loaded when the command runs.

export function registerOrdersCommand(program: Command, run: VerbRun): void {
  addCallFilterOptions(
    addReadOptions(program.command('orders').description('Every order of a task with its last call (listOrder, all pages), filtered'))
      .option('--finished', 'only finished orders')
      .option('--unfinished', 'only orders not finished'),
    'orders',
  )
    .addOption(listOption('--order <orderID>', 'only these orders'))
    .option('--page-size <n>', 'orders per request', positiveInteger, 100)
    .addHelpText('after', READ_EXIT_CODES_HELP)
    .action(async (flags: ReadFlags & FilterFlags & { pageSize: number }) => {
      const [{ readFront }, { runList }, { formatFor }, { orderOptions }] = await Promise.all([
        import('../results/front.js'),
        import('../results/list.js'),
        import('../results/csv.js'),
        import('../results/filters.js'),
      ]);
      run.exitCode = await readFront(run.io, 'orders', flags, (io) =>
        runList(
          {
            verb: 'orders',
            options: orderOptions(flags),
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
