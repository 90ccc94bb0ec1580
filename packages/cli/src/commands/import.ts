import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command, InvalidArgumentError, Option } from 'commander';
import { validateImportRequest } from 'callbot-contract';
import { batchBody } from '../import/batch-body.js';
import { BatchBuilder, type RowNotice } from '../import/build-batch.js';
import { MappingError, parseColumnOverrides } from '../import/column-mapping.js';
import { ConfigError, maskSecret, resolveConnection, type ConnectionFlags, type ConnectionSettings } from '../import/credentials.js';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from '../import/exit-codes.js';
import { createProgress, type Progress } from '../import/progress.js';
import { InputFileError, openRowReader, type InputFormat } from '../import/read-rows.js';
import { countStatuses, defaultReportName, summaryTable, writeReport } from '../import/report.js';
import { prepareReportPath } from '../import/report-path.js';
import { sendBatch, type SendResult } from '../import/send-batch.js';
import { crashAfterSend, type SentState } from '../import/crash-after-send.js';

// `callbot import FILE --task ID`: the whole list, checked row by row, then sent as ONE batch.
// importBatchCall replaces the undialed orders of the task's previous batch, so splitting a
// list over several calls would silently drop all but the last part: a list over the batch
// limit is refused, never chunked.

export const DEFAULT_MAX_BATCH_SIZE = 100_000;

interface ImportFlags extends ConnectionFlags {
  task: string;
  format?: InputFormat;
  delimiter?: string;
  column: string[];
  skipInvalid?: boolean;
  allowDuplicatePhones?: boolean;
  maxBatchSize: number;
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  gzip: boolean;
  timeoutMs: number;
  maxAttempts?: number;
  maxProblems: number;
}

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('Import a call list (CSV or JSON Lines) as one validated, signed, gzipped batch')
    .argument('<file>', 'CSV (UTF-8, comma or semicolon, header row) or .jsonl file')
    .requiredOption('--task <userTaskID>', 'the task whose batch the list becomes (userTaskID)')
    .addOption(new Option('--format <format>', 'input format (default: from the file extension)').choices(['csv', 'jsonl']))
    .addOption(new Option('--delimiter <char>', 'CSV delimiter (default: detected from the header)').choices([',', ';']))
    .option('--column <field=header>', 'take FIELD (phone, name, customer, other, order_id or param.NAME) from column HEADER; repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--skip-invalid', 'send the valid rows even when some are invalid (those are reported)')
    .option('--allow-duplicate-phones', 'send rows that repeat a phone (listed as warnings) instead of rejecting them')
    .option('--max-batch-size <n>', 'refuse lists with more orders than this', positiveInteger, DEFAULT_MAX_BATCH_SIZE)
    .option('--dry-run', 'read, validate and build the batch, but send nothing')
    .option('--report <path>', 'where to write the per-row report (default: ./callbot-report-<task>-<time>.csv)')
    .option('--json', 'print a machine-readable summary on stdout (no progress bars)')
    .option('--no-gzip', 'send the body uncompressed')
    .option('--timeout-ms <ms>', 'how long one attempt may take', positiveInteger, 120_000)
    .option('--max-attempts <n>', 'attempts in all for a batch the server certainly did not process (retCode 5, 7, 1001, refused connection; default: the client\'s, 4)', positiveInteger)
    .option('--max-problems <n>', 'how many invalid rows to list on screen (all are in the report)', positiveInteger, 20)
    .option('--base-url <url>', 'API base URL [env CALLBOT_BASE_URL] (default: the local mock, http://127.0.0.1:4010)')
    .option('--uuid <uuid>', 'account uuid [env CALLBOT_UUID] (default on loopback: the mock\'s demo account)')
    .option('--secret <secretKey>', 'account secret key [env CALLBOT_SECRET_KEY; prefer the environment: flags show in `ps`]')
    .addOption(new Option('--algorithm <alg>', 'signature algorithm [env CALLBOT_ALGORITHM]').choices(['MD5', 'SHA256']))
    .option('--config <file>', 'JSON file with uuid, secretKey, algorithm, baseUrl, orderCallbackUrl, callCallbackUrl [env CALLBOT_CONFIG]')
    .option('--order-callback-url <url>', 'where the vendor posts order results [env CALLBOT_ORDER_CALLBACK_URL] (default on loopback: http://127.0.0.1:8787/callbot/order)')
    .option('--call-callback-url <url>', 'where the vendor posts call results [env CALLBOT_CALL_CALLBACK_URL] (default on loopback: http://127.0.0.1:8787/callbot/call)')
    .addHelpText('after', `
Columns are found by header name: phone, name, customer, other, order_id, and param.NAME for
each template variable. Phones need their country code (8615612345678, +86 156 1234 5678,
0086-156-…). Row numbers are spreadsheet rows: the header is row 1.
Settings come from flags, then the environment, then --config, then the defaults.
${EXIT_CODES_HELP}`)
    .action(async (file: string, flags: ImportFlags) => {
      process.exitCode = await runImport(file, flags);
    });
}

