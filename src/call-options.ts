import { CallbotNotSentError, CallbotUnknownOutcomeError } from './errors.js';
import type { RetryOptions } from './retry.js';

// What one call of a client method may change for itself (the last argument of every method):
// the caller's own cancel, its own time limit per attempt and its own retry policy. Checked at
// the call, before anything is sent, as the client's options are at createCallbotClient.

/**
 * Per-call options, the last argument of every client method (and of the paged iterators,
 * beside their paging options).
 */
export interface CallOptions {
  /**
   * Cancels the call. Aborted before the request was handed to fetch: nothing is sent and the
   * call rejects with CallbotNotSentError (`outcome` `not-sent`, the signal's reason as `cause`).
   * Aborted while an attempt is in flight: the request may have reached the vendor, so the call
   * rejects with CallbotUnknownOutcomeError (`outcome` `unknown`, the attempt's `requestID`) and
   * is not sent again, read or write. Aborted during the wait between attempts: no further
   * attempt; the call rejects with the last attempt's error (its `outcome` is the call's).
   */
  signal?: AbortSignal;
  /** Replaces the client's `timeoutMs` (per attempt) for this call. A positive integer. */
  timeoutMs?: number;
  /**
   * Replaces the client's retry policy for this call: `false` for a single attempt; an object's
   * fields replace the client's (the others, `onRetry` and `sleep` included, stay the client's).
   */
  retry?: RetryOptions | false;
}

/** `options` checked (a wrong one throws a TypeError at once, before anything is sent). */
export function checkCallOptions(options: unknown, method: string): CallOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${method}: the call options must be an object`);
  const { signal, timeoutMs, retry } = options as Record<string, unknown>;
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError(`${method}: signal must be an AbortSignal`);
  checkTimeoutMs(timeoutMs, method);
  if (retry !== undefined && retry !== false && (typeof retry !== 'object' || retry === null || Array.isArray(retry))) {
    throw new TypeError(`${method}: retry must be an object or false`);
  }
  return options as CallOptions;
}

/** A time limit in ms: a positive integer (setTimeout's own bound is applied later), or absent. */
export function checkTimeoutMs(timeoutMs: unknown, where: string): void {
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) {
    throw new TypeError(`${where}: timeoutMs must be a positive integer`);
  }
}

/** The retry policy of one call: the client's, or the call's over it. */
export function callRetry(client: RetryOptions | false | undefined, call: RetryOptions | false | undefined): RetryOptions | false | undefined {
  if (call === undefined) return client;
  if (call === false) return false;
  return { ...(client || {}), ...call };
}

/** Duck-typed, so a signal of another realm (a test runner's, a polyfill's) passes. */
function isAbortSignal(value: unknown): value is AbortSignal {
  const signal = value as AbortSignal;
  return typeof value === 'object' && value !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function';
}

/** The call was cancelled before its request was handed to fetch: nothing of it left. */
export function cancelledBeforeSending(requestID: string | undefined, reason: unknown): CallbotNotSentError {
  return new CallbotNotSentError('the caller cancelled the call (its signal aborted) before it was sent', { requestID, cause: reason });
}

/** The call was cancelled with its request in flight: the vendor may have received it. */
export function cancelledInFlight(requestID: string, reason: unknown, read: boolean): CallbotUnknownOutcomeError {
  return new CallbotUnknownOutcomeError('the caller cancelled the call (its signal aborted) after the request was handed to fetch', {
    requestID,
    cause: reason,
    read,
  });
}
