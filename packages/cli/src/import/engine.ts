import type { BatchBuilder, RowNotice, RowOutcome } from './build-batch.js';
import { MappingError } from './column-mapping.js';
import { crashAfterSend } from './crash-after-send.js';
import { ConfigError, type ConnectionSettings } from '../shared/credentials.js';
import { readAndCheck } from './read-and-check.js';
import { InputFileError } from './read-rows.js';
import { countStatuses } from './report.js';
import { setUpRun } from './run-setup.js';
import { measureDryRun, refusalOf } from './send-gate.js';
import { createSendProtocol, Interrupted } from './send-protocol.js';
import { finishRun } from './finish-report.js';
import {
  DEFAULT_INTERRUPT_GRACE_MS,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  type ImportIO,
  type ImportOutcome,
  type ImportRequest,
  type ImportSummary,
} from './types.js';

export * from './types.js';

// The import engine, an orchestrator: one call sets the run up (run-setup.ts), reads and checks
// every row into the one batch (read-and-check.ts), decides whether it may be sent
// (send-gate.ts), sends it under the send protocol (send-protocol.ts: what is on disk before
// the request leaves, what after, what a signal does), writes the report (finish-report.ts) and
// says what happened. It prints nothing, reads no process state (argv, env, TTY) and picks no
// exit code: progress goes to `io.onEvent`, settings come from `request` and `io.env`, and the
// returned summary is what the `callbot import` front prints and maps to an exit code.

/**
 * Imports one call list as one batch. Resolves with the summary whatever the outcome (a usage
 * error included); rejects only on a bug before anything was sent.
 */
export async function runImport(request: ImportRequest, io: ImportIO = {}): Promise<ImportSummary> {
  const emit = io.onEvent ?? (() => {});
  const base = { file: request.file, userTaskID: request.userTaskID, operation: request.operation ?? 'importBatchCall', dryRun: Boolean(request.dryRun) };
  const protocol = createSendProtocol(io.signal, emit, request.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS);
  // What the failure paths below may report, as far as the run got.
  let settings: ConnectionSettings | undefined;
  let builder: BatchBuilder | undefined;
  const notImported = (outcome: ImportOutcome, message: string, extra: Partial<ImportSummary> = {}): ImportSummary => ({
    ...base,
    baseUrl: settings?.baseUrl,
    outcome,
    message,
    rows: 0,
    counts: countStatuses([]),
    problems: [],
    warnings: [],
    ...extra,
  });
  try {
    // 0. Settings, column mapping, envelope, where the report goes: a usage error sends nothing.
    const setup = setUpRun(request, io, emit, (resolved) => {
      settings = resolved;
    });
    protocol.stopIfInterrupted();
    // 1. Read and check every row.
    const checked = await readAndCheck(request, setup.overrides, emit, protocol.stopIfInterrupted, (b) => {
      builder = b;
    });
    const list = checked.builder;
    const summaryOf = (outcome: ImportOutcome, message: string, extra: Partial<ImportSummary> = {}): ImportSummary => ({
      ...base,
      baseUrl: setup.settings.baseUrl,
      ...extra,
      outcome,
      message,
      rows: list.outcomes.length,
      counts: countStatuses(list.outcomes),
      problems: checked.problems,
      refused: refusedRows(list.outcomes),
      warnings: list.warnings,
    });
    const finish = (outcome: ImportOutcome, message: string, extra?: Partial<ImportSummary>) =>
      finishRun(
        {
          target: setup.target,
          reportAsked: setup.reportAsked,
          outcomes: list.outcomes,
          sent: protocol.sent !== undefined,
          journalWritten: protocol.journalWritten,
          emit,
          summaryOf,
        },
        outcome,
        message,
        extra,
      );
    // 2. May it be sent at all? 3. Dry run: measure, send nothing.
    const refusal = refusalOf({
      file: request.file,
      rows: checked.rows,
      problems: checked.problems,
      builder: list,
      envelope: setup.envelope,
      settings: setup.settings,
      skipInvalid: Boolean(request.skipInvalid),
      maxBatchSize: request.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      maxBodyBytes: request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    });
    if (refusal) {
      for (const row of list.sendable) row.reason = refusal.reason;
      return await finish('not-sent', refusal.message);
    }
    const gzip = request.gzip ?? true;
    if (request.dryRun) {
      const bodyBytes = measureDryRun(setup.envelope, setup.settings, list, gzip, emit);
      return await finish('dry-run', `dry run: ${list.orders.length} orders would be sent as one batch`, { bodyBytes });
    }
    // 4. Send under the protocol; 5. the report.
    const end = await protocol.send({
      settings: setup.settings,
      envelope: setup.envelope,
      builder: list,
      target: setup.target,
      gzip,
      timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxAttempts: request.maxAttempts,
      fetch: io.fetch,
    });
    return end.then === 'finish' ? await finish(end.outcome, end.message, end.extra) : summaryOf(end.outcome, end.message, end.extra);
  } catch (error) {
    // First: once the batch has left, whatever went wrong, its outcome is what matters.
    const sent = protocol.sent;
    if (sent) {
      const failure = await crashAfterSend(error, sent);
      const where = failure.fallbackReport
        ? `; the results are in ${failure.fallbackReport}`
        : failure.unsavedReport
          ? '; the results could not be written anywhere: printed instead'
          : '';
      return notImported('unknown', `failed after the batch was sent: ${failure.error}${where}`, {
        rows: sent.outcomes.length,
        counts: countStatuses(sent.outcomes),
        requestID: sent.requestID,
        report: failure.reportError === undefined ? failure.reportPath : undefined,
        problems: builder?.problems() ?? [],
        warnings: builder?.warnings ?? [],
        failedAfterSend: failure,
      });
    }
    if (error instanceof Interrupted) return notImported('not-sent', 'interrupted before sending: nothing was sent', { interrupted: 'before-send' });
    if (error instanceof ConfigError || error instanceof MappingError || error instanceof InputFileError) return notImported('usage-error', error.message);
    throw error;
  } finally {
    protocol.dispose();
  }
}

/** The first rows the vendor refused one by one (errList), for the summary; all are in the report. */
function refusedRows(outcomes: readonly RowOutcome[], limit = 100): RowNotice[] {
  const refused: RowNotice[] = [];
  for (const outcome of outcomes) {
    if (outcome.status !== 'rejected-by-server') continue;
    refused.push({ row: outcome.row, message: outcome.reason });
    if (refused.length === limit) break;
  }
  return refused;
}
