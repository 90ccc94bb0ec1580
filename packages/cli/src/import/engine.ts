import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { validateImportRequest } from 'callbot-contract';
import { batchBody } from './batch-body.js';
import { BatchBuilder, type RowNotice } from './build-batch.js';
import { MappingError, parseColumnOverrides } from './column-mapping.js';
import { crashAfterSend, type FailureAfterSend, type SentState } from './crash-after-send.js';
import { ConfigError, maskSecret, resolveConnection, type ConnectionFlags, type ConnectionSettings, type Source } from './credentials.js';
import { InputFileError, openRowReader, type InputFormat } from './read-rows.js';
import { countStatuses, defaultReportName, writeReport, type StatusCounts } from './report.js';
import { prepareReportPath } from './report-path.js';
import { retryReason } from './retcode-text.js';
import { sendBatch, type SendResult } from './send-batch.js';

// The import engine: one call reads the list, checks every row, builds the one batch, sends it
// with the contract's client, reconciles the answer with the rows, writes the report and says
// what happened. It prints nothing, reads no process state (argv, env, TTY) and picks no exit
// code: progress goes to `io.onEvent`, settings come from `request` and `io.env`, and the
// returned summary is what the `callbot import` front prints and maps to an exit code
// (exit-codes.ts).
//
// importBatchCall replaces the undialed orders of the task's previous batch, so splitting a
// list over several calls would silently drop all but the last part: a list over the batch
// limit is refused, never chunked.

export const DEFAULT_MAX_BATCH_SIZE = 100_000;
export const DEFAULT_TIMEOUT_MS = 120_000;

/** What to import, and how: the `callbot import` flags as options. */
export interface ImportRequest {
  /** The call list: CSV (UTF-8, comma or semicolon, a header row) or JSON Lines. */
  file: string;
  /** The task whose batch the list becomes (userTaskID). */
  userTaskID: string;
  /** Default: from the file extension (`.jsonl`/`.ndjson` → jsonl, otherwise csv). */
  format?: InputFormat | undefined;
  /** CSV delimiter; default: detected from the header. */
  delimiter?: ',' | ';' | undefined;
  /** `FIELD=HEADER` column overrides, as `--column` takes them (`phone=Mobile`, `param.amount=Betrag`). */
  columns?: readonly string[] | undefined;
  /** Send the valid rows even when some are invalid. */
  skipInvalid?: boolean | undefined;
  /** Send rows that repeat a phone (as warnings) instead of rejecting them. */
  allowDuplicatePhones?: boolean | undefined;
  /** Refuse lists with more orders than this. Default 100,000. */
  maxBatchSize?: number | undefined;
  /** Read, check and build the body, but send nothing. */
  dryRun?: boolean | undefined;
  /** Where to write the per-row report. Default `callbot-report-<task>-<time>.csv` in the working directory. */
  report?: string | undefined;
  /** Gzip the body. Default true. */
  gzip?: boolean | undefined;
  /** How long one attempt may take. Default 120 s. */
  timeoutMs?: number | undefined;
  /** Attempts in all for a batch the server certainly did not process. Default: the client's (4). */
  maxAttempts?: number | undefined;
  /**
   * Where to send and as whom. Each value not given here comes from `io.env` (CALLBOT_*), then
   * the `config` file, then the defaults (the local mock and its demo account, on loopback only).
   */
  connection?: ConnectionFlags | undefined;
}

/** What the engine may use of the world around it. Everything is optional. */
export interface ImportIO {
  /** CALLBOT_* settings (the command passes process.env). Default: none. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Progress and notices, as they happen. */
  onEvent?: ((event: ImportEvent) => void) | undefined;
  /** The clock, for the default report name. Default: `new Date()`. */
  now?: (() => Date) | undefined;
  /** The fetch the client sends with (tests inject one). Default: the global fetch. */
  fetch?: typeof fetch | undefined;
}

export type ImportStep = 'read' | 'build' | 'prepare' | 'send';

