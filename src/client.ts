import createClient, { type Client } from 'openapi-fetch';
import { Operations, type OperationId } from '../generated/operations.js';
import { Limits, PRODUCT_ID, TaskOperate } from '../generated/vendor-facts.js';
import type { paths } from '../generated/schema.js';
import type { ValidatorName, VendorSentName } from '../generated/validators.js';
import { PRODUCTION_BASE_URL } from './defaults.js';
import { guardFetch, importAnswerBound, UNCOUNTED_MAX_ANSWER_BYTES } from './answer-guard.js';
import { startAttemptDeadline, untilAborted } from './attempt-deadline.js';
import {
  CallbotConnectionError,
  CallbotError,
  CallbotNotSentError,
  CallbotPackageError,
  CallbotUnknownOutcomeError,
  CallbotValidationError,
} from './errors.js';
import { clientMiddleware, type SigningOptions } from './middleware.js';
import { newRequestId } from './sign-middleware.js';
import { readPages, resolveMaxPages } from './paging.js';
import { type AttemptOutcome, backoffDelay, classifyFetchFailure, mayResend, resolveRetry, type RetryOptions, retryReasonOf } from './retry.js';
import { type CallOptions, callRetry, cancelledBeforeSending, cancelledInFlight, checkCallOptions, checkTimeoutMs } from './call-options.js';
import { attemptLog, type CallbotLogger, logLevelFromEnv } from './attempt-log.js';
import { validateAgainst, vendorDeviations } from './validate.js';
import { jsonChunks } from './json-chunks.js';
import { boundDeviations, type Deviations, MAX_LISTED_DEVIATIONS, type RateLimited, rateLimitedReporter } from './deviations.js';
import { answerRetCode } from './ret-code.js';
import type { StreamReadOptions } from './answer-stream.js';
import { streamExportedCalls } from './export-stream.js';

import type {
  AddBatchCallInput,
  AddBatchCallResponse,
  CallItem,
  CallbotResult,
  CreateAndCallInput,
  CreateAndCallResponse,
  CreateTaskInput,
  CreateTaskResponse,
  ExportBatchCallInput,
  ExportBatchCallResponse,
  ExportBatchCallStream,
  ImportBatchCallInput,
  ImportBatchCallResult,
  ListCallInput,
  ListCallResponse,
  ListOrderDetailInput,
  ListOrderDetailsResult,
  ListOrderInput,
  ListOrderResponse,
  ListTaskInput,
  ListTaskResponse,
  MgrTaskStatusInput,
  MgrTaskStatusRequest,
  MgrTaskStatusResponse,
  OperationAnswer,
  OrderItem,
  PagedListOptions,
  PagedQuery,
  PingResponse,
  StopOrderInput,
  StopOrderResponse,
  TaskItem,
  UpdateTaskInput,
  UpdateTaskResponse,
} from './operation-types.js';

export type * from './operation-types.js';

/** listOrderDetail takes at most this many order ids (the spec's `maxItems`); listOrderDetails splits longer lists. */
export const LIST_ORDER_DETAIL_MAX_IDS = Limits.ListOrderDetailRequest.orderList.maxItems;
/** The page size the iterators ask for unless told otherwise (the vendor's examples use 100). */
export const DEFAULT_PAGE_SIZE = 100;

