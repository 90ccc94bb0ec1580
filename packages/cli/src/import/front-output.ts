import type { RowNotice } from './build-batch.js';
import type { BatchOperation } from './batch-body.js';
import { summaryTable } from './report.js';
import type { ImportEvent, ImportSummary } from './types.js';
import type { Progress, Step } from '../commands/progress.js';
import { printJson as printJsonTo, type VerbIo } from '../shared/io.js';

// The `callbot import` front's output (commands/import.ts runs it): the engine's events drawn as
// progress steps and lines on stderr, and the summary printed at the end — a table, or one
// JSON document with --json. The engine itself prints nothing.

/** Progress bars and a ticking countdown: only when stdout and stderr are both terminals. */
export const interactive = (io: Pick<VerbIo, 'stdout' | 'stderr'>) => Boolean(io.stdout.isTTY && io.stderr.isTTY);

/** The engine's events as progress steps and lines on stderr. */
export function drawEvents(progress: Progress, maxProblems: number): (event: ImportEvent) => void {
  let step: Step | undefined;
  const list = (label: string, notices: readonly RowNotice[]) => {
    for (const notice of notices.slice(0, maxProblems)) progress.line(`  ${label} row ${notice.row}: ${notice.message}`);
    if (notices.length > maxProblems) progress.line(`  … and ${notices.length - maxProblems} more ${label} rows (all are in the report)`);
  };
  return (event) => {
    switch (event.type) {
      case 'connection':
        progress.line(event.message);
        break;
      case 'step':
        step = progress.step(event.label, event.total);
        break;
      case 'step-progress':
        step?.update(event.value, event.note);
        break;
      case 'step-done':
        step?.done(event.result);
        step = undefined;
        break;
      case 'checked':
        if (event.ignoredColumns.length > 0) progress.line(`note: ignored columns (not a known field): ${event.ignoredColumns.join(', ')}`);
        list('invalid', event.problems);
        list('warning', event.warnings);
        break;
      case 'attempt':
        if (event.attempt > 1) progress.line(`sending again (attempt ${event.attempt})`);
        break;
      case 'retry':
        progress.countdown((s) => `${event.reason}, retrying in ${s}s…`, event.delayMs);
        break;
      case 'warning':
        progress.line(`warning: ${event.message}`);
        break;
      case 'report':
        progress.line(`report: ${event.path}`);
        break;
    }
  };
}

/** The end of a run: a message on stderr for failures, the summary (table or JSON) on stdout. */
export function printSummary(summary: ImportSummary, exitCode: number, json: boolean, io: Pick<VerbIo, 'stdout' | 'stderr'>, maxProblems = 20): void {
  const printJson = (value: object) => printJsonTo(io, value);
  if (summary.outcome === 'usage-error') {
    io.stderr.write(`callbot import: ${summary.message}\n`);
    if (json)
      printJson({
        outcome: summary.outcome,
        exitCode,
        message: summary.message,
        ...(summary.unsavedReport === undefined ? {} : { unsavedReport: summary.unsavedReport }),
      });
    else if (summary.unsavedReport !== undefined) io.stdout.write(summary.unsavedReport);
    return;
  }
  const failed = summary.failedAfterSend;
  if (failed) {
    const reportLine =
      failed.reportError === undefined
        ? `report: ${failed.reportPath}`
        : `the report ${failed.reportPath} could not be written (${failed.reportError}); ${
            failed.fallbackReport
              ? `the results are in ${failed.fallbackReport}`
              : `nor could a copy be written in the temp folder (${failed.fallbackError ?? '?'}): the results follow on stdout, as CSV`
          }`;
    io.stderr.write(
      `callbot import: ${summary.message}\n` +
        `  The outcome is unknown: check the task before sending again (requestID ${summary.requestID ?? '?'}).\n  ${reportLine}\n`,
    );
    if (json) {
      printJson({
        outcome: summary.outcome,
        exitCode,
        message: summary.message,
        requestID: summary.requestID,
        report: summary.report,
        ...(failed.fallbackReport === undefined ? {} : { fallbackReport: failed.fallbackReport }),
        ...(failed.unsavedReport === undefined ? {} : { unsavedReport: failed.unsavedReport }),
      });
    } else if (failed.unsavedReport !== undefined) {
      io.stdout.write(failed.unsavedReport);
    }
    return;
  }
  if (json) {
    printJson({
      file: summary.file,
      userTaskID: summary.userTaskID,
      operation: summary.operation,
      baseUrl: summary.baseUrl,
      dryRun: summary.dryRun,
      ...(summary.bodyBytes === undefined ? {} : { bodyBytes: summary.bodyBytes }),
      outcome: summary.outcome,
      exitCode,
      message: summary.message,
      rows: summary.rows,
      counts: summary.counts,
      vendorCounts: summary.vendorCounts,
      ...(summary.perRowDetail === undefined ? {} : { perRowDetail: summary.perRowDetail }),
      requestID: summary.requestID,
      responseID: summary.responseID,
      retCode: summary.retCode,
      attempts: summary.attempts,
      report: summary.report ?? null,
      problems: summary.problems.slice(0, 100),
      refused: summary.refused ?? [],
      warnings: summary.warnings.slice(0, 100),
      ...(summary.interrupted === undefined ? {} : { interrupted: summary.interrupted }),
    });
  } else {
    const report = summary.report
      ? `report: ${summary.report}\n`
      : summary.outcome === 'imported' || summary.outcome === 'dry-run'
        ? `no report written (every row ${summary.dryRun ? 'valid' : 'accepted'}; --report PATH writes one anyway)\n`
        : '';
    printRefused(summary, maxProblems, io);
    // No blank first line: stdout may be a file or a pipe (the progress on stderr ends its own line).
    io.stdout.write(`${OPERATION_LINE[summary.operation]}\n${summary.message}\n${summaryTable(summary.counts)}\n${report}`);
  }
}

/** The first line of the summary: which operation was used, and what it does to the task. */
const OPERATION_LINE: Record<BatchOperation, string> = {
  importBatchCall: "operation: importBatchCall (the list replaces the task's undialed numbers)",
  addBatchCall: "operation: addBatchCall (--append: the list is added to the task's orders)",
  createAndCall: 'operation: createAndCall (--create-task: the task is created with the list)',
};

/**
 * The rows the vendor refused one by one (its errList) and why, on stderr like the invalid rows:
 * a re-run of the same list says "every orderID is already in the task" here, not only in the
 */
function printRefused(summary: ImportSummary, maxProblems: number, io: Pick<VerbIo, 'stderr'>): void {
  const refused = summary.refused ?? [];
  const total = summary.counts['rejected-by-server'];
  if (refused.length === 0 || summary.outcome === 'refused') return; // a batch refused whole: its message says why
  const shown = refused.slice(0, maxProblems);
  for (const notice of shown) io.stderr.write(`  refused row ${notice.row}: ${notice.message}\n`);
  if (total > shown.length) io.stderr.write(`  … and ${total - shown.length} more refused by the vendor (all are in the report)\n`);
}
