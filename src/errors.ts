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

/** One way a body departs from its schema in the spec: a request refused before sending, or a deviation of a callback or answer. */
export interface ValidationIssue {
  /** Where, in the body: `callInfoList.callList[3].userPhone` (empty for the body itself). */
  path: string;
  /** What the spec expects there: `is required`, `must be string`, `must be one of 1, 2, 3`. */
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
 * reset, the time ran out, the answer was a redirect (never followed: the first host received the
 * request), or the answer could not be read within `maxAnswerBytes` or trusted. A write is NOT
 * retried: a duplicate import would call real people twice. A read (the spec's
 * `x-callbot-resend-unknown`) is sent again after a timeout, a reset or an unreadable answer;
 * this error then reports the last attempt. Check the batch (or ask the vendor with the
 * requestID) before sending again.
 */
export class CallbotUnknownOutcomeError extends CallbotPackageError {
  readonly outcome = 'unknown' as const;
  /** HTTP status, when an answer arrived but was not a readable 200 (a redirect's 301…308 included). */
  readonly status: number | undefined;
  /** Where a redirect pointed (its Location, resolved against the request's URL). Not followed. */
  readonly location: string | undefined;

  /** `read`: the request was a read (the spec's `x-callbot-resend-unknown`); the message then says what that means. */
  constructor(reason: string, options: { requestID?: string | undefined; cause?: unknown; status?: number; location?: string; read?: boolean }) {
    super(`Outcome unknown for requestID ${options.requestID ?? '?'}: ${reason}. ${options.read ? READ_ADVICE : WRITE_ADVICE}`, options);
    reasons.set(this, reason);
    this.status = options.status;
    this.location = options.location;
  }

  /** The same error, told of a read (the answer guard does not know which operation it reads for). */
  asRead(): CallbotUnknownOutcomeError {
    // Through this.constructor: a class naming itself in its body is renamed by the bundler (`_Callbot…`), and with it `name`.
    const Same = this.constructor as typeof CallbotUnknownOutcomeError;
    const copy = new Same(reasons.get(this) ?? this.message, {
      requestID: this.requestID,
      cause: this.cause,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.location === undefined ? {} : { location: this.location }),
      read: true,
    });
    if (this.stack) copy.stack = this.stack.replace(this.message, copy.message);
    return copy;
  }
}

/** What went wrong, without the advice, for asRead(): outside the error, so not in toJSON. */
const reasons = new WeakMap<CallbotUnknownOutcomeError, string>();

const WRITE_ADVICE =
  'A write is never sent again after this (a read is, within the retry bounds, before this error is reported); check the task before sending again.';
const READ_ADVICE = 'It was a read, which changes nothing at the vendor: asking again is safe.';

/**
 * Nothing of the request left the machine, so nothing was imported (`outcome` is `not-sent`):
 * it failed before fetch was called — a body JSON.stringify cannot serialize (a BigInt, a
 * circular value; `validate: false` lets such a body get that far), a middleware that threw, a
 * base URL no Request can be built from — or fetch refused it before connecting
 * (CallbotConnectionError, a subclass). Sending it again is safe once the cause is fixed; the
 * client itself retries only connection failures that may pass (ECONNREFUSED, DNS, …).
 */
export class CallbotNotSentError extends CallbotPackageError {
  readonly outcome = 'not-sent' as const;

  /** `reason` completes "The request was not sent (requestID …): "; a subclass gives its whole message. */
  constructor(reason: string, options: { requestID?: string | undefined; cause?: unknown }) {
    super(new.target === CallbotNotSentError ? `The request was not sent (requestID ${options.requestID ?? '?'}): ${reason}.` : reason, options);
  }
}

/**
 * The connection could not be opened, so no byte of the request was sent (after any retries):
 * refused, unknown host, connect timeout, or a port fetch refuses to use at all (`code`
 * `BAD_PORT`: the Fetch standard's blocked ports such as 1 or 6000; not retried).
 */
export class CallbotConnectionError extends CallbotNotSentError {
  readonly code: string | undefined;

  constructor(code: string | undefined, options: { requestID?: string | undefined; cause?: unknown }) {
    const why = code === 'BAD_PORT' ? 'BAD_PORT: fetch refuses this port before connecting' : (code ?? 'unknown error');
    super(`Could not connect (${why}); the request was not sent.`, options);
    this.code = code;
  }
}

/** The codes that say the request's signing is wrong: the vendor's answer to a wrong secretKey or algorithm. */
const SIGNING_RETCODES: ReadonlySet<RetCodeName> = new Set<RetCodeName>(['IncorrectSignature', 'MissingSignature']);

/**
 * An answer's signature or echo headers do not match, or it carries none: it may have been
 * altered or did not come from the vendor. The request was sent, so its outcome is unknown —
 * whatever the answer claims. An unsigned "account unknown" (retCode 6002, which the vendor
 * cannot sign) lands here too: anyone on the network path can forge it after the batch was
 * delivered, so it never means "not imported".
 */
export class CallbotSignatureError extends CallbotPackageError {
  readonly outcome = 'unknown' as const;
  /**
   * The retCode the untrusted answer claims, if it has one. Not to be acted on, but a hint:
   * IncorrectSignature or MissingSignature here usually means the secretKey or algorithm
   * configured is wrong, so the vendor's correctly signed "your signature is wrong" cannot be
   * verified either; AccountNotFound (unsigned) that the uuid may be unknown to that server. The
   * message carries the table's hint.
   */
  readonly unverifiedRetCode: number | undefined;

  constructor(reason: string, requestID: string | undefined, unverifiedRetCode?: number) {
    super(`Response signature check failed for requestID ${requestID ?? '?'}: ${reason}${unverifiedClaim(unverifiedRetCode)}`, { requestID });
    this.unverifiedRetCode = unverifiedRetCode;
  }
}

/** What an untrusted answer says, passed on as such, with what to check if it is true. */
function unverifiedClaim(retCode: number | undefined): string {
  if (retCode === undefined) return '';
  const info = retCodeInfo(retCode);
  if (info && SIGNING_RETCODES.has(info.name)) {
    return ` (the unverified answer claims retCode ${retCode}: check the secretKey and algorithm)`;
  }
  const hint = info?.hint ? ` If the claim is true: ${info.hint}` : '';
  return ` (unverified: the answer claims retCode ${retCode}${info ? ` ${info.name}` : ''}; the outcome is unknown.${hint})`;
}
