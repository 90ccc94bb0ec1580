import { Operations } from '../generated/operations.js';
import { PRODUCT_ID } from '../generated/vendor-facts.js';
import type { ValidatorName } from '../generated/validators.js';
import { startAttemptDeadline, untilAborted } from './attempt-deadline.js';
import { PRODUCTION_BASE_URL } from './defaults.js';
import { CallbotConnectionError, CallbotPackageError, CallbotSignatureError, CallbotUnknownOutcomeError, CallbotValidationError } from './errors.js';
import { classifyFetchFailure } from './retry.js';
import { newRequestId, requestSigner } from './sign-middleware.js';
import { DEFAULT_ALGORITHM, type SignAlgorithm, signatureHasher, signMatches } from './sign.js';
import { validateAgainst } from './validate.js';
import { headerProblem, signedHeadersOf } from './verify-middleware.js';

// An answer too large to hold (exportBatchCall of a campaign: one entry per call, 300 MB of
// JSON for a million calls) read as a stream. The bytes are handed to the caller as they arrive
// (fetch inflates gzip as it reads, a chunk at a time) and hashed for the signature as they pass:
// the answer's createTs, requestID and uuid come from its headers, so the signature base
// `<secretKey>&body=<body>&createTs=…&requestID=…&uuid=…` can be fed head, body, tail. Only
// when the last byte has passed is the sign known to match: the iteration then ends normally,
// or throws CallbotSignatureError. Whatever the caller made of the bytes is untrusted until then
// (write it to a temporary file; publish that only when the iteration ended without error).
//
// The bound is on time and bytes read, not memory: at most one chunk is held here. Not retried:
// once bytes were handed over, a second answer could not be told apart from the first; the
// caller (a read: nothing changes at the vendor) may simply ask again.

/** The reads that may be streamed (one answer, as large as the batch). */
export type StreamedOperation = 'exportBatchCall';

/** How one streamed read is bounded. */
export interface StreamReadOptions {
  /** The most bytes of the answer read, counted after gzip is inflated. Default 16 GiB: a bound on time and disk, not memory. */
  maxBytes?: number;
  /** The whole exchange, the answer read to its last byte, within this many ms. Default 30 minutes. */
  timeoutMs?: number;
  /** Ends the read: the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface AnswerStreamOptions extends StreamReadOptions {
  baseUrl?: string | undefined;
  uuid: string;
  secretKey: string;
  algorithm?: SignAlgorithm | undefined;
  fetch?: typeof fetch | undefined;
  /** A fresh request id (the client's `requestId` option). */
  requestId?: (() => string) | undefined;
  /** The client's `beforeSend`: awaited just before the request is handed to fetch; what it throws is thrown, nothing sent. */
  beforeSend?: ((attempt: { operationId: StreamedOperation; requestID: string; attempt: number }) => void | Promise<void>) | undefined;
}

export const DEFAULT_STREAM_MAX_BYTES = 16 * 1024 ** 3;
export const DEFAULT_STREAM_TIMEOUT_MS = 30 * 60_000;

/** A signed answer as it arrives: iterate its bytes (once); the iteration's normal end is the signature check passing. */
export interface SignedAnswerStream extends AsyncIterable<Uint8Array> {
  readonly requestID: string;
  /** Bytes read so far (inflated). */
  readonly bytes: number;
}

