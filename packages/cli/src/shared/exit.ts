// The exit codes of `callbot import`, named for its rows. Scripts branch on these, so they are
// part of the command's contract (shown in `--help` and the README); import/exit-codes.ts turns
// an import's summary into one of them. They live here because every verb's codes (VERB_EXIT,
// below) are the same numbers.
export const EXIT = {
  /** Every row was imported (or, with --dry-run, every row would be sent). */
  allAccepted: 0,
  /** Wrong flags, missing credentials, unreadable config: nothing was read or sent. */
  usage: 1,
  /** The batch was imported but some rows were not: skipped locally or refused in the errList. */
  someRejected: 2,
  /** Nothing was imported: rows failed validation, the vendor refused the whole batch, or no connection. */
  nothingSent: 3,
  /** The batch was sent and it is not known whether it was imported. Check before sending again. */
  outcomeUnknown: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// The exit codes of every verb. The numbers are `callbot import`'s (EXIT, above), so a
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