/** Progress of one run, in order. Each `step` ends with a `step-done` of the same step. */
export type ImportEvent =
  /** Where the batch goes and as whom (the secret only as its length). */
  | { type: 'connection'; message: string; baseUrl: string; uuid: string; usingDemoAccount: boolean; credentialsFrom: Source; dryRun: boolean }
  | { type: 'step'; step: ImportStep; label: string; /** Bytes, for `read`. */ total?: number }
  | { type: 'step-progress'; step: ImportStep; value: number; note: string }
  | { type: 'step-done'; step: ImportStep; result: string }
  /** Every row is read and checked: what is listed before anything is sent. */
  | { type: 'checked'; rows: number; valid: number; blankRows: number; problems: readonly RowNotice[]; warnings: readonly RowNotice[]; ignoredColumns: readonly string[] }
  /** A signed request leaves (once per attempt), with its requestID header. */
  | { type: 'attempt'; attempt: number; requestID: string | undefined }
  /** An attempt the vendor certainly did not process; the next one follows after `delayMs`. */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string; retCode?: number | undefined; code?: string | undefined }
  | { type: 'warning'; message: string }
  /** The report is written. */
  | { type: 'report'; path: string };

/**
 * What happened, as a whole:
 * - `imported`: the vendor took the batch (rows it refused in its errList are `rejected-by-server`);
 * - `dry-run`: checked and built, nothing sent;
 * - `not-sent`: nothing went out (invalid rows, list too large, no rows, no connection);
 * - `refused`: the vendor refused the whole batch;
 * - `unknown`: the batch was sent and it is not known whether it was imported (check before sending again);
 * - `usage-error`: bad settings, file or column mapping; nothing was sent.
 */
export type ImportOutcome = SendResult['outcome'] | 'dry-run' | 'usage-error';

export interface ImportSummary {
  outcome: ImportOutcome;
  /** One paragraph for people (hints on indented lines after the first). */
  message: string;
  file: string;
  userTaskID: string;
  /** Where it was (or would have been) sent; undefined when the settings could not be resolved. */
  baseUrl?: string | undefined;
  dryRun: boolean;
  /** Dry run: the size of the JSON body that would be sent. */
  bodyBytes?: number | undefined;
  /** Input rows (blank rows excepted), i.e. lines in the report. */
  rows: number;
  /** Rows per report status. */
  counts: StatusCounts;
  /** The counts of a retCode 0 answer, as the vendor gave them. */
  vendorCounts?: SendResult['vendorCounts'];
  requestID?: string | undefined;
  responseID?: string | undefined;
  /** The answer's retCode; for an answer whose signature did not verify, the retCode it claims. */
  retCode?: number | undefined;
  attempts?: number | undefined;
  /** The report's path, when it was written. */
  report?: string | undefined;
  /** Rows refused by the checks, with why (all of them; the report has them too). */
  problems: RowNotice[];
  warnings: RowNotice[];
  /** Set when something failed after the batch went out (then `outcome` is `unknown`). */
  failedAfterSend?: FailureAfterSend | undefined;
}

/**
 * Imports one call list as one batch. Resolves with the summary whatever the outcome (a usage
 * error included); rejects only on a bug before anything was sent.
 */
export async function runImport(request: ImportRequest, io: ImportIO = {}): Promise<ImportSummary> {
  const emit = io.onEvent ?? (() => {});
  const base = {
    file: request.file,
    userTaskID: request.userTaskID,
    dryRun: Boolean(request.dryRun),
  };
  const run: Run = { request, io, emit, base };
  try {
    return await importFile(run);
  } catch (error) {
    // First: once the batch has left, whatever went wrong, its outcome is what matters.
    if (run.sent) {
      const failure = await crashAfterSend(error, run.sent);
      return {
        ...base,
        baseUrl: run.settings?.baseUrl,
        outcome: 'unknown',
        message: `failed after the batch was sent: ${failure.error}`,
        rows: run.sent.outcomes.length,
        counts: countStatuses(run.sent.outcomes),
        requestID: run.sent.requestID,
        report: failure.reportError === undefined ? failure.reportPath : undefined,
        problems: run.builder?.problems() ?? [],
        warnings: run.builder?.warnings ?? [],
        failedAfterSend: failure,
      };
    }
    if (error instanceof ConfigError || error instanceof MappingError || error instanceof InputFileError) {
      if (run.reportCreated) rmSync(run.reportCreated, { force: true });
      return {
        ...base,
        baseUrl: run.settings?.baseUrl,
        outcome: 'usage-error',
        message: error.message,
        rows: 0,
        counts: countStatuses([]),
        problems: [],
        warnings: [],
      };
    }
    throw error;
  }
}