/** Checks the bounds given to a streamed read (a wrong one throws at once, before anything is sent). */
export function checkStreamOptions(options: StreamReadOptions): void {
  for (const name of ['maxBytes', 'timeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) throw new TypeError(`${name} must be a positive integer`);
  }
}

/**
 * Sends `operationId` signed (productID filled in, the body validated first) and returns its
 * answer's bytes as a stream. Rejects when nothing could be sent (CallbotValidationError,
 * CallbotConnectionError), when the answer is not a 200 of the first host (a redirect is never
 * followed) or does not echo the request's requestID and uuid with a sign (CallbotSignatureError);
 * the iteration rejects when the answer passes `maxBytes`, the time runs out or the connection
 * fails (CallbotUnknownOutcomeError), or, after the last byte, when the sign does not match
 * (CallbotSignatureError).
 */
export async function openAnswerStream(options: AnswerStreamOptions, operationId: StreamedOperation, input: object): Promise<SignedAnswerStream> {
  checkStreamOptions(options);
  const operation = Operations[operationId];
  const body = { productID: PRODUCT_ID, ...input };
  const issues = validateAgainst(operation.requestSchema as ValidatorName, body);
  if (issues.length > 0) throw new CallbotValidationError(issues);
  const maxBytes = options.maxBytes ?? DEFAULT_STREAM_MAX_BYTES;
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const requestID = (options.requestId ?? newRequestId)();
  const bytes = Buffer.from(JSON.stringify(body));
  const headers = requestSigner({ uuid: options.uuid, secretKey: options.secretKey, algorithm, requestId: () => requestID })(
    new Headers({ 'Content-Type': 'application/json', ...(operation.answerGzip ? { 'Accept-Encoding': 'gzip' } : {}) }),
    bytes,
  );
  await options.beforeSend?.({ operationId, requestID, attempt: 1 });
  // Held here, not AbortSignal.timeout (see attempt-deadline.ts), and raced against every wait.
  const deadline = startAttemptDeadline(options.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([deadline.signal, stop.signal, options.signal]) : AbortSignal.any([deadline.signal, stop.signal]);
  const failed = (error: unknown): unknown => {
    deadline.clear();
    if (error instanceof CallbotPackageError) return error;
    if (options.signal?.aborted && error === options.signal.reason) return error; // the caller's own stop: its reason, as given
    const { sent, code } = classifyFetchFailure(error);
    if (sent === 'no') return new CallbotConnectionError(code, { requestID, cause: error });
    const reason = deadline.signal.aborted
      ? 'the time ran out before the answer was read to its end'
      : code
        ? `the connection failed (${code})`
        : 'the answer could not be read';
    return new CallbotUnknownOutcomeError(reason, { requestID, cause: error, read: true });
  };
  const url = `${(options.baseUrl ?? PRODUCTION_BASE_URL).replace(/\/+$/, '')}${operation.path}`;
  let response: Response;
  try {
    const sent = (options.fetch ?? globalThis.fetch)(url, { method: 'POST', headers, body: bytes, redirect: 'manual', signal });
    response = await untilAborted(sent, signal, (late) => late.body?.cancel().catch(() => {}));
  } catch (error) {
    throw failed(error);
  }
  const refuse = (error: CallbotPackageError): never => {
    response.body?.cancel().catch(() => {});
    stop.abort();
    throw failed(error);
  };
  if (response.redirected || response.type === 'opaqueredirect' || response.status !== 200 || !response.body) {
    const location = response.headers.get('location');
    refuse(
      new CallbotUnknownOutcomeError(`HTTP ${response.status || 'opaque redirect'}: not a readable answer${location ? ' (a redirect, not followed)' : ''}`, {
        requestID,
        status: response.status,
        read: true,
      }),
    );
  }
  const h = response.headers;
  const check = {
    ...signedHeadersOf(h),
    requestID,
    uuid: options.uuid,
    fallbackAlgorithm: algorithm,
  };
  const problem = headerProblem(check);
  if (problem) refuse(new CallbotSignatureError(problem, requestID));
  const declared = h.get('content-length');
  if (declared !== null && !h.has('content-encoding') && Number(declared) > maxBytes) {
    refuse(
      new CallbotUnknownOutcomeError(`the answer's Content-Length ${declared} exceeds the stream's maxBytes (${maxBytes} bytes); it was not read`, {
        requestID,
        status: 200,
        read: true,
      }),
    );
  }
  const hasher = signatureHasher({
    secretKey: options.secretKey,
    createTs: check.createTs!,
    requestID,
    uuid: options.uuid,
    algorithm: (check.algorithm ?? algorithm) as SignAlgorithm,
  });
  const reader = response.body!.getReader();
  let read = 0;
  let started = false;
  return {
    requestID,
    get bytes() {
      return read;
    },
    async *[Symbol.asyncIterator]() {
      if (started) throw new TypeError('an answer stream can be read only once');
      started = true;
      let finished = false;
      try {
        for (;;) {
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await untilAborted(reader.read(), signal);
          } catch (error) {
            throw failed(error);
          }
          if (next.done) break;
          read += next.value.byteLength;
          if (read > maxBytes) {
            throw failed(
              new CallbotUnknownOutcomeError(
                `the answer exceeds the stream's maxBytes (${maxBytes} bytes${h.has('content-encoding') ? ', counted after decoding' : ''}); the read stopped there and the connection was closed`,
                { requestID, status: 200, read: true },
              ),
            );
          }
          hasher.update(next.value);
          yield next.value;
        }
        finished = true;
      } finally {
        deadline.clear();
        // Failed, or the caller stopped early: close the connection.
        if (!finished) {
          stop.abort();
          reader.cancel().catch(() => {});
        }
      }
      if (!signMatches(check.sign, () => hasher.digest())) {
        throw new CallbotSignatureError('sign does not match the answer (altered in transit, or not from the vendor)', requestID);
      }
    },
  };
}
