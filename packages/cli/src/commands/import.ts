import { Command, Option } from 'commander';
import type { ConnectionFlags } from '../shared/credentials.js';
import {
  DEFAULT_INTERRUPT_GRACE_MS,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_ROW_BYTES,
  DEFAULT_TIMEOUT_MS,
  runImport,
} from '../import/engine.js';
import { EXIT_CODES_HELP, exitCodeFor } from '../import/exit-codes.js';
import { drawEvents, interactive, printSummary } from '../import/front-output.js';
import { signalHandling } from '../import/front-signals.js';
import { EXIT, type ExitCode, INTERRUPTED_EXIT } from '../shared/exit.js';
import type { BatchOperation } from '../import/batch-body.js';
import type { InputFormat } from '../import/read-rows.js';
import { notProcessedCodes } from '../import/retcode-text.js';
import { createProgress } from './progress.js';
import type { VerbIo, VerbRun } from '../shared/io.js';
import { addConnectionOptions, connectionFlagsOf, timeoutOption } from '../shared/connection-options.js';
import { positiveInteger, wholeNumber } from '../shared/whole-number.js';

// `callbot import FILE --task ID [--append | --create-task --scene ID]`, the front: parses the
// flags, picks the vendor operation (importBatchCall, addBatchCall or createAndCall), hands them to the engine
// (import/engine.ts, which does the import and returns a summary), draws the engine's progress
// on stderr (bars on a terminal, plain lines otherwise) and prints the summary on stdout (a table,
// or one JSON document with --json: import/front-output.ts) and exits with the code exit-codes.ts gives the summary.
//
// SIGINT and SIGTERM are caught while it runs and passed to the engine (io.signal): before the
// batch is sent it stops at once, nothing sent (exit 130 / 143); while the batch is out it says
// which requestID is out and where the report lists its rows as `unknown`, waits a grace period
// for the answer, and exits 4 without one. A second signal exits at once: the report on disk
// already accounts for every row (import/front-signals.ts).

export interface ImportFlags extends ConnectionFlags {
  task: string;
  append?: boolean;
  createTask?: boolean;
  scene?: string;
  taskName?: string;
  format?: InputFormat;
  delimiter?: ',' | ';';
  column: string[];
  skipInvalid?: boolean;
  allowDuplicatePhones?: boolean;
  maxBatchSize: number;
  maxBodyBytes: number;
  maxRowBytes: number;
  interruptGraceMs: number;
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  gzip: boolean;
  timeoutMs: number;
  maxAttempts?: number;
  maxProblems: number;
}

