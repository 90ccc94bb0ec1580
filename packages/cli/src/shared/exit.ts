import { EXIT } from '../import/exit-codes.js';

// The exit codes of every verb. The numbers are `callbot import`'s (import/exit-codes.ts), so a
// script reads one meaning from every verb: 0 done, 1 nothing sent because of the command line or
// the settings, 3 not done (the vendor refused, or nothing could be sent), 4 sent and the outcome
// is unknown. One is new: 5, the thing asked about does not exist (`callbot task show`).
// README.md "Exit codes" is the table users read; keep it in step.
export const VERB_EXIT = {
  /** Done: the vendor answered success. */
  ok: EXIT.allAccepted,
  /** Usage, settings or configuration error: nothing was sent. */
  usage: EXIT.usage,
  /** Partly done (some items refused). */
  partial: EXIT.someRejected,
  /** Not done: the vendor refused it, or it could not be sent (no connection, "not processed" until the retries ran out). */
  notDone: EXIT.nothingSent,
  /** Sent, and whether it was done is unknown (no answer, an answer that could not be verified, retCode of unknown outcome). */
  unknown: EXIT.outcomeUnknown,
  /** Not found: the vendor answered, and what was asked about is not there. */
  notFound: 5,
} as const;

export type VerbExitCode = (typeof VERB_EXIT)[keyof typeof VERB_EXIT];

/** The table for `--help` texts (README.md "Exit codes" has the long form). */
export const VERB_EXIT_HELP = `
Exit codes:
  0  done (the vendor answered "success")
  1  usage, settings or configuration error: nothing was sent
  3  not done: the vendor refused it (a "refused" retCode: its name, message and hint are
     printed), or it could not be sent (no connection; "not-processed" until the retries ran out)
  4  outcome unknown: sent, but no answer, an answer that could not be verified, or a retCode
     whose outcome is "unknown". Check before sending a change again
  5  not found (callbot task show: no task with that userTaskID)`;