export interface CallbotClientOptions extends SigningOptions {
  /** Default `https://nxbot.nxcloud.com` (production). The local mock is `http://127.0.0.1:4010`. */
  baseUrl?: string;
  /**
   * Per attempt. An attempt that times out has an unknown outcome and is resent only for a read.
   * Default 120 s. A positive integer (else a TypeError at once); a call's own `timeoutMs` replaces it.
   */
  timeoutMs?: number;
  /** Retries of requests the vendor certainly did not process; `false` for none. On by default. A call's own `retry` replaces it. */
  retry?: RetryOptions | false;
  /**
   * Where one debug line per attempt goes: operation, requestID, HTTP status, retCode,
   * milliseconds, and then `retry=<reason>` when it is sent again or the error's class and
   * outcome when the call fails with it (logfmt: `callbot op=listTask attempt=1 requestID=… status=200
   * retCode=0 ms=12 result=ok`). Never the secretKey, a sign or a signature base string. An object
   * with `debug` (console, pino, …) or a function; `false` for none. Without it, the environment
   * variable `CALLBOT_LOG=debug` — read from `process.env` when the client is created — sends the
   * lines to console.error (stderr). What the logger throws is ignored.
   */
  logger?: CallbotLogger | false;
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
  /**
   * Called for each answer the client resolves with (retCode 0) that departs from the spec's
   * schema for it — the answer is still returned as received — at most
   * `deviationReportsPerMinute` times a minute (the rest counted in the next report's
   * `suppressed`). Without it answers are not checked at all. The check costs a pass over the
   * answer (an export's too); what the hook throws or rejects is ignored.
   */
  onDeviation?: (report: AnswerDeviationReport) => void | Promise<void>;
  /** Most `onDeviation` calls per minute. Default 10. */
  deviationReportsPerMinute?: number;
  /**
   * Awaited once per attempt, after the request is built, signed and compressed and just before
   * it is handed to fetch, with the attempt's requestID header: the moment to record "this
   * request is about to leave" (a journal on disk) before anything can reach the vendor. When it
   * throws or rejects, nothing of that attempt is sent, nothing is retried, and the call rejects
   * with that very error. Its time counts against the attempt's `timeoutMs`.
   */
  beforeSend?: (attempt: BeforeSendInfo) => void | Promise<void>;
}

/** What the client's `beforeSend` receives: the attempt about to leave. */
export interface BeforeSendInfo {
  readonly operationId: OperationId;
  /** The attempt's requestID header (a fresh one per attempt). */
  readonly requestID: string;
  /** 1 for the first attempt, 2 for the first resend, … */
  readonly attempt: number;
}

/** What the client's `onDeviation` receives: a verified answer that departs from the spec (it was returned all the same). */
export interface AnswerDeviationReport extends Deviations, RateLimited {
  readonly operationId: OperationId;
  /** The requestID of the attempt whose answer it is. */
  readonly requestID: string;
}

/**
 * Every method signs its request, checks the body against the spec's schema before sending
 * (CallbotValidationError naming the field; nothing sent), verifies the answer's signature and
 * resolves on retCode 0. It rejects with CallbotError (another retCode, from a verified answer),
 * CallbotUnknownOutcomeError / CallbotSignatureError (sent, outcome unknown) or
 * CallbotNotSentError / CallbotConnectionError (never sent). Requests the vendor did not process
 * (`not-processed` retCodes, refused connections) are sent again for every operation; a request
 * whose outcome is unknown (timeout, reset, unreadable answer, a retCode of unknown outcome) is
 * sent again — with a fresh requestID — only for the reads (`ping`, `list*`, `exportBatchCall`:
 * the spec's `x-callbot-resend-unknown`), never for a write.
 *
 * Every method takes per-call options last (CallOptions: `signal` to cancel, `timeoutMs` and
 * `retry` in place of the client's); the paged iterators take them with their paging options.
 *
 * Answers are judged on authenticity (signature, echoed headers), never on shape: a verified
 * answer is returned as received — nulls, missing or extra fields, undocumented enum values
 * and all — so **at run time a field may deviate from its type** (`onDeviation` reports where).
 * Only the outcome must be readable: a retCode (`code` for ping) that is an integer or a
 * string of digits; without one the outcome is unknown (CallbotUnknownOutcomeError).
 */