export function registerImportCommand(program: Command, run: VerbRun): void {
  const command = program
    .command('import')
    .description(
      "Send a call list (CSV or JSON Lines) as one validated, signed, gzipped request: by default it REPLACES the task's undialed numbers (importBatchCall); --append adds it (addBatchCall); --create-task creates the task with it (createAndCall)",
    )
    .argument('<file>', 'CSV (UTF-8, comma or semicolon, header row) or .jsonl file')
    .requiredOption('--task <userTaskID>', 'the task the list goes to (userTaskID; with --create-task, the new task)')
    .addOption(new Option('--append', "add the list to the task's orders (addBatchCall): nothing is dropped").conflicts(['createTask']))
    .addOption(new Option('--create-task', 'create the task (needs --scene) and add the list in one request (createAndCall)').conflicts(['append']))
    .option('--scene <sceneID>', 'with --create-task: the script template of the new task (sceneID)')
    .option('--task-name <name>', 'with --create-task: the name of the new task (taskCreateSetting.taskName)')
    .addOption(new Option('--format <format>', 'input format (default: from the file extension)').choices(['csv', 'jsonl']))
    .addOption(new Option('--delimiter <char>', 'CSV delimiter (default: detected from the header)').choices([',', ';']))
    .option(
      '--column <field=header>',
      'take FIELD (phone, name, customer, other, order_id or param.NAME) from column HEADER; repeatable',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--skip-invalid', 'send the valid rows even when some are invalid (those are reported)')
    .option('--allow-duplicate-phones', 'send rows that repeat a phone (listed as warnings) instead of rejecting them')
    .option('--max-batch-size <n>', 'refuse lists with more orders than this', positiveInteger, DEFAULT_MAX_BATCH_SIZE)
    .option(
      '--max-body-bytes <n>',
      "refuse a batch whose JSON body (before gzip) has more bytes than this (32 MiB: the mock's limit)",
      positiveInteger,
      DEFAULT_MAX_BODY_BYTES,
    )
    .option('--max-row-bytes <n>', 'stop at a CSV record or JSON line of more bytes than this (64 KiB)', positiveInteger, DEFAULT_MAX_ROW_BYTES)
    .option(
      '--interrupt-grace-ms <ms>',
      'on Ctrl-C (SIGINT) or SIGTERM while the batch is out: how long to wait for its answer before exiting 4',
      wholeNumber(0),
      DEFAULT_INTERRUPT_GRACE_MS,
    )
    .option('--dry-run', 'read, validate and build the batch, but send nothing')
    .option(
      '--report <path>',
      'write the per-row report there (default: a report only when needed — a row not accepted, or the outcome unknown — beside the input file)',
    )
    .option('--json', 'print a machine-readable summary on stdout (no progress bars)')
    .option('--no-gzip', 'send the body uncompressed')
    .addOption(timeoutOption('how long one attempt may take', positiveInteger, DEFAULT_TIMEOUT_MS))
    .option(
      '--max-attempts <n>',
      `attempts in all for a batch the server certainly did not process (retCode ${notProcessedCodes()}, refused connection; default: the client's, 4)`,
      positiveInteger,
    )
    .option('--max-problems <n>', 'how many invalid rows to list on screen (all are in the report)', positiveInteger, 20);
  addConnectionOptions(command, {
    config: { what: 'JSON file with uuid, secretKey, algorithm, baseUrl, orderCallbackUrl, callCallbackUrl' },
    timeout: false,
  })
    .option(
      '--order-callback-url <url>',
      'where the vendor posts order results [env CALLBOT_ORDER_CALLBACK_URL] (default on loopback: http://127.0.0.1:8787/callbot/order)',
    )
    .option(
      '--call-callback-url <url>',
      'where the vendor posts call results [env CALLBOT_CALL_CALLBACK_URL] (default on loopback: http://127.0.0.1:8787/callbot/call)',
    )
    .addHelpText(
      'after',
      `
What happens to the task:
  callbot import FILE --task T             importBatchCall: the list becomes the task's newest batch and
                                           REPLACES its undialed numbers: the previous batch's numbers not
                                           yet dialed are dropped (those already dialed are kept).
  callbot import FILE --task T --append    addBatchCall: the list is ADDED; nothing is dropped. A number
                                           already in the task is called again if the list repeats it:
                                           orders are told apart by orderID, which (without an order_id
                                           column) is derived from the task and the row's content, so
                                           re-sending the same rows gives the same orderIDs.
  callbot import FILE --task T --create-task --scene S [--task-name N]
                                           createAndCall: creates task T (script template S) with the
                                           list as its orders, in one request.
  --append and --create-task cannot be combined.

The report (one line per input row, with its outcome): with --report PATH it is always written
there. Without it, a report is left only when needed (a row not accepted, or the outcome
unknown), beside the input file as callbot-report-TASK-TIME.csv (-2, -3, … when that name is
taken: a report never replaces another), and the output says where. Before the request leaves, the
report is already on disk with every sent row "unknown" (so a run cut short still accounts for
every row); without --report, that file is removed again when the answer accepts every row.

Columns are found by header name: phone, name, customer, other, order_id, and param.NAME for
each template variable. Phones need their country code (8615612345678, +86 156 1234 5678,
0086-156-…). Row numbers are spreadsheet rows: the header is row 1.
Settings come from flags, then the environment, then --config, then the defaults.
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, flags: ImportFlags, self: Command) => {
      const usage = operationUsageError(flags);
      if (usage) self.error(`error: ${usage}`, { exitCode: EXIT.usage, code: 'callbot.usage' });
      run.exitCode = await importCommand(file, flags, run.io);
    });
}

/** The operation the flags ask for. */
export function operationOf(flags: Pick<ImportFlags, 'append' | 'createTask'>): BatchOperation {
  return flags.createTask ? 'createAndCall' : flags.append ? 'addBatchCall' : 'importBatchCall';
}

/** Flags that do not go together (commander checks --append against --create-task itself). */
export function operationUsageError(flags: Pick<ImportFlags, 'append' | 'createTask' | 'scene' | 'taskName'>): string | undefined {
  if (flags.append && flags.createTask)
    return 'option --append cannot be used with --create-task: --append adds to an existing task, --create-task makes a new one';
  if (flags.createTask && flags.scene === undefined) return '--create-task needs --scene <sceneID> (the script template of the new task)';
  if (!flags.createTask && flags.scene !== undefined) return '--scene is for --create-task only';
  if (!flags.createTask && flags.taskName !== undefined) return '--task-name is for --create-task only';
  return undefined;
}

/** Runs one import for the parsed flags: draws, prints, and returns the exit code. */
export async function importCommand(file: string, flags: ImportFlags, io: VerbIo): Promise<ExitCode | number> {
  const json = Boolean(flags.json);
  const progress = createProgress({ interactive: !json && interactive(io), stream: io.stderr });
  const signals = signalHandling(io, progress);
  const draw = drawEvents(progress, flags.maxProblems);
  try {
    const usage = operationUsageError(flags);
    if (usage) {
      io.stderr.write(`callbot import: ${usage}\n`);
      return EXIT.usage;
    }
    const operation = operationOf(flags);
    const summary = await runImport(
      {
        file,
        userTaskID: flags.task,
        operation,
        newTask: operation === 'createAndCall' ? { sceneID: flags.scene!, taskName: flags.taskName } : undefined,
        format: flags.format,
        delimiter: flags.delimiter,
        columns: flags.column,
        skipInvalid: flags.skipInvalid,
        allowDuplicatePhones: flags.allowDuplicatePhones,
        maxBatchSize: flags.maxBatchSize,
        maxBodyBytes: flags.maxBodyBytes,
        maxRowBytes: flags.maxRowBytes,
        interruptGraceMs: flags.interruptGraceMs,
        dryRun: flags.dryRun,
        report: flags.report,
        gzip: flags.gzip,
        timeoutMs: flags.timeoutMs,
        maxAttempts: flags.maxAttempts,
        connection: { ...connectionFlagsOf(flags), orderCallbackUrl: flags.orderCallbackUrl, callCallbackUrl: flags.callCallbackUrl },
      },
      {
        env: io.env,
        signal: signals.signal,
        onEvent: (event) => {
          signals.onEvent(event);
          draw(event);
        },
      },
    );
    progress.stop();
    const received = signals.received();
    // Stopped before sending: the conventional 128 + signal number; otherwise what the summary says.
    const exitCode = summary.interrupted === 'before-send' && received ? INTERRUPTED_EXIT[received] : exitCodeFor(summary);
    printSummary(summary, exitCode, json, io, flags.maxProblems);
    // An interrupted send may still have its request open: do not wait for it.
    if (summary.interrupted === 'sending') io.exitNow(exitCode);
    return exitCode;
  } finally {
    signals.remove();
    progress.stop();
  }
}
