import { CallbotConnectionError, CallbotError, type CallbotPackageError } from './errors.js';

// When may a request be sent again? Always when it certainly did not happen: the vendor said so
// (a retCode whose outcome class is `not-processed`, read from the spec: the RetCode schema's
// x-callbot-outcomes, through generated/retcodes.ts) or the connection failed before any byte
// left. When its outcome is unknown — a timeout or a reset after sending, an unreadable answer,
// a retCode of the `unknown` class — only if the spec marks the operation
// `x-callbot-resend-unknown: true` (the reads; generated/operations.ts): a duplicate import or
// task change calls people twice, a duplicate read costs nothing. No operation is named here.

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff step; doubles each attempt. Default 1000 ms. */
  baseDelayMs?: number;
  /** Cap of one backoff step. Default 15000 ms. */
  maxDelayMs?: number;
  /** No new attempt starts after this much time since the first. Default 90000 ms. */
  maxElapsedMs?: number;
  /** Called before each wait, e.g. to show a countdown. */
  onRetry?: (info: RetryInfo) => void;
  /** Injected by tests. */
  random?: () => number;
  /** The wait between attempts; `signal` is the call's own (a call's `signal` option), to end the wait early. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds, for the maxElapsedMs bound. */
  now?: () => number;
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /**
   * `retCode` when the vendor said "not processed" (or, for a read, answered a retCode of unknown
   * outcome), `connection` when nothing was sent, `unknown-outcome` when a read was sent and
   * its answer was lost (timeout, reset, unreadable answer).
   */
  reason: 'retCode' | 'connection' | 'unknown-outcome';
  retCode?: number;
  code?: string;
  requestID: string;
}

export type ResolvedRetry = Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

export function resolveRetry(option: RetryOptions | false | undefined): ResolvedRetry {
  const given = option === false ? { maxAttempts: 1 } : (option ?? {});
  return {
    maxAttempts: Math.max(1, Math.floor(given.maxAttempts ?? 4)),
    baseDelayMs: given.baseDelayMs ?? 1000,
    maxDelayMs: given.maxDelayMs ?? 15_000,
    maxElapsedMs: given.maxElapsedMs ?? 90_000,
    onRetry: given.onRetry,
    random: given.random ?? Math.random,
    sleep: given.sleep ?? sleepUnlessAborted,
    now: given.now ?? Date.now,
  };
}

/** The default wait: ends early (resolves) when `signal` aborts, its timer cleared, so a cancelled call does not hold the process. */
function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What RetryInfo says of why a failed attempt is sent again (also the attempt log's `retry=`). */
export function retryReasonOf(failure: CallbotPackageError): Pick<RetryInfo, 'reason' | 'retCode' | 'code'> {
  if (failure instanceof CallbotError) return { reason: 'retCode', retCode: failure.retCode };
  if (failure instanceof CallbotConnectionError) return { reason: 'connection', code: failure.code ?? 'unknown' };
  return { reason: 'unknown-outcome' };
}

/** Exponential backoff with full jitter: a random wait in [base/2, min(cap, base·2^(n-1))]. */
export function backoffDelay(attempt: number, retry: Pick<ResolvedRetry, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  const floor = Math.min(ceiling, retry.baseDelayMs / 2);
  return Math.round(floor + retry.random() * (ceiling - floor));
}

// What proves that nothing was sent: fetch refused the URL's port before connecting (below), or
// the error came from resolving the host or from opening the connection. Node marks those with
// `syscall` 'getaddrinfo' / 'connect'; undici's own connect timeout has its own code. The same error codes (EHOSTUNREACH, ENETUNREACH, …) can also
// surface on a connection that is already open and has sent the body, so a code alone is not
// enough: without one of these marks the outcome is unknown.
const CONNECT_PHASE_SYSCALLS = new Set(['connect', 'getaddrinfo']);
const CONNECT_PHASE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export interface FetchFailure {
  sent: 'no' | 'unknown';
  code: string | undefined;
  /** Not sent, and sending again cannot help (a port fetch refuses): not worth a retry. */
  permanent?: true;
}

/**
 * undici refuses a port on the Fetch standard's block list (1, 6000, …) before it opens any
 * connection. Its error has no code: a TypeError "fetch failed" whose cause is a plain Error
 * "bad port". Only that exact shape counts — the words alone prove nothing.
 */
function isBadPortRefusal(e: object): boolean {
  const { name, message, cause } = e as { name?: unknown; message?: unknown; cause?: unknown };
  if (name !== 'TypeError' || message !== 'fetch failed' || !isObject(cause)) return false;
  const inner = cause as { message?: unknown; code?: unknown; cause?: unknown };
  return inner.message === 'bad port' && inner.code === undefined && inner.cause === undefined;
}

/** Errors are objects: a primitive or a function in a cause chain is not read. */
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** How deep causes (and AggregateError lists) are read: undici nests two levels; a cycle ends here. */
const MAX_CAUSE_DEPTH = 5;

interface ErrorMark {
  code: string;
  beforeSending: boolean;
}

/** Reads what fetch's error says about the connection (undici nests the reason in `cause`). */
export function classifyFetchFailure(error: unknown): FetchFailure {
  for (let e: unknown = error, depth = 0; isObject(e) && depth <= MAX_CAUSE_DEPTH; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (isBadPortRefusal(e)) return { sent: 'no', code: 'BAD_PORT', permanent: true };
  }
  const marks: ErrorMark[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!isObject(e) || depth > MAX_CAUSE_DEPTH) return;
    const { code, syscall, name, cause, errors } = e as { code?: unknown; syscall?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') {
      marks.push({ code, beforeSending: CONNECT_PHASE_CODES.has(code) || CONNECT_PHASE_SYSCALLS.has(syscall as string) });
    } else if (name === 'TimeoutError' || name === 'AbortError') {
      marks.push({ code: name, beforeSending: false });
    }
    visit(cause, depth + 1);
    if (Array.isArray(errors)) errors.forEach((inner) => visit(inner, depth + 1));
  };
  visit(error, 0);
  const code = marks.find((m) => !m.code.startsWith('UND_ERR_') || m.code === 'UND_ERR_CONNECT_TIMEOUT')?.code ?? marks[0]?.code;
  const sent = marks.length > 0 && marks.every((m) => m.beforeSending) ? 'no' : 'unknown';
  return { sent, code };
}

/**
 * What a failed attempt says about the request: `not-processed` (the vendor said so), `not-sent`
 * (no byte left, and another try may connect), `unknown` (it may have been processed) or
 * `final` (sending the same request again cannot help: refused, a redirect, an answer too large
 * or untrusted).
 */
export type AttemptOutcome = 'not-processed' | 'not-sent' | 'unknown' | 'final';

/**
 * The resend rule: a request that was certainly not processed may always be sent again; one
 * whose outcome is unknown only when its operation says so (`resendUnknown`, from the spec's
 * `x-callbot-resend-unknown`; each attempt gets a fresh requestID).
 */
export function mayResend(outcome: AttemptOutcome, operation: { readonly resendUnknown: boolean }): boolean {
  return outcome === 'not-processed' || outcome === 'not-sent' || (outcome === 'unknown' && operation.resendUnknown);
}
