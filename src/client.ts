import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../generated/schema.js';
import { PRODUCTION_BASE_URL, IMPORT_BATCH_CALL_PATH } from './defaults.js';
import { guardFetch, importAnswerBound, UNCOUNTED_MAX_ANSWER_BYTES } from './answer-guard.js';
import {
  CallbotConnectionError, CallbotError, CallbotNotSentError, CallbotPackageError, CallbotUnknownOutcomeError, CallbotValidationError,
} from './errors.js';
import { callbotMiddleware, type SigningOptions } from './middleware.js';
import { newRequestId } from './sign-middleware.js';
import { backoffDelay, classifyFetchFailure, resolveRetry, type RetryOptions } from './retry.js';
import { validateImportRequest } from './validate.js';

export type ImportBatchCallRequest = components['schemas']['ImportBatchCallRequest'];
export type ImportBatchCallResponse = components['schemas']['ImportBatchCallResponse'];
/** The body, with `productID` optional (it can only be "callbot"; the client fills it in). */
export type ImportBatchCallInput = Omit<ImportBatchCallRequest, 'productID'> & { productID?: 'callbot' };

/** A batch the vendor imported (retCode 0). Orders it refused are in `errList`. */
export interface ImportBatchCallResult extends ImportBatchCallResponse {
  retCode: 0;
  errList: NonNullable<ImportBatchCallResponse['errList']>;
  /** The `requestID` of the attempt that succeeded. */
  requestID: string;
  /** How many attempts it took (more than 1 only after "not processed" answers or refused connections). */
  attempts: number;
}

export interface CallbotClientOptions extends SigningOptions {
  /** Default `https://nxbot.nxcloud.com` (production). The local mock is `http://127.0.0.1:4010`. */
  baseUrl?: string;
  /** Per attempt. An attempt that times out has an unknown outcome and is not retried. Default 120 s. */
  timeoutMs?: number;
  /** Retries of requests the vendor certainly did not process; `false` for none. On by default. */
  retry?: RetryOptions | false;
  /** Check the body against the contract before sending. On by default. */
  validate?: boolean;
  /**
   * A fetch of your own (proxy agents, instrumentation). Default: the global fetch. It is called
   * with `redirect: 'manual'`: a redirect is never followed (the first host received the signed
   * body, so the outcome is unknown: CallbotUnknownOutcomeError naming the Location), and an
   * answer your fetch got by following one anyway is not believed.
   */
  fetch?: typeof fetch;
  /**
   * The most bytes of one answer the client reads, counted after fetch has decoded any
   * `Content-Encoding` (a few MB of gzip can inflate to gigabytes). Past it the client stops
   * reading, closes the connection and rejects with CallbotUnknownOutcomeError; an answer whose
   * Content-Length already exceeds it is refused unread. Default for importBatchCall: 1 MiB plus
   * 512 bytes per order sent (an answer is counts and ids plus at most one errList entry per
   * order); for `raw` calls, whose orders the client does not count, 64 MiB.
   */
  maxAnswerBytes?: number;
}

export interface CallbotClient {
  /**
   * Imports `body` as the task's newest batch. Resolves on retCode 0 (a partial success still
   * resolves, with `errList`). Rejects with CallbotValidationError (nothing sent), CallbotError
   * (another retCode, from a verified answer), CallbotUnknownOutcomeError / CallbotSignatureError
   * (sent, outcome unknown: NOT retried; a redirect, an answer over `maxAnswerBytes` or one that
   * cannot be verified included) or CallbotNotSentError / its subclass CallbotConnectionError
   * (never sent). Every error has an `outcome` but CallbotValidationError.
   */
  importBatchCall(body: ImportBatchCallInput): Promise<ImportBatchCallResult>;
  /**
   * The underlying openapi-fetch client, with callbotMiddleware (signed, verified), no redirects
   * followed and answers bounded by `maxAnswerBytes`: `raw.POST(path, { body })`.
   */
  readonly raw: Client<paths>;
}