interface Output {
  progress: Progress;
  json: boolean;
  /** Human lines for stderr (stdout stays for the summary / JSON). */
  say(text: string): void;
  /** The report file, if this run created it (removed again if the run stops with a usage error). */
  reportCreated?: string;
  /** Set when the batch first goes on the wire: from then on a failure means "outcome unknown". */
  sent?: SentState;
}

async function runImport(file: string, flags: ImportFlags): Promise<ExitCode> {
  const json = Boolean(flags.json);
  const progress = createProgress({ interactive: !json && Boolean(process.stdout.isTTY && process.stderr.isTTY) });
  const out: Output = { progress, json, say: (text) => progress.line(text) };
  try {
    return await importFile(file, flags, out);
  } catch (error) {
    // First: once the batch has left, whatever went wrong, its outcome is what matters.
    if (out.sent) {
      progress.stop();
      const crash = await crashAfterSend(error, out.sent);
      process.stderr.write(`callbot import: ${crash.message}\n`);
      if (json) process.stdout.write(`${JSON.stringify(crash.summary, null, 2)}\n`);
      return crash.exitCode;
    }
    if (error instanceof ConfigError || error instanceof MappingError || error instanceof InputFileError) {
      progress.stop();
      if (out.reportCreated) rmSync(out.reportCreated, { force: true });
      process.stderr.write(`callbot import: ${error.message}\n`);
      if (json) process.stdout.write(`${JSON.stringify({ outcome: 'usage-error', exitCode: EXIT.usage, message: error.message }, null, 2)}\n`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    progress.stop();
  }
}

async function importFile(file: string, flags: ImportFlags, out: Output): Promise<ExitCode> {
  const { progress } = out;
  const userTaskID = flags.task;
  const settings = resolveConnection(flags);
  const overrides = parseColumnOverrides(flags.column);
  checkEnvelope(userTaskID, settings);
  out.say(`sending as ${settings.uuid}${settings.usingDemoAccount ? ' (the mock\'s demo account)' : ` (secret ${maskSecret(settings.secretKey)} from ${settings.credentialsFrom})`} to ${settings.baseUrl}${flags.dryRun ? ' — dry run, nothing will be sent' : ''}`);

  // The report is written last, after sending: make sure it can be, before anything is sent.
  const report = prepareReportPath(flags.report ?? defaultReportName(userTaskID), file);
  const reportPath = report.path;
  if (report.created) out.reportCreated = reportPath;

  // 1. Read and check every row (one streaming pass).
  const builder = new BatchBuilder({ userTaskID, overrides, allowDuplicatePhones: Boolean(flags.allowDuplicatePhones) });
  const reader = openRowReader(file, { format: flags.format, delimiter: flags.delimiter, onHeader: (header) => builder.useHeader(header) });
  const reading = progress.step(`reading ${basename(file)}`, reader.totalBytes);
  let rows = 0;
  for await (const row of reader.rows()) {
    builder.add(row);
    rows += 1;
    if (rows % 1000 === 0) reading.update(reader.bytesRead(), `${rows} rows`);
  }
  builder.doneAdding();
  if (reader.format === 'csv' && !reader.header()) throw new InputFileError(`${file} is empty: expected a header row`);
  const problems = builder.problems();
  const blank = reader.blankRows();
  reading.done(`${rows} rows read, ${builder.orders.length} valid, ${problems.length} invalid${blank ? `, ${blank} blank rows skipped` : ''}`);
  if (builder.ignoredColumns.length > 0) out.say(`note: ignored columns (not a known field): ${builder.ignoredColumns.join(', ')}`);
  listNotices(out, 'invalid', problems, flags.maxProblems);
  listNotices(out, 'warning', builder.warnings, flags.maxProblems);

  // 2. Decide whether this batch may be sent at all.
  const refuse = (reason: string, message: string) => {
    for (const row of builder.sendable) row.reason = reason;
    return finish(out, { file, userTaskID, settings, builder, reportPath, dryRun: Boolean(flags.dryRun), outcome: 'not-sent', exitCode: EXIT.nothingSent, message });
  };
  if (rows === 0) return refuse('', `${file} has no data rows: nothing to send`);
  if (problems.length > 0 && !flags.skipInvalid) {
    return refuse(`not sent: the file has ${problems.length} invalid rows`, `nothing sent: ${problems.length} of ${rows} rows are invalid (see above and the report). Fix them, or use --skip-invalid to send the ${builder.orders.length} valid rows.`);
  }
  if (builder.orders.length === 0) return refuse('', 'nothing sent: no valid rows');
  if (builder.orders.length > flags.maxBatchSize) {
    return refuse(`not sent: ${builder.orders.length} orders exceed the batch limit of ${flags.maxBatchSize}`,
      `nothing sent: ${builder.orders.length} orders is more than the batch limit of ${flags.maxBatchSize} (--max-batch-size).\n` +
      '  The list is not split into several imports: each importBatchCall replaces the undialed orders of the\n' +
      '  previous batch, so only the last part would ever be called. Split the list by task, or raise the limit\n' +
      '  if the server accepts bigger batches.');
  }
  const exitIfSent: ExitCode = problems.length > 0 ? EXIT.someRejected : EXIT.allAccepted;

  // 3. Dry run: build the exact body, measure it, send nothing.
  if (flags.dryRun) {
    const building = progress.step('building the body');
    const text = JSON.stringify(batchBody(userTaskID, settings, builder.orders));
    const bytes = Buffer.byteLength(text);
    const gzipped = flags.gzip ? gzipSync(text, { level: 1 }).byteLength : undefined;
    building.done(`${builder.orders.length} orders, ${formatBytes(bytes)} JSON${gzipped === undefined ? '' : `, ${formatBytes(gzipped)} gzipped`}`);
    for (const row of builder.sendable) row.reason = 'dry run: valid, not sent';
    return finish(out, { file, userTaskID, settings, builder, reportPath, dryRun: true, outcome: 'dry-run', exitCode: exitIfSent, message: `dry run: ${builder.orders.length} orders would be sent as one batch`, bodyBytes: bytes });
  }

  // 4. Send, waiting through "batch import in progress" (1001) with a countdown. The client
  // serializes, signs and compresses inside one call; its first fetch marks the end of that.
  let step = progress.step(`preparing ${builder.orders.length} orders (JSON, signature${flags.gzip ? ', gzip' : ''})`);
  let preparing = true;
  const result = await sendBatch({
    settings, userTaskID, orders: builder.orders, sendable: builder.sendable, gzip: flags.gzip, timeoutMs: flags.timeoutMs, maxAttempts: flags.maxAttempts,
    onRetry: (info) => progress.countdown((s) => `${retryReason(info.retCode, info.code)}, retrying in ${s}s…`, info.delayMs),
    onAttempt: (attempt, requestID) => {
      out.sent = { requestID, reportPath, outcomes: builder.outcomes, sendable: builder.sendable };
      if (preparing) {
        preparing = false;
        step.done('ready');
        step = progress.step('sending');
      } else {
        progress.line(`sending again (attempt ${attempt})`);
      }
    },
  });
  step.done(result.message);
  for (const e of result.unmatchedErrors) out.say(`warning: the server rejected phone ${e.phone} (${e.errMsg}), which matches no row sent`);
  return finish(out, { file, userTaskID, settings, builder, reportPath, dryRun: false, outcome: result.outcome, exitCode: result.outcome === 'imported' && exitIfSent === EXIT.someRejected ? EXIT.someRejected : result.exitCode, message: result.message, result });
}

/** The parts of the body that do not come from the file, checked before reading it. */
function checkEnvelope(userTaskID: string, settings: ConnectionSettings): void {
  const probe = { orderID: 'probe', userPhone: '8615600000000', other: '', userName: '', customerName: '', params: [] };
  const issues = validateImportRequest({
    productID: 'callbot', userTaskID,
    callInfoList: { orderCallbackUrl: settings.orderCallbackUrl, callCallbackUrl: settings.callCallbackUrl, callList: [probe] },
  });
  if (issues.length > 0) throw new ConfigError(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
}

function retryReason(retCode: number | undefined, code: string | undefined): string {
  if (retCode === 1001) return 'batch import in progress (1001)';
  if (retCode === 5) return 'server maintenance (5)';
  if (retCode === 7) return 'system busy (7)';
  if (retCode !== undefined) return `retCode ${retCode}`;
  return `could not connect (${code ?? 'unknown'})`;
}

function listNotices(out: Output, label: string, notices: readonly RowNotice[], max: number): void {
  for (const notice of notices.slice(0, max)) out.say(`  ${label} row ${notice.row}: ${notice.message}`);
  if (notices.length > max) out.say(`  … and ${notices.length - max} more ${label} rows (all are in the report)`);
}

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

interface Finish {
  file: string;
  userTaskID: string;
  settings: ConnectionSettings;
  builder: BatchBuilder;
  reportPath: string;
  dryRun: boolean;
  outcome: SendResult['outcome'] | 'dry-run';
  exitCode: ExitCode;
  message: string;
  result?: SendResult;
  /** Dry run: the size of the JSON body that would be sent. */
  bodyBytes?: number;
}

async function finish(out: Output, f: Finish): Promise<ExitCode> {
  await writeReport(f.reportPath, f.builder.outcomes);
  const counts = countStatuses(f.builder.outcomes);
  out.say(`report: ${f.reportPath}`);
  if (out.json) {
    const summary = {
      file: f.file,
      userTaskID: f.userTaskID,
      baseUrl: f.settings.baseUrl,
      dryRun: f.dryRun,
      ...(f.bodyBytes === undefined ? {} : { bodyBytes: f.bodyBytes }),
      outcome: f.outcome,
      exitCode: f.exitCode,
      message: f.message,
      rows: f.builder.outcomes.length,
      counts,
      vendorCounts: f.result?.vendorCounts,
      requestID: f.result?.requestID,
      responseID: f.result?.responseID,
      retCode: f.result?.retCode,
      attempts: f.result?.attempts,
      report: f.reportPath,
      problems: f.builder.problems().slice(0, 100),
      warnings: f.builder.warnings.slice(0, 100),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${f.message}\n${summaryTable(counts)}\n`);
  }
  return f.exitCode;
}
