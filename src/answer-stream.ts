import { Operations } from '../generated/operations.js';
import { PRODUCT_ID } from '../generated/vendor-facts.js';
import type { ValidatorName } from '../generated/validators.js';
import { PRODUCTION_BASE_URL } from './defaults.js';
import { CallbotSignatureError, CallbotUnknownOutcomeError, CallbotValidationError } from './errors.js';
import { requestSigner, newRequestId } from './sign-middleware.js';
import { DEFAULT_ALGORITHM, type SignAlgorithm, signatureHasher, signMatches } from './sign.js';
import { validateAgainst } from './validate.js';

// An answer too large to hold (exportBatchCall of a campaign: one entry per call, 300 MB of
// JSON for a million calls) read as a stream. The bytes are handed to the caller as they arrive
// (fetch inflates gzip as it reads, a chunk at a time) and hashed for the signature as they pass:
// the answer's createTs, requestID and uuid come from its headers, so the signature base
// `<secretKey>&body=<body>&createTs=…&requestID=…&uuid=…` can be fed head, body, tail. Only
// when the last byte has passed is the sign known to match: the iteration then ends normally,
// or throws CallbotSignatureError. Whatever the caller made of the bytes is untrusted until then
// (write them to a temporary file; publish it only when the iteration ended without error).
//
// The bound is on time and bytes read, not memory: at most one chunk is held here. No dependency:
// the JSON parsing is the caller's (callbot-cli streams it through @streamparser/json).

/** The reads that may be streamed (one answer, as large as the batch). */
export type StreamedOperation = 'exportBatchCall';

export interface AnswerStreamOptions {
  baseUrl?: string;
  uuid: string;
  secretKey: string;
  algorithm?: SignAlgorithm;
  fetch?: typeof fetch;
  /** The most bytes of the answer read, counted after gzip is inflated. Default 16 GiB (a bound on disk, not memory). */
  maxBytes?: number;
  /** The whole exchange, answer read to its end, within this many ms. Default 30 minutes. */
  timeoutMs?: number;
  /** Ends the read (rejecting with its reason). */
  signal?: AbortSignal;
}

export const DEFAULT_STREAM_MAX_BYTES = 16 * 1024 ** 3;
export const DEFAULT_STREAM_TIMEOUT_MS = 30 * 60_000;

/** A signed answer as it arrives: iterate its bytes; the iteration's normal end is the signature check passing. */
export interface SignedAnswerStream extends AsyncIterable<Uint8Array> {
  readonly requestID: string;
  /** Bytes read so far (inflated). */
  readonly bytes: number;
}

/**
 * Sends `operationId` signed (productID filled in, the body validated first) and returns its
 * answer's bytes as a stream. Rejects at once when the answer is not a 200 of the first host or
 * does not echo the request's requestID and uuid; the iteration rejects when the answer passes
 * `maxBytes`, the time runs out, the connection fails, or (after the last byte) the sign does not
 * match. Never retried here: a read, so the caller may simply ask again.
 */
export async function openAnswerStream(options: AnswerStreamOptions, operationId: StreamedOperation, input: object): Promise<SignedAnswerStream> {
  const operation = Operations[operationId];
  const body = { productID: PRODUCT_ID, ...input };
  const issues = validateAgainst(operation.requestSchema as ValidatorName, body);
  if (issues.length > 0) throw new CallbotValidationError(issues);
  const maxBytes = options.maxBytes ?? DEFAULT_STREAM_MAX_BYTES;
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const requestID = newRequestId();
  const bytes = Buffer.from(JSON.stringify(body));
  const headers = requestSigner({ uuid: options.uuid, secretKey: options.secretKey, algorithm, requestId: () => requestID })(
    new Headers({ 'Content-Type': 'application/json', 'Accept-Encoding': 'gzip' }),
    bytes,
  );
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const url = `${(options.baseUrl ?? PRODUCTION_BASE_URL).replace(/\/+$/, '')}${operation.path}`;
  const response = await (options.fetch ?? globalThis.fetch)(url, { method: 'POST', headers, body: bytes, redirect: 'manual', signal });
  const h = response.headers;
  const refuse = (reason: string): never => {
    response.body?.cancel().catch(() => {});
    throw new CallbotUnknownOutcomeError(reason, { requestID, status: response.status });
  };
  if (response.redirected || response.type === 'opaqueredirect' || response.status !== 200 || !response.body) {
    refuse(`HTTP ${response.status || 'opaque redirect'}: not a readable answer${h.get('location') ? ' (a redirect, not followed)' : ''}`);
  }
  const sign = h.get('sign');
  const createTs = h.get('createTs');
  const answerAlgorithm = h.get('algorithm') ?? algorithm;
  const problem =
    h.get('requestID') !== requestID
      ? 'requestID header is not the request’s'
      : h.get('uuid') !== options.uuid
        ? 'uuid header is not the request’s'
        : !sign || !createTs
          ? 'the answer has no sign/createTs header'
          : answerAlgorithm !== 'MD5' && answerAlgorithm !== 'SHA256'
            ? `unknown algorithm header ${JSON.stringify(answerAlgorithm)}`
            : undefined;
  if (problem) {
    response.body?.cancel().catch(() => {});
    throw new CallbotSignatureError(problem, requestID);
  }
  const hasher = signatureHasher({ secretKey: options.secretKey, createTs: createTs!, requestID, uuid: options.uuid, algorithm: answerAlgorithm as SignAlgorithm });
  const reader = response.body!.getReader();
  let read = 0;
  return {
    requestID,
    get bytes() {
      return read;
    },
    async *[Symbol.asyncIterator]() {
      let finished = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          read += value.byteLength;
          if (read > maxBytes) {
            throw new CallbotUnknownOutcomeError(
              `the answer exceeds the stream's maxBytes (${maxBytes} bytes, counted after decoding); the read stopped there and the connection was closed`,
              { requestID, status: 200 },
            );
          }
          hasher.update(value);
          yield value;
        }
        finished = true;
      } finally {
        // Failed, or the caller stopped early: close the connection.
        if (!finished) reader.cancel().catch(() => {});
      }
      if (!signMatches(sign, () => hasher.digest())) {
        throw new CallbotSignatureError('sign does not match the answer (altered in transit, or not from the vendor)', requestID);
      }
    },
  };
}
