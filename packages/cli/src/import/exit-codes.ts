import { EXIT, type ExitCode, INTERRUPTED_EXIT, type InterruptedExitCode } from '../shared/exit.js';
import type { InterruptSignal } from '../shared/io.js';
import type { ImportSummary } from './engine.js';

// What `callbot import` exits with: the one place that decides it from the engine's summary.
// The engine never picks an exit code: it reports what happened (`outcome`, the rows per
// status) and this mapping turns that into a number of the table in shared/exit.ts.

/**
 * `callbot import` stopped by SIGINT or SIGTERM before anything was sent (or while waiting to
 * send again after an attempt the server did not process): the shell's 128 + signal number,
 * 130 or 143. (exitCodeFor gives such a summary, outcome `not-sent`, the code 3.)
 */
export const interruptedExitCode = (signal: InterruptSignal): InterruptedExitCode => INTERRUPTED_EXIT[signal];

/** The exit code for a summary of `runImport` (what `callbot import` exits with). */
export function exitCodeFor(summary: Pick<ImportSummary, 'outcome' | 'counts'>): ExitCode {
  switch (summary.outcome) {
    case 'usage-error':
      return EXIT.usage;
    case 'not-sent':
    case 'refused':
      return EXIT.nothingSent;
    case 'unknown':
      return EXIT.outcomeUnknown;
    case 'imported':
    case 'dry-run': {
      // Imported (or, dry run, would be sent): 2 when any row was left out on the way.
      const rejected = summary.counts['rejected-locally'] + summary.counts['rejected-by-server'];
      return rejected > 0 ? EXIT.someRejected : EXIT.allAccepted;
    }
  }
}

// The retCode classes named here are the spec's (x-callbot-outcomes), not code numbers: which
// codes fall in each is the contract's business (README "retCode" of callbot-contract).
export const EXIT_CODES_HELP = `
Exit codes:
  0  all rows accepted (with --dry-run: all rows valid)
  1  usage or configuration error (nothing read or sent)
  2  batch imported, but some rows rejected (locally with --skip-invalid, or in the server's errList)
  3  nothing imported: invalid rows without --skip-invalid, list or body too large, no connection
     could be made, or the server refused the whole batch (a "refused" retCode, or a
     "not-processed" one still given when the retries ran out)
  4  outcome unknown: the batch was sent but the answer was lost, untrustworthy or carried a
     retCode whose outcome is "unknown" (or the command failed after sending, or was
     interrupted while sending and the answer did not come within --interrupt-grace-ms);
     every sent row without a known outcome is marked "unknown" in the report with the
     requestID. Check before sending again.
  130/143  interrupted (SIGINT/SIGTERM) before anything was sent: nothing sent, no report`;
