import type { Command } from 'commander';
// Type only (erased from the build): the probe itself is still loaded only when the command runs.
import type { ProbeFlags } from '../probe/command.js';
import { addConnectionOptions, timeoutOption } from '../shared/connection-options.js';
import { wholeNumber } from '../shared/whole-number.js';
import type { VerbRun } from '../shared/io.js';

// `callbot probe`: asks the vendor's host the questions the contract marks **Unknown:** or
// **Choice:** and writes a report that says, per question, whether the contract holds. Only
// the flags live here; the probe itself is loaded when the command runs.

/** At most 3 requests a second: the development host is shared. */
export const MIN_INTERVAL_MS = 350;

export function registerProbeCommand(program: Command, run: VerbRun): void {
  const probe = program
    .command('probe')
    .description("Check the contract's Unknown/Choice points against the vendor's host (reads only) and write a report for a bug report");
  addConnectionOptions(probe, {
    baseUrl: { what: 'API base URL, e.g. https://devnxbot.nxcloud.com', note: 'default: the local mock' },
    uuid: { note: '' },
    algorithm: { what: "the account's signature algorithm, as set in the console" },
    timeout: false,
  });
  probe
    .option('--task <userTaskID>', 'an existing task whose first page of orders and calls may be read (listOrder, listCall, exportBatchCall)')
    .option('--out <file>', 'where to write the JSON report', 'probe-report.json')
    .option('--json', 'print the report on stdout instead of the summary table')
    .option('--max-requests <n>', 'the most requests the whole run may send', wholeNumber(10, 200), 60)
    .option(
      '--interval-ms <ms>',
      `the least time between two requests (at least ${MIN_INTERVAL_MS}: under 3 a second)`,
      wholeNumber(MIN_INTERVAL_MS, 60_000),
      MIN_INTERVAL_MS,
    )
    .addOption(timeoutOption('how long one request may take', wholeNumber(100, 120_000), 10_000))
    .option('--probe-timeout-ms <ms>', 'how long one probe may take', wholeNumber(1000, 600_000), 90_000)
    .addHelpText(
      'after',
      `
What it sends: only requests that change nothing and call nobody — ping (signed in several
ways, createTs shifted, gzip), one page of listTask, and with --task one page of listOrder,
listCall and exportBatchCall of that task. It never creates, imports, adds, stops, starts or
updates anything: there is no write probe (the questions that need one — e.g. request gzip on
importBatchCall, callbackType values — stay open and are listed in the docs).

Probes: header-case, algorithm-header, signature-body, request-gzip, answer-gzip,
createts-window, answer-schema, answer-signature. Each result is confirmed, differs (with the
file under openapi/ to change) or unknown.

The report holds no secret key, no signature base, no phone numbers (8615*****678) and no
names: attach it to an issue or a support ticket as it is.

Examples:
  $ CALLBOT_UUID=… CALLBOT_SECRET_KEY=… callbot probe --base-url https://devnxbot.nxcloud.com --task my-task
  $ callbot probe            # against the local mock (demo account)

Exit codes: 0 no probe differs; 2 some probe differs; 1 usage or credentials error;
3 the vendor accepted no request form (wrong uuid/secret/base URL? the report lists its answers);
130 interrupted (Ctrl-C): the report written holds what was found, the rest "interrupted".`,
    )
    .action(async (flags: ProbeFlags) => {
      const { probeCommand } = await import('../probe/command.js');
      // The version the report names is the program's own (main.ts sets it): importing
      // package.json here too would make esbuild split it into a chunk that `--version` loads.
      run.exitCode = await probeCommand(run.io, flags, program.version() ?? 'unknown');
    });
}
