import type { RowOutcome } from './build-batch.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { writeReport } from './report.js';

// Once the batch has left, exit 1 ("usage error, nothing sent") would be a lie that invites a
// second import. Any unexpected failure from then on (the report cannot be written, a bug)
// is reported as what it is for the caller: the outcome is unknown (exit 4).

export interface SentState {
  /** The requestID of the last attempt, as put on the wire (to ask the vendor about). */
  requestID?: string | undefined;
  reportPath: string;
  /** Every row, in file order. */
  outcomes: readonly RowOutcome[];
  /** The rows that were sent; those still `not-sent` have no known outcome. */
  sendable: readonly RowOutcome[];
}

export interface CrashReport {
  exitCode: ExitCode;
  /** For stderr. */
  message: string;
  /** For stdout with --json. */
  summary: Record<string, unknown>;
}

/** Marks the rows without a known outcome `unknown`, writes the report if it can, and says what happened. */
export async function crashAfterSend(error: unknown, sent: SentState): Promise<CrashReport> {
  const what = error instanceof Error ? error.message : String(error);
  const requestID = sent.requestID ?? '?';
  for (const row of sent.sendable) {
    if (row.status !== 'not-sent') continue; // the answer was already read: keep what it said
    row.status = 'unknown';
    row.reason = `outcome unknown (requestID ${requestID}): callbot import failed after sending: ${what}`;
  }
  let reportLine: string;
  let report: string | undefined;
  try {
    await writeReport(sent.reportPath, sent.outcomes);
    report = sent.reportPath;
    reportLine = `report: ${sent.reportPath}`;
  } catch (writeError) {
    reportLine = `the report ${sent.reportPath} could not be written (${(writeError as NodeJS.ErrnoException).code ?? (writeError as Error).message})`;
  }
  const message = `failed after the batch was sent: ${what}\n` +
    `  The outcome is unknown: check the task before sending again (requestID ${requestID}).\n  ${reportLine}`;
  return {
    exitCode: EXIT.outcomeUnknown,
    message,
    summary: { outcome: 'unknown', exitCode: EXIT.outcomeUnknown, message: `failed after the batch was sent: ${what}`, requestID: sent.requestID, report },
  };
}
