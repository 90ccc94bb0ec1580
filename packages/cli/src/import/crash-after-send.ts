import type { RowOutcome } from './build-batch.js';
import { saveReport } from './report.js';
import type { ReportTarget } from './report-path.js';

// Part of the engine. Once the batch has left, "usage error, nothing sent" would be a lie that
// invites a second import. Any unexpected failure from then on (the report cannot be written, a
// bug) is reported as what it is for the caller: the outcome is unknown. The rows without a
// known outcome are marked so, and the report is written if it can be — where it was asked
// for, else to a file in the OS temp folder, else handed back as text to print: the results
// are never lost. (The report on disk already listed every sent row as `unknown` with the
// requestID before the batch went out.)

export interface SentState {
  /** The requestID of the last attempt, as put on the wire (to ask the vendor about). */
  requestID?: string | undefined;
  /** Every requestID put on the wire, in order. */
  requestIDs: readonly string[];
  target: ReportTarget;
  /** Every row, in file order. */
  outcomes: readonly RowOutcome[];
  /** The rows that were sent. */
  sendable: readonly RowOutcome[];
  /** Whether the answer was read (the rows then hold what it said). */
  answered: boolean;
}

export interface FailureAfterSend {
  /** What failed (the error's message). */
  error: string;
  /** Where the report was to be written. */
  reportPath: string;
  /** Why the report could not be written there (an errno code or a message); undefined when it was written. */
  reportError?: string | undefined;
  /** Where the report was written instead, in the OS temp folder. */
  fallbackReport?: string | undefined;
  /** Why that failed too. */
  fallbackError?: string | undefined;
  /** The report as CSV text, when it could be written nowhere (the command prints it on stdout). */
  unsavedReport?: string | undefined;
}

/** Marks the rows without a known outcome `unknown`, writes the report where it can, and says what happened. */
export async function crashAfterSend(error: unknown, sent: SentState): Promise<FailureAfterSend> {
  const what = error instanceof Error ? error.message : String(error);
  if (!sent.answered) {
    const ids = sent.requestIDs.length > 1 ? `requestIDs ${sent.requestIDs.join(', ')}` : `requestID ${sent.requestID ?? '?'}`;
    for (const row of sent.sendable) {
      row.status = 'unknown';
      row.reason = `outcome unknown (${ids}): callbot import failed after sending: ${what}`;
    }
  }
  const saved = await saveReport(sent.target.path, sent.outcomes, sent.target.fallback);
  return { error: what, reportPath: sent.target.path, ...saved };
}