export function createCallbotClient(options: CallbotClientOptions): CallbotClient {
  if (!options.uuid || !options.secretKey) throw new TypeError('createCallbotClient: uuid and secretKey are required');
  const { maxAnswerBytes } = options;
  if (maxAnswerBytes !== undefined && !(Number.isSafeInteger(maxAnswerBytes) && maxAnswerBytes > 0)) {
    throw new TypeError('createCallbotClient: maxAnswerBytes must be a positive integer');
  }
  // The caller's fetch, or the global one as it is when the request goes out.
  const fetchAnswer = guardFetch(() => options.fetch ?? globalThis.fetch);
  const raw = createClient<paths>({
    baseUrl: options.baseUrl ?? PRODUCTION_BASE_URL,
    redirect: 'manual',
    fetch: (request) => fetchAnswer(request, maxAnswerBytes ?? UNCOUNTED_MAX_ANSWER_BYTES),
  });
  raw.use(...callbotMiddleware(options));
  const retry = resolveRetry(options.retry);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const validate = options.validate ?? true;
  const makeRequestId = options.requestId ?? newRequestId;

  async function importBatchCall(input: ImportBatchCallInput): Promise<ImportBatchCallResult> {
    const { productID: _alwaysCallbot, ...fields } = input;
    const body: ImportBatchCallRequest = { productID: 'callbot', ...fields };
    if (validate) {
      const issues = validateImportRequest(body);
      if (issues.length > 0) throw new CallbotValidationError(issues);
    }
    const orders = Array.isArray(body.callInfoList?.callList) ? body.callInfoList.callList.length : 0;
    const answerBound = maxAnswerBytes ?? importAnswerBound(orders);
    const started = retry.now();
    for (let attempt = 1; ; attempt += 1) {
      const requestID = makeRequestId();
      let failure: CallbotError | CallbotConnectionError;
      // Whether this attempt got as far as fetch: a failure before it (serializing the body,
      // building or signing the request) certainly sent nothing.
      let reachedFetch = false;
      try {
        const { data, response } = await raw.POST(IMPORT_BATCH_CALL_PATH, {
          body, headers: { requestID }, signal: AbortSignal.timeout(timeoutMs),
          fetch: (request) => {
            reachedFetch = true;
            return fetchAnswer(request, answerBound);
          },
        });
        if (response.status !== 200 || !data || typeof data.retCode !== 'number') {
          throw new CallbotUnknownOutcomeError(`HTTP ${response.status} without a readable answer`, { requestID, status: response.status });
        }
        if (data.retCode === 0) return { ...data, retCode: 0, errList: data.errList ?? [], requestID, attempts: attempt };
        failure = new CallbotError(data, requestID);
        // Sent again only when the vendor said it did not process the request (the spec's outcome class).
        if (failure.outcome !== 'not-processed') throw failure;
      } catch (error) {
        if (error instanceof CallbotPackageError) throw error;
        if (!reachedFetch) throw new CallbotNotSentError(`it failed before reaching fetch (${describeLocalError(error)})`, { requestID, cause: error });
        const { sent, code, permanent } = classifyFetchFailure(error);
        if (sent !== 'no') {
          throw new CallbotUnknownOutcomeError(code ? `the connection failed after sending (${code})` : 'the answer could not be read', { requestID, cause: error });
        }
        failure = new CallbotConnectionError(code, { requestID, cause: error });
        if (permanent) throw failure;
      }
      const delayMs = backoffDelay(attempt, retry);
      if (attempt >= retry.maxAttempts || retry.now() - started + delayMs > retry.maxElapsedMs) throw failure;
      retry.onRetry?.({
        attempt, delayMs, requestID,
        ...(failure instanceof CallbotError ? { reason: 'retCode', retCode: failure.retCode } : { reason: 'connection', code: failure.code ?? 'unknown' }),
      });
      await retry.sleep(delayMs);
    }
  }

  return { importBatchCall, raw };
}

/** A local error, for a message: its kind and first words (JSON.stringify's name property names, never values). */
function describeLocalError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