export interface CallbotClient {
  /** Checks the account and the signing: the vendor echoes `data`. Resolves when `code` is 0. A read. */
  ping(data?: string, options?: CallOptions): Promise<CallbotResult<PingResponse>>;
  /** Creates an automatic dialling task (`createTask`). A write: not resent after an unknown outcome. */
  createTask(body: CreateTaskInput, options?: CallOptions): Promise<CallbotResult<CreateTaskResponse>>;
  /** Creates a task and adds its orders in one request (`createAndCall`). A write. */
  createAndCall(body: CreateAndCallInput, options?: CallOptions): Promise<CallbotResult<CreateAndCallResponse>>;
  /** Changes a paused or not yet started task's `taskCreateSetting` / `funcFlag` (`updateTask`). A write. */
  updateTask(body: UpdateTaskInput, options?: CallOptions): Promise<CallbotResult<UpdateTaskResponse>>;
  /** Starts (1), pauses (2) or completes (3) a task (`mgrTaskStatus`). A write. */
  setTaskStatus(body: MgrTaskStatusInput, options?: CallOptions): Promise<CallbotResult<MgrTaskStatusResponse>>;
  /** `setTaskStatus({ userTaskID, taskOperate: 1 })`. */
  startTask(userTaskID: string, options?: CallOptions): Promise<CallbotResult<MgrTaskStatusResponse>>;
  /** `setTaskStatus({ userTaskID, taskOperate: 2 })`. */
  pauseTask(userTaskID: string, options?: CallOptions): Promise<CallbotResult<MgrTaskStatusResponse>>;
  /** `setTaskStatus({ userTaskID, taskOperate: 3, delCall })`: ends the task (delCall 1 also deletes undialled orders). */
  completeTask(userTaskID: string, task?: { delCall?: MgrTaskStatusRequest['delCall'] }, options?: CallOptions): Promise<CallbotResult<MgrTaskStatusResponse>>;
  /** Adds orders to an existing task (`addBatchCall`). A write. */
  addBatchCall(body: AddBatchCallInput, options?: CallOptions): Promise<CallbotResult<AddBatchCallResponse>>;
  /**
   * Imports `body` as the task's newest batch. Resolves on retCode 0 (a partial success still
   * resolves, with `errList`). Rejects with CallbotValidationError (nothing sent), CallbotError
   * (another retCode, from a verified answer), CallbotUnknownOutcomeError / CallbotSignatureError
   * (sent, outcome unknown: NOT retried; a redirect, an answer over `maxAnswerBytes` or one that
   * cannot be verified included) or CallbotNotSentError / its subclass CallbotConnectionError
   * (never sent). Every error has an `outcome` but CallbotValidationError.
   */
  importBatchCall(body: ImportBatchCallInput, options?: CallOptions): Promise<ImportBatchCallResult>;
  /** Stops orders, irreversibly (`stopOrder`). A write. */
  stopOrders(body: StopOrderInput, options?: CallOptions): Promise<CallbotResult<StopOrderResponse>>;
  /** One page of tasks (`listTask`). A read. See `tasks()` for every page. */
  listTasks(body: ListTaskInput, options?: CallOptions): Promise<CallbotResult<ListTaskResponse>>;
  /** One page of a task's orders (`listOrder`). A read. See `orders()`. */
  listOrders(body: ListOrderInput, options?: CallOptions): Promise<CallbotResult<ListOrderResponse>>;
  /** One page of a task's calls (`listCall`; the answer may come gzip-compressed). A read. See `calls()`. */
  listCalls(body: ListCallInput, options?: CallOptions): Promise<CallbotResult<ListCallResponse>>;
  /**
   * Every call of the given orders (`listOrderDetail`). The vendor takes at most 500 order ids a
   * request: a longer `orderList` is split into requests of at most 500 ids, sent one after the
   * other (reads: safe to repeat), and their `orderDetailList`s are merged in order. The first
   * failing request rejects the whole call. An empty list is refused locally (CallbotValidationError).
   */
  listOrderDetails(body: ListOrderDetailInput, options?: CallOptions): Promise<ListOrderDetailsResult>;
  /**
   * The calls of the task's latest batch (`exportBatchCall`; the answer may come gzip-compressed).
   * A read. The whole answer is held (within `maxAnswerBytes`: 64 MiB, about 200,000 calls, by
   * default); for a large batch see `exportBatchCallStream`.
   */
  exportBatchCall(body: ExportBatchCallInput, options?: CallOptions): Promise<CallbotResult<ExportBatchCallResponse>>;
  /**
   * exportBatchCall read as a stream, for a batch of any size: `for await (const call of
   * client.exportBatchCallStream({ userTaskID }))` yields each `callList` entry as it is parsed,
   * holding one chunk of the answer at a time, and hashes the bytes for the signature as they
   * pass. **The entries are untrusted until the loop has ended without an error**: only after the
   * last byte is the sign checked (CallbotSignatureError), then the retCode (CallbotError); write
   * what you make of them somewhere temporary and publish it only then. The answer's other fields
   * (`batchID`, …) are on `.answer` after the loop. Sent at the first iteration, once, never
   * resent (ask again: a read); bounded by `options.maxBytes` (default 16 GiB, after gzip is
   * inflated) and `options.timeoutMs` (the whole read; default 30 minutes), not by
   * `maxAnswerBytes` or the client's `timeoutMs`. The body is always validated; a wrong option
   * throws at once. `beforeSend` is awaited before the one request leaves, as for every method.
   */
  exportBatchCallStream(body: ExportBatchCallInput, options?: StreamReadOptions): ExportBatchCallStream;
  /**
   * Every task matching the query, page by page (`listTask` with `page` 1, 2, …; `size` default
   * 100): yields each task once, as received (a null item too), and stops after a short or empty
   * page, or a full page that reaches `totalCount` exactly (a number, or a string of digits). A
   * page whose list is null, missing or not an array counts as empty. Holds one page at a time. A
   * page that fails rejects the loop. The vendor's paging is checked (src/paging.ts): at most
   * `maxPages` pages (default 100,000), a full page repeating an earlier one rejects with
   * CallbotPagingError, and `onCountMismatch` hears when the pages end where `totalCount` does not.
   */
  tasks(query: PagedQuery<ListTaskInput>, paging?: PagedListOptions): AsyncGenerator<TaskItem, void, undefined>;
  /** Every order of the query, page by page (`listOrder`), as `tasks()`. */
  orders(query: PagedQuery<ListOrderInput>, paging?: PagedListOptions): AsyncGenerator<OrderItem, void, undefined>;
  /** Every call of the query, page by page (`listCall`), as `tasks()`. */
  calls(query: PagedQuery<ListCallInput>, paging?: PagedListOptions): AsyncGenerator<CallItem, void, undefined>;
  /**
   * The underlying openapi-fetch client, with callbotMiddleware (signed, verified), no redirects
   * followed and answers bounded by `maxAnswerBytes`: `raw.POST(path, { body })`.
   */
  readonly raw: Client<paths>;
}

