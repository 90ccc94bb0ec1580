import { retCodeInfo, retCodeOutcome, type RetCodeName, type RetCodeOutcome } from '../generated/retcodes.js';

/**
 * Every error this package throws extends CallbotPackageError. None of them ever holds the
 * secretKey or a signature base string: they are built from ids, codes and field paths only,
 * so logging one, `String(error)` or `JSON.stringify(error)` is safe.
 */
export class CallbotPackageError extends Error {
  /** The `requestID` of the attempt this error is about, when one was sent. */
  readonly requestID: string | undefined;

  constructor(message: string, options: { requestID?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.requestID = options.requestID;
  }

  toJSON(): Record<string, unknown> {
    const { stack: _stack, cause: _cause, ...fields } = this as unknown as Record<string, unknown>;
    return { name: this.name, message: this.message, ...fields };
  }
}

/** The vendor answered with a retCode other than 0. */
export class CallbotError extends CallbotPackageError {
  readonly retCode: number;
  /** The documented name of the code (`SystemBusy`, …) or `Unknown` for an undocumented one. */
  readonly retCodeName: string;
  readonly retMsg: string;
  readonly responseID: string;
  /**
   * What the code says about the request, from the spec (x-callbot-outcomes): `not-processed`
   * (safe to send again later), `refused` (processed and refused) or `unknown` (it may have been
   * processed: check before sending again; also every undocumented code).
   */
  readonly outcome: Exclude<RetCodeOutcome, 'success'>;
  /** The vendor said it did not process the request: sending it again later is safe (`outcome` is `not-processed`). */
  readonly retryable: boolean;

  constructor(answer: { retCode: number; retMsg?: string; responseID?: string }, requestID: string | undefined) {
    const info = retCodeInfo(answer.retCode);
    const name = info?.name ?? 'Unknown';
    super(`Callbot retCode ${answer.retCode} (${name}): ${answer.retMsg ?? ''}`.trimEnd(), { requestID });
    this.retCode = answer.retCode;
    this.retCodeName = name;
    this.retMsg = answer.retMsg ?? '';
    this.responseID = answer.responseID ?? '';
    const outcome = retCodeOutcome(answer.retCode);
    this.outcome = outcome === 'success' ? 'unknown' : outcome; // a retCode 0 is never an error; were one built, nothing is known
    this.retryable = outcome === 'not-processed';
  }
}

export interface ValidationIssue {
  /** Where, in the request body: `callInfoList.callList[3].userPhone`. */
  path: string;
  message: string;
}

/** The request body does not match the contract. Nothing was sent. */
export class CallbotValidationError extends CallbotPackageError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const shown = issues.slice(0, 10).map((i) => `  ${i.path || '(body)'}: ${i.message}`);
    const more = issues.length > 10 ? [`  … and ${issues.length - 10} more`] : [];
    super(`The request body is invalid; nothing was sent (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${[...shown, ...more].join('\n')}`);
    this.issues = issues;
  }
}

/**
 * The request may or may not have been processed: it was sent, and then the connection was
 * reset, the time ran out, or the answer could not be read or trusted. It is NOT retried: a
 * duplicate import would call real people twice. Check the batch (or ask the vendor with the
 * requestID) before sending again.
 */
export class CallbotUnknownOutcomeError extends CallbotPackageError {
  readonly outcome = 'unknown' as const;
  /** HTTP status, when an answer arrived but was not a readable 200. */
  readonly status: number | undefined;

  constructor(reason: string, options: { requestID?: string | undefined; cause?: unknown; status?: number }) {
    super(`Outcome unknown for requestID ${options.requestID ?? '?'}: ${reason}. The request was not retried; check the task's batch before sending again.`, options);
    this.status = options.status;
  }
}

/** The connection failed before any byte of the request was sent (after any retries). */
export class CallbotConnectionError extends CallbotPackageError {
  readonly outcome = 'not-sent' as const;
  readonly code: string | undefined;

  constructor(code: string | undefined, options: { requestID?: string | undefined; cause?: unknown }) {
    super(`Could not connect (${code ?? 'unknown error'}); the request was not sent.`, options);
    this.code = code;
  }
}

/** The codes that say the request's signing is wrong: the vendor's answer to a wrong secretKey or algorithm. */
const SIGNING_RETCODES: ReadonlySet<RetCodeName> = new Set<RetCodeName>(['IncorrectSignature', 'MissingSignature']);

/**
 * An answer's signature or echo headers do not match: it may have been altered or did not come
 * from the vendor. The request was sent, so its outcome is unknown.
 */
export class CallbotSignatureError extends CallbotPackageError {
  readonly outcome = 'unknown' as const;
  /**
   * The retCode the untrusted answer claims, if it has one. Not to be acted on, but a hint:
   * IncorrectSignature or MissingSignature here usually means the secretKey or algorithm
   * configured is wrong, so the vendor's correctly signed "your signature is wrong" cannot be
   * verified either.
   */
  readonly unverifiedRetCode: number | undefined;

  constructor(reason: string, requestID: string | undefined, unverifiedRetCode?: number) {
    const claimed = unverifiedRetCode === undefined ? undefined : retCodeInfo(unverifiedRetCode)?.name;
    const hint = claimed !== undefined && SIGNING_RETCODES.has(claimed)
      ? ` (the unverified answer claims retCode ${unverifiedRetCode}: check the secretKey and algorithm)`
      : unverifiedRetCode === undefined ? '' : ` (the unverified answer claims retCode ${unverifiedRetCode})`;
    super(`Response signature check failed for requestID ${requestID ?? '?'}: ${reason}${hint}`, { requestID });
    this.unverifiedRetCode = unverifiedRetCode;
  }
}
