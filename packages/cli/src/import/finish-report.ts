import { rm } from 'node:fs/promises';
import type { RowOutcome } from './build-batch.js';
import { reportText, writeErrorCode, writeReport } from './report.js';
import { type ReportTarget, writeToTarget } from './report-path.js';
import type { ImportEvent, ImportOutcome, ImportSummary } from './types.js';

// Part of the engine, the last step: the report. Written where --report says, or — without it
// — only when needed (a row not accepted, an outcome unknown), beside the input file. The
// pre-send copy (send-protocol.ts) is removed once the answer says every row was accepted.

export interface FinishContext {
  target: ReportTarget;
  reportAsked: boolean;
  outcomes: readonly RowOutcome[];
  /** Whether the batch is on the wire (then a failure to write the report is the crash path's). */
  sent: boolean;
  journalWritten: boolean;
  emit: (event: ImportEvent) => void;
  summaryOf: (outcome: ImportOutcome, message: string, extra?: Partial<ImportSummary>) => ImportSummary;
}

export async function finishRun(ctx: FinishContext, outcome: ImportOutcome, message: string, extra: Partial<ImportSummary> = {}): Promise<ImportSummary> {
  const { target, outcomes, emit, summaryOf } = ctx;
  if (!ctx.reportAsked && !reportNeeded(outcome, outcomes)) {
    // Every row accepted (or, dry run, valid) and no --report: no file is left behind. The
    // pre-send copy has served its purpose: the outcome is known.
    if (ctx.journalWritten) {
      try {
        await rm(target.journal, { force: true });
      } catch (error) {
        emit({ type: 'warning', message: `could not remove the pre-send report ${target.journal} (${writeErrorCode(error)}); every row in it was accepted` });
      }
    }
    return summaryOf(outcome, message, extra);
  }
  try {
    await writeToTarget(target, outcomes);
    // A device got the report: the pre-send copy in the temp folder has served its purpose.
    if (target.kind === 'device' && ctx.journalWritten) await rm(target.journal, { force: true });
  } catch (error) {
    if (ctx.sent) throw error; // after sending: the crash path (engine.ts) keeps the results
    // Nothing was sent: say so in one line, and keep the report in the temp folder (or print it).
    const why = `cannot write the report ${target.path} (${writeErrorCode(error)}); nothing was sent`;
    try {
      await writeReport(target.fallback, outcomes);
      return summaryOf('usage-error', `${why}; the report is in ${target.fallback}`);
    } catch (fallbackError) {
      return summaryOf(
        'usage-error',
        `${why}; the report could not be written to ${target.fallback} either (${writeErrorCode(fallbackError)}): it is printed instead`,
        { unsavedReport: reportText(outcomes) },
      );
    }
  }
  emit({ type: 'report', path: target.path });
  return summaryOf(outcome, message, { ...extra, report: target.path });
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