type Answer = Record<string, unknown> & { retCode?: unknown; code?: unknown };
type LooseClient = { POST(path: string, init: Record<string, unknown>): Promise<{ data?: Answer; response: Response }> };

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
  /** The serialized body of each attempt in flight, by its requestID header (see clientMiddleware). */
  const preparedBodies = new Map<string, readonly Uint8Array[]>();
  raw.use(...clientMiddleware(options, (requestID) => preparedBodies.get(requestID)));
  const loose = raw as unknown as LooseClient;
  checkTimeoutMs(options.timeoutMs, 'createCallbotClient');
  const clientRetry = resolveRetry(options.retry);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const logAttempt = attemptLog(options.logger, logLevelFromEnv());
  const validate = options.validate ?? true;
  const makeRequestId = options.requestId ?? newRequestId;
  const reportDeviation = options.onDeviation ? rateLimitedReporter(options.onDeviation, options.deviationReportsPerMinute, Date.now) : undefined;

  /**
   * The one way every method sends: fills in productID, validates against the operation's
   * request schema, signs (middleware), sends, verifies, and retries as the operation's row of
   * generated/operations.ts allows (mayResend), under the call's own options if it has any.
   * Resolves with the retCode-0 answer. Each attempt is one line of the attempt log.
   */
  async function call<K extends OperationId>(
    operationId: K,
    input: unknown,
    given: CallOptions | undefined,
    answerBound?: number,
  ): Promise<CallbotResult<OperationAnswer<K>>> {
    const { signal, ...callOptions } = checkCallOptions(given, operationId);
    const operation = Operations[operationId];
    const body = operation.productID ? { productID: PRODUCT_ID, ...(withoutProductID(input) as object) } : input;
    if (validate) {
      const issues = validateAgainst(operation.requestSchema as ValidatorName, body);
      if (issues.length > 0) throw new CallbotValidationError(issues);
    }
    if (signal?.aborted) throw cancelledBeforeSending(undefined, signal.reason);
    const retry = callOptions.retry === undefined ? clientRetry : resolveRetry(callRetry(options.retry, callOptions.retry));
    const bound = maxAnswerBytes ?? answerBound ?? UNCOUNTED_MAX_ANSWER_BYTES;
    const started = retry.now();
    let bytes: readonly Uint8Array[] | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const requestID = makeRequestId();
      const began = Date.now();
      let status: number | undefined;
      let retCode: number | undefined;
      /** Logs the attempt's end; hands back its error, to be thrown. */
      const logged = <E>(error?: E, retried?: { reason: string; delayMs: number }): E => {
        logAttempt?.({ operationId, attempt, requestID, status, retCode, ms: Date.now() - began, error, retry: retried });
        return error as E;
      };
      let failure: CallbotPackageError;
      let outcome: AttemptOutcome;
      // Whether this attempt got as far as fetch: a failure before it (serializing the body,
      // building or signing the request) certainly sent nothing.
      let reachedFetch = false;
      // What the caller's beforeSend threw: handed back as it is (nothing of the attempt left).
      let refusedBeforeSend: { error: unknown } | undefined;
      // The attempt's time limit, held here until its answer is read (not AbortSignal.timeout:
      // see attempt-deadline.ts for why a signal passed through Request copies is lost).
      // The caller's signal aborts it too.
      const deadline = startAttemptDeadline(callOptions.timeoutMs ?? timeoutMs, signal);
      try {
        // Serialized once, on the first attempt, straight to bytes (a failure here sends
        // nothing); every attempt signs and sends those same bytes.
        bytes ??= jsonChunks(body);
        if (bytes) preparedBodies.set(requestID, bytes);
        const { data, response } = await loose.POST(operation.path, {
          headers: operation.answerGzip ? { requestID, 'Accept-Encoding': 'gzip' } : { requestID },
          signal: deadline.signal,
          fetch: async (request: Request) => {
            if (options.beforeSend) {
              try {
                await options.beforeSend({ operationId, requestID, attempt });
              } catch (error) {
                refusedBeforeSend = { error };
                throw error;
              }
            }
            if (signal?.aborted) throw signal.reason; // cancelled before anything left
            reachedFetch = true;
            return fetchAnswer(request, bound, deadline.signal);
          },
        });
        status = response.status;
        retCode = answerRetCode(data);
        if (response.status !== 200 || !data || retCode === undefined) {
          failure = new CallbotUnknownOutcomeError(`HTTP ${response.status} without a readable answer`, {
            requestID,
            status: response.status,
            read: operation.resendUnknown,
          });
          outcome = 'unknown';
        } else if (retCode === 0) {
          if (reportDeviation) {
            const { issues, count } = vendorDeviations(operation.answerSchema as VendorSentName, data, MAX_LISTED_DEVIATIONS);
            const found = boundDeviations(issues, count);
            if (found.deviationCount > 0) reportDeviation({ operationId, requestID, ...found });
          }
          logged();
          return { ...(data as OperationAnswer<K>), requestID, attempts: attempt };
        } else {
          // ping's answer names its fields code/msg/reqId; every other answer retCode/retMsg/responseID.
          const error = new CallbotError({ retCode, retMsg: text(data.retMsg ?? data.msg), responseID: text(data.responseID ?? data.reqId) }, requestID);
          failure = error;
          outcome = error.outcome === 'refused' ? 'final' : error.outcome;
        }
      } catch (error) {
        if (error instanceof CallbotUnknownOutcomeError) status = error.status;
        if (refusedBeforeSend) throw logged(refusedBeforeSend.error);
        // The caller's cancel: never sent again, whatever the operation (see CallOptions.signal).
        if (signal?.aborted) {
          throw logged(reachedFetch ? cancelledInFlight(requestID, signal.reason, operation.resendUnknown) : cancelledBeforeSending(requestID, signal.reason));
        }
        // The answer guard's and the verification's errors (redirect, too large, untrusted): the same request would meet the same.
        if (error instanceof CallbotUnknownOutcomeError && operation.resendUnknown) throw logged(error.asRead());
        if (error instanceof CallbotPackageError) throw logged(error);
        if (!reachedFetch) {
          throw logged(new CallbotNotSentError(`it failed before reaching fetch (${describeLocalError(error)})`, { requestID, cause: error }));
        }
        const { sent, code, permanent } = classifyFetchFailure(error);
        if (sent !== 'no') {
          failure = new CallbotUnknownOutcomeError(code ? `the connection failed after sending (${code})` : 'the answer could not be read', {
            requestID,
            cause: error,
            read: operation.resendUnknown,
          });
          outcome = 'unknown';
        } else {
          failure = new CallbotConnectionError(code, { requestID, cause: error });
          outcome = permanent ? 'final' : 'not-sent';
        }
      } finally {
        deadline.clear();
        preparedBodies.delete(requestID);
      }
      if (!mayResend(outcome, operation)) throw logged(failure);
      const delayMs = backoffDelay(attempt, retry);
      if (attempt >= retry.maxAttempts || retry.now() - started + delayMs > retry.maxElapsedMs) throw logged(failure);
      const why = retryReasonOf(failure);
      logged(failure, { reason: why.reason, delayMs });
      retry.onRetry?.({ attempt, delayMs, requestID, ...why });
      // A cancel during the wait ends the call with this attempt's error: nothing more is sent.
      await untilAborted(retry.sleep(delayMs, signal), signal).catch((error: unknown) => {
        if (!signal?.aborted) throw error;
      });
      if (signal?.aborted) throw failure;
    }
  }

  /** Reads a paged list to its end, one page in memory at a time, under paging.ts's rules. */
  function pages<K extends 'listTask' | 'listOrder' | 'listCall', T>(
    operationId: K,
    query: { page?: number; size?: number },
    items: (answer: OperationAnswer<K>) => T[] | undefined,
    paging: PagedListOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    const size = query.size ?? DEFAULT_PAGE_SIZE;
    // A wrong option throws here, not at the first next().
    resolveMaxPages(paging.maxPages);
    const { signal, timeoutMs: pageTimeoutMs, retry: pageRetry } = checkCallOptions(paging, operationId);
    const perPage: CallOptions = { signal, timeoutMs: pageTimeoutMs, retry: pageRetry };
    const fetchPage = async (page: number) => {
      const answer = await call(operationId, { ...query, page, size }, perPage);
      // A list that is not an array is an empty page; a count may come as a string of digits.
      return { items: arrayOrEmpty(items(answer)), totalCount: count((answer as { totalCount?: unknown }).totalCount), requestID: answer.requestID };
    };
    return readPages(fetchPage, query.page ?? 1, size, paging);
  }

  async function importBatchCall(input: ImportBatchCallInput, callOptions?: CallOptions): Promise<ImportBatchCallResult> {
    const orders = Array.isArray(input?.callInfoList?.callList) ? input.callInfoList.callList.length : 0;
    const answer = await call('importBatchCall', input, callOptions, importAnswerBound(orders));
    return { ...answer, retCode: 0, errList: arrayOrEmpty(answer.errList) };
  }

  async function listOrderDetails(input: ListOrderDetailInput, callOptions?: CallOptions): Promise<ListOrderDetailsResult> {
    const ids = Array.isArray(input?.orderList) ? input.orderList : [];
    if (ids.length <= LIST_ORDER_DETAIL_MAX_IDS) {
      const answer = await call('listOrderDetail', input, callOptions);
      return { ...answer, orderDetailList: arrayOrEmpty(answer.orderDetailList), requestIDs: [answer.requestID] };
    }
    let merged: ListOrderDetailsResult | undefined;
    for (let from = 0; from < ids.length; from += LIST_ORDER_DETAIL_MAX_IDS) {
      const answer = await call('listOrderDetail', { ...input, orderList: ids.slice(from, from + LIST_ORDER_DETAIL_MAX_IDS) }, callOptions);
      const details = arrayOrEmpty(answer.orderDetailList);
      if (!merged) merged = { ...answer, orderDetailList: [...details], requestIDs: [answer.requestID] };
      else {
        merged.orderDetailList.push(...details);
        merged.requestIDs.push(answer.requestID);
        merged.attempts += answer.attempts;
      }
    }
    return merged!;
  }

  const setTaskStatus = (body: MgrTaskStatusInput, callOptions?: CallOptions) => call('mgrTaskStatus', body, callOptions);
  return {
    ping: (data = 'ping', callOptions) => call('ping', { data }, callOptions),
    createTask: (body, callOptions) => call('createTask', body, callOptions),
    createAndCall: (body, callOptions) => call('createAndCall', body, callOptions),
    updateTask: (body, callOptions) => call('updateTask', body, callOptions),
    setTaskStatus,
    startTask: (userTaskID, callOptions) => setTaskStatus({ userTaskID, taskOperate: TaskOperate.Start }, callOptions),
    pauseTask: (userTaskID, callOptions) => setTaskStatus({ userTaskID, taskOperate: TaskOperate.Pause }, callOptions),
    completeTask: (userTaskID, { delCall } = {}, callOptions) =>
      setTaskStatus({ userTaskID, taskOperate: TaskOperate.Complete, ...(delCall === undefined ? {} : { delCall }) }, callOptions),
    addBatchCall: (body, callOptions) => call('addBatchCall', body, callOptions),
    importBatchCall,
    stopOrders: (body, callOptions) => call('stopOrder', body, callOptions),
    listTasks: (body, callOptions) => call('listTask', body, callOptions),
    listOrders: (body, callOptions) => call('listOrder', body, callOptions),
    listCalls: (body, callOptions) => call('listCall', body, callOptions),
    listOrderDetails,
    exportBatchCall: (body, callOptions) => call('exportBatchCall', body, callOptions),
    exportBatchCallStream: (body, streamOptions = {}) =>
      streamExportedCalls(
        {
          ...streamOptions,
          baseUrl: options.baseUrl,
          uuid: options.uuid,
          secretKey: options.secretKey,
          algorithm: options.algorithm,
          fetch: options.fetch,
          requestId: options.requestId,
          beforeSend: options.beforeSend,
        },
        body,
      ),
    tasks: (query, paging) => pages('listTask', query, (answer) => answer.taskData, paging),
    orders: (query, paging) => pages('listOrder', query, (answer) => answer.orderList, paging),
    calls: (query, paging) => pages('listCall', query, (answer) => answer.callList, paging),
    raw,
  };
}

function withoutProductID(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const { productID: _alwaysCallbot, ...fields } = input as Record<string, unknown>;
  return fields;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A list of an answer as received, or none when it is null, missing or not a list (a deviation, not a failure). */
function arrayOrEmpty<T>(value: T[] | null | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

/** A count as the vendor may send it: a number, or a string of digits. */
function count(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A local error, for a message: its kind and first words (JSON.stringify's name property names, never values). */
function describeLocalError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
