import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MockLimits, newRequestId, Operations, validateAgainst } from 'callbot-contract';
import { batchBody, measureBody, type BatchEnvelope, type BatchOperation, type NewTask } from './batch-body.js';
import { BatchBuilder, type RowNotice } from './build-batch.js';
import { MappingError, parseColumnOverrides } from './column-mapping.js';
import { crashAfterSend, type FailureAfterSend, type SentState } from './crash-after-send.js';
import { ConfigError, describeCredentials, resolveConnection, type ConnectionFlags, type ConnectionSettings, type Source } from '../shared/credentials.js';
import { DEFAULT_MAX_ROW_BYTES, InputFileError, openRowReader, type InputFormat } from './read-rows.js';
import { countStatuses, defaultReportName, reportText, writeErrorCode, writeReport, type StatusCounts } from './report.js';
import { prepareNewReportPath, prepareReportPath, type ProtectedFile, type ReportTarget, writeToTarget } from './report-path.js';
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
// limit is refused, never chunked (for addBatchCall and createAndCall too: one list, one
// request, one outcome to reconcile).
//
// The report: written where `report` says, or — when no path is given — only when it is needed
// (a row not accepted, an outcome unknown), beside the input file. Crash safety comes first:
// before the request leaves, the report on disk lists every sent row `unknown` with its
// requestID; without `report`, that pre-send copy is removed again once the answer says every
// row was accepted.

/** The mock's cap on a call list (the vendor publishes none): a list it would refuse is refused before it is sent. */
export const DEFAULT_MAX_BATCH_SIZE = MockLimits.CallInfoList.callList.maxItems;
export const DEFAULT_TIMEOUT_MS = 120_000;
/** The largest JSON body sent (before gzip): 32 MiB, the mock's `maxBodyBytes`. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** How long an interrupted send still waits for its answer. */
export const DEFAULT_INTERRUPT_GRACE_MS = 5000;
export { DEFAULT_MAX_ROW_BYTES };

/** What to import, and how: the `callbot import` flags as options. */
export interface ImportRequest {
  /** The call list: CSV (UTF-8, comma or semicolon, a header row) or JSON Lines. */
  file: string;
  /** The task whose batch the list becomes (userTaskID). */
  userTaskID: string;
  /**
   * `importBatchCall` (default): the list replaces the task's undialed orders; `addBatchCall`:
   * it is added to them; `createAndCall`: the task is created with it (`newTask` required).
   */
  operation?: BatchOperation | undefined;
  /** For `createAndCall`: the script template (sceneID) and optional task name. */
  newTask?: NewTask | undefined;
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
  /**
   * Refuse a batch whose JSON body (before gzip) would be larger than this many bytes, naming
   * the row from which on it is. Default 32 MiB (the mock's limit).
   */
  maxBodyBytes?: number | undefined;
  /** The longest CSV record or JSON line, in bytes: a longer one stops the reading (a usage error naming the row). Default 64 KiB. */
  maxRowBytes?: number | undefined;
  /** Interrupted (`io.signal`) while the batch is out: how long to wait for its answer. Default 5 s. */
  interruptGraceMs?: number | undefined;
  /** Read, check and build the body, but send nothing. */
  dryRun?: boolean | undefined;
  /**
   * Where to write the per-row report (always written there). Default: only when needed (a row
   * not accepted, or the outcome unknown), as `callbot-report-<task>-<time>.csv` beside the
   * input file (`…-2.csv`, `…-3.csv` when that name is taken: it never replaces a file); the
   * pre-send copy written there before sending is removed after a fully accepted answer. The
   * summary's `report` names the file written.
   */
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
  /**
   * Stops the import (the command aborts it on SIGINT and SIGTERM). Before the batch is sent:
   * nothing is sent and the run ends at once (outcome `not-sent`, `interrupted: 'before-send'`).
   * While it is out: the run waits `interruptGraceMs` for the answer; without one it ends with
   * outcome `unknown` (`interrupted: 'sending'`), the report listing every sent row `unknown`
   * with its requestID. An answer that comes in time is used as usual.
   */
  signal?: AbortSignal | undefined;
}