interface Run {
  request: ImportRequest;
  io: ImportIO;
  emit: (event: ImportEvent) => void;
  base: Pick<ImportSummary, 'file' | 'userTaskID' | 'dryRun'>;
  settings?: ConnectionSettings;
  builder?: BatchBuilder;
  /** The report file, if this run created it (removed again if the run stops with a usage error). */
  reportCreated?: string;
  /** Set when the batch first goes on the wire: from then on a failure means "outcome unknown". */
  sent?: SentState;
}

async function importFile(run: Run): Promise<ImportSummary> {
  const { request, io, emit } = run;
  const { file, userTaskID } = request;
  const dryRun = Boolean(request.dryRun);
  const gzip = request.gzip ?? true;
  const maxBatchSize = request.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;

  const settings = resolveConnection(request.connection ?? {}, io.env ?? {});
  run.settings = settings;
  const overrides = parseColumnOverrides(request.columns ?? []);
  checkEnvelope(userTaskID, settings);
  emit({
    type: 'connection',
    message: `sending as ${settings.uuid}${settings.usingDemoAccount ? ' (the mock\'s demo account)' : ` (secret ${maskSecret(settings.secretKey)} from ${settings.credentialsFrom})`} to ${settings.baseUrl}${dryRun ? ' — dry run, nothing will be sent' : ''}`,
    baseUrl: settings.baseUrl,
    uuid: settings.uuid,
    usingDemoAccount: settings.usingDemoAccount,
    credentialsFrom: settings.credentialsFrom,
    dryRun,
  });

  // The report is written last, after sending: make sure it can be, before anything is sent.
  const report = prepareReportPath(request.report ?? defaultReportName(userTaskID, io.now?.() ?? new Date()), file);
  const reportPath = report.path;
  if (report.created) run.reportCreated = reportPath;

  // 1. Read and check every row (one streaming pass).
  const builder = new BatchBuilder({ userTaskID, overrides, allowDuplicatePhones: Boolean(request.allowDuplicatePhones) });
  run.builder = builder;
  const reader = openRowReader(file, { format: request.format, delimiter: request.delimiter, onHeader: (header) => builder.useHeader(header) });
  emit({ type: 'step', step: 'read', label: `reading ${basename(file)}`, total: reader.totalBytes });
  let rows = 0;
  for await (const row of reader.rows()) {
    builder.add(row);
    rows += 1;
    if (rows % 1000 === 0) emit({ type: 'step-progress', step: 'read', value: reader.bytesRead(), note: `${rows} rows` });
  }
  builder.doneAdding();
  if (reader.format === 'csv' && !reader.header()) throw new InputFileError(`${file} is empty: expected a header row`);
  const problems = builder.problems();
  const blank = reader.blankRows();
  emit({ type: 'step-done', step: 'read', result: `${rows} rows read, ${builder.orders.length} valid, ${problems.length} invalid${blank ? `, ${blank} blank rows skipped` : ''}` });
  emit({ type: 'checked', rows, valid: builder.orders.length, blankRows: blank, problems, warnings: builder.warnings, ignoredColumns: builder.ignoredColumns });

  const finish = async (outcome: ImportOutcome, message: string, extra: Partial<ImportSummary> = {}): Promise<ImportSummary> => {
    await writeReport(reportPath, builder.outcomes);
    emit({ type: 'report', path: reportPath });
    return {
      ...run.base,
      baseUrl: settings.baseUrl,
      ...extra,
      outcome,
      message,
      rows: builder.outcomes.length,
      counts: countStatuses(builder.outcomes),
      report: reportPath,
      problems,
      warnings: builder.warnings,
    };
  };

  // 2. Decide whether this batch may be sent at all.
  const refuse = (reason: string, message: string) => {
    for (const row of builder.sendable) row.reason = reason;
    return finish('not-sent', message);
  };
  if (rows === 0) return refuse('', `${file} has no data rows: nothing to send`);
  if (problems.length > 0 && !request.skipInvalid) {
    return refuse(`not sent: the file has ${problems.length} invalid rows`, `nothing sent: ${problems.length} of ${rows} rows are invalid (see above and the report). Fix them, or use --skip-invalid to send the ${builder.orders.length} valid rows.`);
  }
  if (builder.orders.length === 0) return refuse('', 'nothing sent: no valid rows');
  if (builder.orders.length > maxBatchSize) {
    return refuse(`not sent: ${builder.orders.length} orders exceed the batch limit of ${maxBatchSize}`,
      `nothing sent: ${builder.orders.length} orders is more than the batch limit of ${maxBatchSize} (--max-batch-size).\n` +
      '  The list is not split into several imports: each importBatchCall replaces the undialed orders of the\n' +
      '  previous batch, so only the last part would ever be called. Split the list by task, or raise the limit\n' +
      '  if the server accepts bigger batches.');
  }

  // 3. Dry run: build the exact body, measure it, send nothing.
  if (dryRun) {
    emit({ type: 'step', step: 'build', label: 'building the body' });
    const text = JSON.stringify(batchBody(userTaskID, settings, builder.orders));
    const bytes = Buffer.byteLength(text);
    const gzipped = gzip ? gzipSync(text, { level: 1 }).byteLength : undefined;
    emit({ type: 'step-done', step: 'build', result: `${builder.orders.length} orders, ${formatBytes(bytes)} JSON${gzipped === undefined ? '' : `, ${formatBytes(gzipped)} gzipped`}` });
    for (const row of builder.sendable) row.reason = 'dry run: valid, not sent';
    return finish('dry-run', `dry run: ${builder.orders.length} orders would be sent as one batch`, { bodyBytes: bytes });
  }

  // 4. Send, waiting through "not processed" answers (batch import in progress, …) as the
  // client retries. The client serializes, signs and compresses inside one call; its first
  // fetch marks the end of that.
  emit({ type: 'step', step: 'prepare', label: `preparing ${builder.orders.length} orders (JSON, signature${gzip ? ', gzip' : ''})` });
  let preparing = true;
  const result = await sendBatch({
    settings, userTaskID, orders: builder.orders, sendable: builder.sendable, gzip, timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxAttempts: request.maxAttempts,
    fetch: io.fetch,
    onRetry: (info) => emit({ type: 'retry', attempt: info.attempt, delayMs: info.delayMs, reason: retryReason(info.retCode, info.code), retCode: info.retCode, code: info.code }),
    onAttempt: (attempt, requestID) => {
      run.sent = { requestID, reportPath, outcomes: builder.outcomes, sendable: builder.sendable };
      if (preparing) {
        preparing = false;
        emit({ type: 'step-done', step: 'prepare', result: 'ready' });
        emit({ type: 'step', step: 'send', label: 'sending' });
      }
      emit({ type: 'attempt', attempt, requestID });
    },
  });
  if (preparing) emit({ type: 'step-done', step: 'prepare', result: result.message }); // nothing left: no attempt was made
  else emit({ type: 'step-done', step: 'send', result: result.message });
  for (const e of result.unmatchedErrors) emit({ type: 'warning', message: `the server rejected phone ${e.phone} (${e.errMsg}), which matches no row sent` });
  return finish(result.outcome, result.message, {
    vendorCounts: result.vendorCounts,
    requestID: result.requestID,
    responseID: result.responseID,
    retCode: result.retCode,
    attempts: result.attempts,
  });
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

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
