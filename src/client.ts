import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../generated/schema.js';
import { PRODUCTION_BASE_URL, IMPORT_BATCH_CALL_PATH } from './defaults.js';
import {
  CallbotConnectionError, CallbotError, CallbotPackageError, CallbotUnknownOutcomeError, CallbotValidationError,
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
  /** A fetch of your own (proxy agents, instrumentation). Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface CallbotClient {
  /**
   * Imports `body` as the task's newest batch. Resolves on retCode 0 (a partial success still
   * resolves, with `errList`). Rejects with CallbotValidationError (nothing sent), CallbotError
   * (another retCode), CallbotUnknownOutcomeError / CallbotSignatureError (sent, outcome
   * unknown: NOT retried) or CallbotConnectionError (never sent).
   */
  importBatchCall(body: ImportBatchCallInput): Promise<ImportBatchCallResult>;
  /** The underlying openapi-fetch client, with callbotMiddleware (signed, verified): `raw.POST(path, { body })`. */
  readonly raw: Client<paths>;
}

export function createCallbotClient(options: CallbotClientOptions): CallbotClient {
  if (!options.uuid || !options.secretKey) throw new TypeError('createCallbotClient: uuid and secretKey are required');
  const raw = createClient<paths>({ baseUrl: options.baseUrl ?? PRODUCTION_BASE_URL, ...(options.fetch ? { fetch: options.fetch } : {}) });
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
    const started = retry.now();
    for (let attempt = 1; ; attempt += 1) {
      const requestID = makeRequestId();
      let failure: CallbotError | CallbotConnectionError;
      try {
        const { data, response } = await raw.POST(IMPORT_BATCH_CALL_PATH, {
          body, headers: { requestID }, signal: AbortSignal.timeout(timeoutMs),
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
        const { sent, code } = classifyFetchFailure(error);
        if (sent !== 'no') {
          throw new CallbotUnknownOutcomeError(code ? `the connection failed after sending (${code})` : 'the answer could not be read', { requestID, cause: error });
        }
        failure = new CallbotConnectionError(code, { requestID, cause: error });
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
