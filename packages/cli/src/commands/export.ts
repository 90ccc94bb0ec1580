import type { Command } from 'commander';
import type { VerbRun } from '../shared/io.js';
import { addReadOptions, READ_EXIT_CODES_HELP, type ReadFlags } from '../results/flags.js';
import { connectionFlagsOf } from '../shared/connection-options.js';

// `callbot export --task T [--out FILE] [--report IMPORT_REPORT.csv]`: one row per order of the
// task's latest batch (results/export.ts). The engine is loaded when the command runs.

export function registerExportCommand(program: Command, run: VerbRun): void {
  addReadOptions(
    program
      .command('export')
      .description("One row per order of the task's latest batch: status, rounds, last call, intents (exportBatchCall + listOrderDetail)"),
  )
    .option('--report <file>', "the import's report CSV (row,phone,orderID,status,reason): adds its row number and status to each order")
    .addHelpText('after', READ_EXIT_CODES_HELP)
    .action(async (flags: ReadFlags & { report?: string }) => {
      const [{ readFront }, { runExport }, { formatFor }] = await Promise.all([
        import('../results/front.js'),
        import('../results/export.js'),
        import('../results/csv.js'),
      ]);
      run.exitCode = await readFront(run.io, 'export', flags, (io) =>
        runExport(
          {
            userTaskID: flags.task,
            out: flags.out,
            format: formatFor(flags.out, flags.format),
            bom: flags.bom,
            time: flags.time,
            report: flags.report,
            timeoutMs: flags.timeoutMs,
            connection: connectionFlagsOf(flags),
          },
          io,
        ),
      );
    });
}
