import {
  CallbotConnectionError,
  CallbotError,
  CallbotNotSentError,
  CallbotPagingError,
  CallbotSignatureError,
  CallbotUnknownOutcomeError,
  CallbotValidationError,
  retCodeInfo,
} from 'callbot-contract';
import { VERB_EXIT, type VerbExitCode } from './exit.js';
import { printJson, type VerbIo } from './io.js';
import { UsageError } from './usage-error.js';

// How a verb ends when it did not do its job: one place that turns what went wrong into the exit
// code (exit.ts), a message on stderr that says what happened and what to do, and with --json the
// same as one JSON document on stdout. What a retCode means (its name, the vendor's message, its
// outcome class and hint) is the contract's table (retCodeInfo): no code is named here.

/** The vendor answered, and the thing asked about is not there (exit 5). */
export class NotFoundError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export type FailureKind = 'usage' | 'not-found' | 'refused' | 'not-processed' | 'not-sent' | 'unknown' | 'untrusted-paging' | 'internal';

/** What went wrong, as --json prints it under `error`. */
export interface Failure {
  kind: FailureKind;
  exitCode: VerbExitCode;
  message: string;
  problems?: readonly string[];
  hint?: string;
  retCode?: number;
  retCodeName?: string;
  /** The table's message for the retCode (English, then 中文). */
  retCodeMessage?: string;
  /** What the vendor's answer said (`retMsg`). */
  retMsg?: string;
  requestID?: string;
  responseID?: string;
}

export interface FailureContext {
  /** For a write: how to find out whether it was done after all (`callbot task show T`). */
  checkWith?: string;
}

