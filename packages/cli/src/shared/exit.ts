// The exit codes of every verb: the one table. Scripts branch on these, so they are part of the
// command's contract (shown in each verb's `--help` and in README.md "Exit codes", which is the
// table users read; keep it in step). A script reads one meaning from every verb: 0 done, 1
// nothing sent because of the command line or the settings, 2 partly done, 3 not done (the
// vendor refused, or nothing could be sent), 4 sent and the outcome is unknown, 5 the thing asked
// about does not exist (`callbot task show`), 130/143 stopped by SIGINT/SIGTERM (the shell's
// 128 + the signal's number).
export const VERB_EXIT = {
  /** Done: the vendor answered success (import: every row accepted). */
  ok: 0,
  /** Usage, settings or configuration error: nothing was sent. */
  usage: 1,
  /** Partly done: some items refused or left out (import: some rows rejected; orders/calls: pages ended early; probe: some probe differs). */
  partial: 2,
  /** Not done: the vendor refused it, or it could not be sent (no connection, "not processed" until the retries ran out). */
  notDone: 3,
  /** Sent, and whether it was done is unknown (no answer, an answer that could not be verified, retCode of unknown outcome). */
  unknown: 4,
  /** Not found: the vendor answered, and what was asked about is not there. */
  notFound: 5,
} as const;

export type VerbExitCode = (typeof VERB_EXIT)[keyof typeof VERB_EXIT];

/** Stopped by a signal: the shell's 128 + its number. */
export const INTERRUPTED_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export type InterruptedExitCode = (typeof INTERRUPTED_EXIT)[keyof typeof INTERRUPTED_EXIT];

/**
 * The same numbers under the names of `callbot import`'s outcomes (public: the package exports
 * them). import/exit-codes.ts turns an import's summary into one of them.
 */
export const EXIT = {
  /** Every row was imported (or, with --dry-run, every row would be sent). */
  allAccepted: VERB_EXIT.ok,
  /** Wrong flags, missing credentials, unreadable config: nothing was read or sent. */
  usage: VERB_EXIT.usage,
  /** The batch was imported but some rows were not: skipped locally or refused in the errList. */
  someRejected: VERB_EXIT.partial,
  /** Nothing was imported: rows failed validation, the vendor refused the whole batch, or no connection. */
  nothingSent: VERB_EXIT.notDone,
  /** The batch was sent and it is not known whether it was imported. Check before sending again. */
  outcomeUnknown: VERB_EXIT.unknown,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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
