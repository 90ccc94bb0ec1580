import type { RowOutcome } from './build-batch.js';
import { writeReport } from './report.js';

// Part of the engine. Once the batch has left, "usage error, nothing sent" would be a lie that
// invites a second import. Any unexpected failure from then on (the report cannot be written, a
// bug) is reported as what it is for the caller: the outcome is unknown. The rows without a
// known outcome are marked so, and the report is written if it can be.

export interface SentState {
  /** The requestID of the last attempt, as put on the wire (to ask the vendor about). */
  requestID?: string | undefined;
  reportPath: string;
  /** Every row, in file order. */
  outcomes: readonly RowOutcome[];
  /** The rows that were sent; those still `not-sent` have no known outcome. */
  sendable: readonly RowOutcome[];
}

export interface FailureAfterSend {
  /** What failed (the error's message). */
  error: string;
  /** Where the report was to be written. */
  reportPath: string;
  /** Why the report could not be written (an errno code or a message); undefined when it was written. */
  reportError?: string | undefined;
}

/** Marks the rows without a known outcome `unknown`, writes the report if it can, and says what happened. */
export async function crashAfterSend(error: unknown, sent: SentState): Promise<FailureAfterSend> {
  const what = error instanceof Error ? error.message : String(error);
  const requestID = sent.requestID ?? '?';
  for (const row of sent.sendable) {
    if (row.status !== 'not-sent') continue; // the answer was already read: keep what it said
    row.status = 'unknown';
    row.reason = `outcome unknown (requestID ${requestID}): callbot import failed after sending: ${what}`;
  }
  try {
    await writeReport(sent.reportPath, sent.outcomes);
    return { error: what, reportPath: sent.reportPath };
  } catch (writeError) {
    return { error: what, reportPath: sent.reportPath, reportError: (writeError as NodeJS.ErrnoException).code ?? (writeError as Error).message };
  }
}