export type ImportStep = 'read' | 'build' | 'prepare' | 'send';

/** Progress of one run, in order. Each `step` ends with a `step-done` of the same step. */
export type ImportEvent =
  /** Where the batch goes and as whom (the secret only as its length). */
  | {
      type: 'connection';
      message: string;
      baseUrl: string;
      uuid: string;
      usingDemoAccount: boolean;
      /** Where the uuid came from (`uuidFrom`; kept under its old name). */
      credentialsFrom: Source;
      uuidFrom: Source;
      secretFrom: Source;
      dryRun: boolean;
    }
  | { type: 'step'; step: ImportStep; label: string /** Bytes, for `read`. */; total?: number }
  | { type: 'step-progress'; step: ImportStep; value: number; note: string }
  | { type: 'step-done'; step: ImportStep; result: string }
  /** Every row is read and checked: what is listed before anything is sent. */
  | {
      type: 'checked';
      rows: number;
      valid: number;
      blankRows: number;
      problems: readonly RowNotice[];
      warnings: readonly RowNotice[];
      ignoredColumns: readonly string[];
    }
  /** A signed request leaves (once per attempt), with its requestID header. */
  | { type: 'attempt'; attempt: number; requestID: string | undefined }
  /** An attempt the vendor certainly did not process; the next one follows after `delayMs`. */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string; retCode?: number | undefined; code?: string | undefined }
  | { type: 'warning'; message: string }
  /** `io.signal` aborted before anything was sent (or while waiting to send again): the run stops, nothing more is sent. */
  | { type: 'interrupted'; phase: 'before-send' }
  /**
   * `io.signal` aborted while the batch is out: `report` already lists every sent row as
   * `unknown` with the requestIDs; the run waits up to `graceMs` for the answer.
   */
  | { type: 'interrupted'; phase: 'sending'; requestIDs: string[]; report: string; graceMs: number }
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
  /** The vendor operation used (or that would have been used). */
  operation: BatchOperation;
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
  /** Set after a retCode 0 answer: whether it had counts and an errList (false: accepted as a whole only). */
  perRowDetail?: boolean | undefined;
  requestID?: string | undefined;
  responseID?: string | undefined;
  /** The answer's retCode; for an answer whose signature did not verify, the retCode it claims. */
  retCode?: number | undefined;
  attempts?: number | undefined;
  /** The report's path, when one is on disk (none after a fully accepted run without `report`). */
  report?: string | undefined;
  /** Rows refused by the checks, with why (all of them; the report has them too). */
  problems: RowNotice[];
  warnings: RowNotice[];
  /** Set when something failed after the batch went out (then `outcome` is `unknown`). */
  failedAfterSend?: FailureAfterSend | undefined;
  /**
   * Set when `io.signal` stopped the run: `before-send` (nothing was sent, or only attempts the
   * server did not process; outcome `not-sent`) or `sending` (no answer within the grace period;
   * outcome `unknown`).
   */
  interrupted?: 'before-send' | 'sending' | undefined;
  /** The report as CSV text when it could be written nowhere, not even in the OS temp folder (the command prints it). */
  unsavedReport?: string | undefined;
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
    operation: request.operation ?? 'importBatchCall',
    dryRun: Boolean(request.dryRun),
  };
  const run: Run = { request, io, emit, base, phase: 'preparing', requestIDs: [] };
  const graceMs = request.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
  const onAbort = () => {
    run.wakeSleep?.();
    if (run.phase === 'preparing' || run.phase === 'waiting') {
      emit({ type: 'interrupted', phase: 'before-send' });
      return;
    }
    emit({ type: 'interrupted', phase: 'sending', requestIDs: [...run.requestIDs], report: run.target!.journal, graceMs });
    run.graceTimer = setTimeout(() => run.expireGrace?.(), graceMs);
  };
  if (io.signal?.aborted) onAbort();
  else io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await importFile(run);
  } catch (error) {
    // First: once the batch has left, whatever went wrong, its outcome is what matters.
    if (run.sent) {
      const failure = await crashAfterSend(error, run.sent);
      const where = failure.fallbackReport
        ? `; the results are in ${failure.fallbackReport}`
        : failure.unsavedReport
          ? '; the results could not be written anywhere: printed instead'
          : '';
      return {
        ...base,
        baseUrl: run.settings?.baseUrl,
        outcome: 'unknown',
        message: `failed after the batch was sent: ${failure.error}${where}`,
        rows: run.sent.outcomes.length,
        counts: countStatuses(run.sent.outcomes),
        requestID: run.sent.requestID,
        report: failure.reportError === undefined ? failure.reportPath : undefined,
        problems: run.builder?.problems() ?? [],
        warnings: run.builder?.warnings ?? [],
        failedAfterSend: failure,
      };
    }
    if (error instanceof Interrupted) {
      return {
        ...base,
        baseUrl: run.settings?.baseUrl,
        outcome: 'not-sent',
        message: 'interrupted before sending: nothing was sent',
        rows: 0,
        counts: countStatuses([]),
        problems: [],
        warnings: [],
        interrupted: 'before-send',
      };
    }
    if (error instanceof ConfigError || error instanceof MappingError || error instanceof InputFileError) {
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
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    clearTimeout(run.graceTimer);
  }
}