/** The Failure for an error of the kinds above or of callbot-contract; undefined for anything else (a bug: let it surface). */
export function describeFailure(error: unknown, context: FailureContext = {}): Failure | undefined {
  const check = context.checkWith ? ` Check with \`${context.checkWith}\` before sending it again.` : '';
  if (error instanceof UsageError) {
    return {
      kind: 'usage',
      exitCode: VERB_EXIT.usage,
      // Said once: the messages of the task settings' errors say it already, mid-sentence.
      message: /nothing was sent/.test(error.message) ? error.message : `${error.message}; nothing was sent`,
      ...(error.problems.length > 0 ? { problems: error.problems } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof NotFoundError) {
    return { kind: 'not-found', exitCode: VERB_EXIT.notFound, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof CallbotValidationError) {
    return {
      kind: 'usage',
      exitCode: VERB_EXIT.usage,
      message: 'the request does not match the contract; nothing was sent',
      problems: error.issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`),
    };
  }
  if (error instanceof CallbotError) {
    const info = retCodeInfo(error.retCode);
    const ids = { requestID: error.requestID ?? '', responseID: error.responseID };
    const named = {
      retCode: error.retCode,
      retCodeName: error.retCodeName,
      ...(info ? { retCodeMessage: `${info.en} (${info.zh})` } : {}),
      ...(error.retMsg ? { retMsg: error.retMsg } : {}),
    };
    const what = `retCode ${error.retCode} ${error.retCodeName}${info ? ` — ${info.en} (${info.zh})` : ' (not documented in the contract)'}`;
    switch (error.outcome) {
      case 'refused':
        return {
          kind: 'refused',
          exitCode: VERB_EXIT.notDone,
          message: `the vendor refused it: ${what}`,
          ...named,
          ...ids,
          ...(info?.hint ? { hint: info.hint } : {}),
        };
      case 'not-processed':
        return {
          kind: 'not-processed',
          exitCode: VERB_EXIT.notDone,
          message: `the vendor did not process it: ${what}`,
          ...named,
          ...ids,
          hint: `${info?.hint ? `${info.hint} ` : ''}Nothing was done; try again later.`,
        };
      case 'unknown':
        return {
          kind: 'unknown',
          exitCode: VERB_EXIT.unknown,
          message: `the outcome is unknown: ${what}`,
          ...named,
          ...ids,
          hint: `${info?.hint ? `${info.hint} ` : ''}It may have been done.${check}`.trim(),
        };
    }
  }
  if (error instanceof CallbotConnectionError) {
    return {
      kind: 'not-sent',
      exitCode: VERB_EXIT.notDone,
      message: error.message,
      ...(error.requestID ? { requestID: error.requestID } : {}),
      hint: 'Check --base-url (CALLBOT_BASE_URL); for the local mock run `callbot mock` first.',
    };
  }
  if (error instanceof CallbotNotSentError) {
    return { kind: 'not-sent', exitCode: VERB_EXIT.notDone, message: error.message, ...(error.requestID ? { requestID: error.requestID } : {}) };
  }
  if (error instanceof CallbotPagingError) {
    return {
      kind: 'untrusted-paging',
      exitCode: VERB_EXIT.notDone,
      message: error.message,
      ...(error.requestID ? { requestID: error.requestID } : {}),
      hint: 'The list is incomplete. Narrow the filters, or ask the vendor about its paging (quote the requestID).',
    };
  }
  if (error instanceof CallbotSignatureError || error instanceof CallbotUnknownOutcomeError) {
    const signature = error instanceof CallbotSignatureError ? ' If every answer fails this way, check the secret key and algorithm (`callbot sign`).' : '';
    return {
      kind: 'unknown',
      exitCode: VERB_EXIT.unknown,
      message: error.message,
      ...(error.requestID ? { requestID: error.requestID } : {}),
      hint: `It may have been done.${check}${signature}`,
    };
  }
  return undefined;
}

/** Prints a failure: the message (and its problems and hint) on stderr; with --json also `{ error }` on stdout. */
export function reportFailure(io: VerbIo, verb: string, failure: Failure, json: boolean): void {
  const lines = [`${verb}: ${failure.message}`];
  for (const problem of failure.problems ?? []) lines.push(`  ${problem}`);
  if (failure.retMsg) lines.push(`  the vendor's message: ${bounded(failure.retMsg)}`);
  if (failure.hint) lines.push(`  ${failure.hint}`);
  if (failure.requestID || failure.responseID) {
    lines.push(`  requestID ${failure.requestID || '-'}${failure.responseID ? `, responseID ${failure.responseID}` : ''} (quote these to the vendor)`);
  }
  io.stderr.write(`${lines.join('\n')}\n`);
  if (json) printJson(io, { error: failure, exitCode: failure.exitCode });
}

/** At most 200 characters of what an answer says: messages end up in logs. */
const bounded = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text);

/**
 * An error of none of the known kinds: a bug in callbot (or a library under it). Where it
 * happened is not known, so neither is whether a change was sent: exit 4, as for any unknown
 * outcome. The stack goes to stderr for the bug report.
 */
export function unexpectedFailure(error: unknown, context: FailureContext = {}): Failure {
  const what = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : `thrown: ${typeof error}`;
  const check = context.checkWith ? ` Check with \`${context.checkWith}\` before sending it again.` : '';
  return {
    kind: 'internal',
    exitCode: VERB_EXIT.unknown,
    message: `unexpected error (${what.length > 300 ? `${what.slice(0, 300)}…` : what})`,
    hint: `This is a bug in callbot: please report it with the stack printed below. Whether anything was done is unknown.${check}`,
  };
}

/**
 * Runs a verb's work: its exit code on success (0 unless it says otherwise), or the failure
 * reported and its code. An error of none of the known kinds (a bug) is reported too, as
 * `internal`, with its stack on stderr: with --json the error document is printed whatever failed.
 */
export async function runVerb(
  io: VerbIo,
  verb: string,
  json: boolean,
  work: () => Promise<VerbExitCode | void>,
  context: FailureContext = {},
): Promise<VerbExitCode> {
  try {
    return (await work()) ?? VERB_EXIT.ok;
  } catch (error) {
    const failure = describeFailure(error, context) ?? unexpectedFailure(error, context);
    reportFailure(io, verb, failure, json);
    if (failure.kind === 'internal' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return failure.exitCode;
  }
}