/** Thrown inside the engine when `io.signal` stops the run before (more of) the batch is sent. */
class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** The pre-send report could not be written: nothing of that attempt was sent. */
class JournalError extends Error {
  readonly code: string;
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write the report ${path} (${writeErrorCode(cause)})`, { cause });
    this.code = writeErrorCode(cause);
  }
}

interface Run {
  request: ImportRequest;
  io: ImportIO;
  emit: (event: ImportEvent) => void;
  base: Pick<ImportSummary, 'file' | 'userTaskID' | 'operation' | 'dryRun'>;
  settings?: ConnectionSettings;
  builder?: BatchBuilder;
  target?: ReportTarget;
  /**
   * `preparing`: nothing is out; `sending`: an attempt is out (its outcome unknown until the
   * answer); `waiting`: between attempts, the last one not processed; `answered`: the answer is in.
   */
  phase: 'preparing' | 'sending' | 'waiting' | 'answered';
  /** Every requestID put on the wire, in order. */
  requestIDs: string[];
  /** Whether the pre-send report (every sent row `unknown`) was written. */
  journalWritten?: boolean;
  /** Set when the batch first goes on the wire: from then on a failure means "outcome unknown". */
  sent?: SentState;
  /** Ends an interrupted send's wait for the answer. */
  expireGrace?: () => void;
  graceTimer?: NodeJS.Timeout;
  /** Ends the wait between attempts early (interrupted). */
  wakeSleep?: () => void;
}

async function importFile(run: Run): Promise<ImportSummary> {
  const { request, io, emit } = run;
  const { file, userTaskID } = request;
  const dryRun = Boolean(request.dryRun);
  const gzip = request.gzip ?? true;
  const maxBatchSize = request.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const maxBodyBytes = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const signal = io.signal;
  const stopIfInterrupted = () => {
    if (signal?.aborted) throw new Interrupted();
  };

  const settings = resolveConnection(request.connection ?? {}, io.env ?? {});
  run.settings = settings;
  const overrides = parseColumnOverrides(request.columns ?? []);
  const envelope: BatchEnvelope = { operation: run.base.operation, userTaskID, newTask: request.newTask };
  checkEnvelope(envelope, settings);

  // Where the report goes, checked before anything is read or sent: it is written before the
  // batch leaves, and it must never replace the input, the config file or what a link points to.
  const protectedFiles: ProtectedFile[] = [{ path: file, label: 'the input file' }];
  if (settings.configFile) protectedFiles.push({ path: settings.configFile, label: 'the config file' });
  const reportAsked = request.report !== undefined;
  const target = reportAsked ? prepareReportPath(request.report!, protectedFiles) : besideInput(file, defaultReportName(userTaskID, io.now?.() ?? new Date()));
  run.target = target;

  emit({
    type: 'connection',
    message: `sending as ${settings.uuid} (${describeCredentials(settings)}) to ${settings.baseUrl}${dryRun ? ' — dry run, nothing will be sent' : ''}`,
    baseUrl: settings.baseUrl,
    uuid: settings.uuid,
    usingDemoAccount: settings.usingDemoAccount,
    credentialsFrom: settings.credentialsFrom,
    uuidFrom: settings.uuidFrom,
    secretFrom: settings.secretFrom,
    dryRun,
  });
  if (settings.credentialsWarning) emit({ type: 'warning', message: settings.credentialsWarning });
  if (target.kind === 'device' && !dryRun) {
    emit({
      type: 'warning',
      message: `the report ${target.path} is not a regular file: until the answer is in, the rows sent are recorded in ${target.journal}`,
    });
  }
  stopIfInterrupted();

  // 1. Read and check every row (one streaming pass).
  const builder = new BatchBuilder({ userTaskID, overrides, allowDuplicatePhones: Boolean(request.allowDuplicatePhones) });
  run.builder = builder;
  const reader = openRowReader(file, {
    format: request.format,
    delimiter: request.delimiter,
    maxRowBytes: request.maxRowBytes,
    onHeader: (header) => builder.useHeader(header),
  });
  emit({ type: 'step', step: 'read', label: `reading ${basename(file)}`, total: reader.totalBytes });
  let rows = 0;
  let reported = 0;
  for await (const batch of reader.batches()) {
    stopIfInterrupted();
    for (const row of batch) builder.add(row);
    rows += batch.length;
    if (rows - reported >= 1000) {
      reported = rows;
      emit({ type: 'step-progress', step: 'read', value: reader.bytesRead(), note: `${rows} rows` });
    }
  }
  stopIfInterrupted();
  builder.doneAdding();
  if (reader.format === 'csv' && !reader.header()) throw new InputFileError(`${file} is empty: expected a header row`);
  const problems = builder.problems();
  const blank = reader.blankRows();
  emit({
    type: 'step-done',
    step: 'read',
    result: `${rows} rows read, ${builder.orders.length} valid, ${problems.length} invalid${blank ? `, ${blank} blank rows skipped` : ''}`,
  });
  emit({ type: 'checked', rows, valid: builder.orders.length, blankRows: blank, problems, warnings: builder.warnings, ignoredColumns: builder.ignoredColumns });

  const summaryOf = (outcome: ImportOutcome, message: string, extra: Partial<ImportSummary> = {}): ImportSummary => ({
    ...run.base,
    baseUrl: settings.baseUrl,
    ...extra,
    outcome,
    message,
    rows: builder.outcomes.length,
    counts: countStatuses(builder.outcomes),
    problems,
    warnings: builder.warnings,
  });

  const finish = async (outcome: ImportOutcome, message: string, extra: Partial<ImportSummary> = {}): Promise<ImportSummary> => {
    if (!reportAsked && !reportNeeded(outcome, builder.outcomes)) {
      // Every row accepted (or, dry run, valid) and no --report: no file is left behind. The
      // pre-send copy has served its purpose: the outcome is known.
      if (run.journalWritten) {
        try {
          await rm(target.journal, { force: true });
        } catch (error) {
          emit({ type: 'warning', message: `could not remove the pre-send report ${target.journal} (${writeErrorCode(error)}); every row in it was accepted` });
        }
      }
      return summaryOf(outcome, message, extra);
    }
    try {
      await writeToTarget(target, builder.outcomes);
      // A device got the report: the pre-send copy in the temp folder has served its purpose.
      if (target.kind === 'device' && run.journalWritten) await rm(target.journal, { force: true });
    } catch (error) {
      if (run.sent) throw error; // after sending: the crash path (runImport) keeps the results
      // Nothing was sent: say so in one line, and keep the report in the temp folder (or print it).
      const why = `cannot write the report ${target.path} (${writeErrorCode(error)}); nothing was sent`;
      try {
        await writeReport(target.fallback, builder.outcomes);
        return summaryOf('usage-error', `${why}; the report is in ${target.fallback}`);
      } catch (fallbackError) {
        return summaryOf(
          'usage-error',
          `${why}; the report could not be written to ${target.fallback} either (${writeErrorCode(fallbackError)}): it is printed instead`,
          { unsavedReport: reportText(builder.outcomes) },
        );
      }
    }
    emit({ type: 'report', path: target.path });
    return summaryOf(outcome, message, { ...extra, report: target.path });
  };

  // 2. Decide whether this batch may be sent at all.
  const refuse = (reason: string, message: string) => {
    for (const row of builder.sendable) row.reason = reason;
    return finish('not-sent', message);
  };
  if (rows === 0) return refuse('', `${file} has no data rows: nothing to send`);
  if (problems.length > 0 && !request.skipInvalid) {
    return refuse(
      `not sent: the file has ${problems.length} invalid rows`,
      `nothing sent: ${problems.length} of ${rows} rows are invalid (see above and the report). Fix them, or use --skip-invalid to send the ${builder.orders.length} valid rows.`,
    );
  }
  if (builder.orders.length === 0) return refuse('', 'nothing sent: no valid rows');
  const notSplit =
    envelope.operation === 'importBatchCall'
      ? '  The list is not split into several imports: each importBatchCall replaces the undialed orders of the\n' +
        '  previous batch, so only the last part would ever be called.'
      : `  The list is not split into several requests: it goes out as one ${envelope.operation}, with one outcome.`;
  if (builder.orders.length > maxBatchSize) {
    return refuse(
      `not sent: ${builder.orders.length} orders exceed the batch limit of ${maxBatchSize}`,
      `nothing sent: ${builder.orders.length} orders is more than the batch limit of ${maxBatchSize} (--max-batch-size).\n${notSplit} Split the list by task, or raise the limit\n` +
        '  if the server accepts bigger batches.',
    );
  }
  const body = measureBody(envelope, settings, builder.orders, maxBodyBytes);
  if (body.firstOver !== undefined) {
    const row = builder.sendable[body.firstOver]!.row;
    return refuse(
      `not sent: the body would be ${body.bytes} bytes, over the limit of ${maxBodyBytes} (--max-body-bytes) from row ${row} on`,
      `nothing sent: the body would be ${body.bytes} bytes (${formatBytes(body.bytes)}), over the limit of ${maxBodyBytes} bytes (--max-body-bytes);\n` +
        `  the orders up to row ${row} already pass it (look for unusually long values).\n${notSplit} Shorten the rows, split the list by task,\n` +
        '  or raise the limit if the server accepts bigger bodies.',
    );
  }

  // 3. Dry run: build the exact body, measure it, send nothing.
  if (dryRun) {
    emit({ type: 'step', step: 'build', label: 'building the body' });
    const text = JSON.stringify(batchBody(envelope, settings, builder.orders));
    const bytes = Buffer.byteLength(text);
    const gzipped = gzip ? gzipSync(text, { level: 1 }).byteLength : undefined;
    emit({
      type: 'step-done',
      step: 'build',
      result: `${builder.orders.length} orders, ${formatBytes(bytes)} JSON${gzipped === undefined ? '' : `, ${formatBytes(gzipped)} gzipped`}`,
    });
    for (const row of builder.sendable) row.reason = 'dry run: valid, not sent';
    return finish('dry-run', `dry run: ${builder.orders.length} orders would be sent as one batch`, { bodyBytes: bytes });
  }

  // 4. Send, waiting through "not processed" answers (batch import in progress, …) as the
  // client retries. The client serializes, signs and compresses inside one call; its first
  // fetch marks the end of that. Before each attempt's request is even built, the report on disk
  // lists every row it sends as `unknown` with the requestIDs so far (written to a temporary
  // file, flushed, renamed; the engine picks each attempt's requestID for the client, so it is
  // known in advance): whatever stops the process from then on, no row is unaccounted for.
  stopIfInterrupted();
  emit({ type: 'step', step: 'prepare', label: `preparing ${builder.orders.length} orders (JSON, signature${gzip ? ', gzip' : ''})` });
  let preparing = true;
  /** The requestID whose pre-send report is on disk (the next attempt's). */
  let journaled: string | undefined;
  const journal = async (requestID: string) => {
    const reason = journalReason([...run.requestIDs, requestID]);
    for (const row of builder.sendable) {
      row.status = 'unknown';
      row.reason = reason;
    }
    try {
      await writeToTarget(target, builder.outcomes, 'journal');
    } catch (error) {
      for (const row of builder.sendable) {
        row.status = 'not-sent';
        row.reason = '';
      }
      throw new JournalError(target.journal, error);
    }
    run.journalWritten = true;
    journaled = requestID;
  };
  let nextRequestID = newRequestId();
  const graceExpired = new Promise<'grace-expired'>((resolve) => {
    run.expireGrace = () => resolve('grace-expired');
  });

  let result: SendResult;
  try {
    await journal(nextRequestID);
    stopIfInterrupted();
    const sending = sendBatch({
      settings,
      envelope,
      orders: builder.orders,
      sendable: builder.sendable,
      gzip,
      timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxAttempts: request.maxAttempts,
      fetch: io.fetch,
      requestId: () => nextRequestID,
      onRetry: (info) => {
        run.phase = 'waiting'; // the last attempt was not processed: nothing is out
        emit({
          type: 'retry',
          attempt: info.attempt,
          delayMs: info.delayMs,
          reason: retryReason(info.retCode, info.code),
          retCode: info.retCode,
          code: info.code,
        });
      },
      sleep: async (ms) => {
        await new Promise<void>((resolve, reject) => {
          if (signal?.aborted) return reject(new Interrupted());
          const timer = setTimeout(() => {
            run.wakeSleep = undefined;
            resolve();
          }, ms);
          run.wakeSleep = () => {
            clearTimeout(timer);
            run.wakeSleep = undefined;
            reject(new Interrupted());
          };
        });
        nextRequestID = newRequestId();
        await journal(nextRequestID);
        stopIfInterrupted();
      },
      beforeAttempt: async (_attempt, requestID) => {
        stopIfInterrupted();
        // The report names this requestID already, unless the client picked another one.
        if (requestID !== journaled) {
          await journal(requestID ?? '?');
          stopIfInterrupted();
        }
        // From here to fetch nothing waits: a signal is seen before, or after the request left.
        run.requestIDs = [...run.requestIDs, requestID ?? '?'];
        run.sent = { requestID, requestIDs: run.requestIDs, target, outcomes: builder.outcomes, sendable: builder.sendable, answered: false };
        run.phase = 'sending';
      },
      onAttempt: (attempt, requestID) => {
        if (preparing) {
          preparing = false;
          emit({ type: 'step-done', step: 'prepare', result: 'ready' });
          emit({ type: 'step', step: 'send', label: 'sending' });
        }
        emit({ type: 'attempt', attempt, requestID });
      },
    });
    sending.catch(() => {}); // when the grace period ends first, nobody waits for it any more
    const first = await Promise.race([sending, graceExpired]);
    if (first === 'grace-expired') {
      // Interrupted, and no answer in time: the report on disk already says what is known.
      const requestID = run.requestIDs.at(-1);
      emit({ type: 'step-done', step: 'send', result: 'interrupted: no answer' });
      emit({ type: 'report', path: target.journal });
      return summaryOf(
        'unknown',
        `interrupted while sending: no answer within ${formatMs(request.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS)}; the outcome of requestID ${requestID} is unknown.\n` +
          `  The report lists every sent row as unknown with its requestID: check the task before sending again.`,
        { requestID, attempts: run.requestIDs.length, report: target.journal, interrupted: 'sending' },
      );
    }
    result = first;
  } catch (error) {
    if (error instanceof Interrupted) {
      // Stopped before this attempt went out (or while waiting to send again): nothing of it was
      // sent, and the earlier attempts, if any, were not processed.
      const earlier = run.requestIDs;
      run.sent = undefined;
      if (preparing) emit({ type: 'step-done', step: 'prepare', result: 'interrupted' });
      else emit({ type: 'step-done', step: 'send', result: 'interrupted' });
      if (!run.journalWritten) throw error; // no report was written: none is left behind
      if (earlier.length === 0 && (target.kind === 'device' || !target.existed)) {
        // Nothing was ever sent, and the report is this run's own pre-send copy: leave none behind.
        await rm(target.journal, { force: true });
        throw error;
      }
      for (const row of builder.sendable) {
        row.status = 'not-sent';
        row.reason =
          earlier.length > 0
            ? `not sent: interrupted while waiting to send again (requestID ${earlier.join(', ')}: not processed)`
            : 'not sent: interrupted before sending';
      }
      return finish(
        'not-sent',
        earlier.length > 0
          ? `interrupted while waiting to send again: nothing was imported (requestID ${earlier.join(', ')}: not processed)`
          : 'interrupted before sending: nothing was sent',
        { interrupted: 'before-send', requestID: earlier.at(-1), attempts: earlier.length },
      );
    }
    if (error instanceof JournalError && !run.sent) {
      if (preparing) emit({ type: 'step-done', step: 'prepare', result: 'not sent' });
      throw new ConfigError(`${error.message}; nothing was sent`);
    }
    throw error;
  }
  run.phase = 'answered';
  if (run.sent) run.sent.answered = true;
  // Every attempt was refused before connecting or not processed: nothing was imported, and a
  // failure from here on (the report) is not one "after the batch was sent".
  if (result.outcome === 'not-sent') run.sent = undefined;
  if (run.requestIDs.length > 1) {
    const earlier = `; earlier requestIDs (not processed): ${run.requestIDs.slice(0, -1).join(', ')}`;
    for (const row of builder.sendable) if (row.status === 'unknown') row.reason += earlier;
  }
  if (preparing)
    emit({ type: 'step-done', step: 'prepare', result: result.message }); // nothing left: no attempt was made
  else emit({ type: 'step-done', step: 'send', result: result.message });
  for (const e of result.unmatchedErrors) emit({ type: 'warning', message: `the server rejected phone ${e.phone} (${e.errMsg}), which matches no row sent` });
  return finish(result.outcome, result.message, {
    vendorCounts: result.vendorCounts,
    perRowDetail: result.perRowDetail,
    requestID: result.requestID,
    responseID: result.responseID,
    retCode: result.retCode,
    attempts: result.attempts,
  });
}

/** The reason of a sent row until its answer is in. */
function journalReason(requestIDs: readonly string[]): string {
  const earlier = requestIDs.length > 1 ? ` (earlier attempts, not processed: ${requestIDs.slice(0, -1).join(', ')})` : '';
  return `outcome unknown: sent as requestID ${requestIDs.at(-1)}${earlier} and no answer recorded; check the task before sending again`;
}

const formatMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** The parts of the body that do not come from the file, checked against the operation's request schema before reading it. */
function checkEnvelope(envelope: BatchEnvelope, settings: ConnectionSettings): void {
  if (envelope.operation === 'createAndCall' && !envelope.newTask) throw new ConfigError('createAndCall needs the sceneID of the new task');
  const probe = { orderID: 'probe', userPhone: '8615600000000', other: '', userName: '', customerName: '', params: [] };
  const issues = validateAgainst(Operations[envelope.operation].requestSchema, batchBody(envelope, settings, [probe]));
  if (issues.length > 0) throw new ConfigError(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
}

/**
 * Whether a run without --report must leave its report on disk: a row not accepted (refused,
 * not sent, unknown), or the whole outcome unknown. A dry run's valid rows are "not sent" by
 * design: there, only invalid rows make the report needed.
 */
export function reportNeeded(outcome: ImportOutcome, outcomes: readonly { status: string }[]): boolean {
  if (outcome === 'unknown') return true;
  if (outcome === 'dry-run') return outcomes.some((row) => row.status === 'rejected-locally');
  return outcomes.some((row) => row.status !== 'accepted');
}

/**
 * The default report: beside the input file (not in the working directory), a new file that
 * replaces nothing (`-2`, `-3`, … when the name is taken: report-path.ts).
 */
function besideInput(file: string, name: string): ReportTarget {
  const path = join(dirname(resolve(file)), name);
  try {
    return prepareNewReportPath(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      `${error.message}: without --report, the report goes beside the input file (it is written before sending, in case the run is cut short); give --report PATH to put it elsewhere`,
    );
  }
}

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
