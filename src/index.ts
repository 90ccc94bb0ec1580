// callbot-contract: the typed, signed client for the nxtele Callbot v3 API, its errors and the callback receiver.
export { createCallbotClient, DEFAULT_PAGE_SIZE, LIST_ORDER_DETAIL_MAX_IDS } from './client.js';
export { CallbotPagingError, DEFAULT_MAX_PAGES } from './paging.js';
export type { PagingCountMismatch, PagingOptions } from './paging.js';
export type {
  AddBatchCallInput,
  AddBatchCallRequest,
  AddBatchCallResponse,
  AnswerDeviationReport,
  BeforeSendInfo,
  CallbotClient,
  CallbotClientOptions,
  CallbotInput,
  CallbotResult,
  CallItem,
  CreateAndCallInput,
  CreateAndCallRequest,
  CreateAndCallResponse,
  CreateTaskInput,
  CreateTaskRequest,
  CreateTaskResponse,
  ExportBatchCallInput,
  ExportBatchCallRequest,
  ExportBatchCallResponse,
  ExportBatchCallStream,
  ExportedCallItem,
  ImportBatchCallInput,
  ImportBatchCallRequest,
  ImportBatchCallResponse,
  ImportBatchCallResult,
  ListCallInput,
  ListCallRequest,
  ListCallResponse,
  ListOrderDetailInput,
  ListOrderDetailRequest,
  ListOrderDetailResponse,
  ListOrderDetailsResult,
  ListOrderInput,
  ListOrderRequest,
  ListOrderResponse,
  ListTaskInput,
  ListTaskRequest,
  ListTaskResponse,
  MgrTaskStatusInput,
  MgrTaskStatusRequest,
  MgrTaskStatusResponse,
  OperationAnswer,
  OperationRequest,
  OrderDetailItem,
  OrderItem,
  PagedListOptions,
  PagedQuery,
  PingRequest,
  PingResponse,
  StopOrderInput,
  StopOrderRequest,
  StopOrderResponse,
  TaskItem,
  UpdateTaskInput,
  UpdateTaskRequest,
  UpdateTaskResponse,
} from './client.js';
export { DEFAULT_STREAM_MAX_BYTES, DEFAULT_STREAM_TIMEOUT_MS } from './answer-stream.js';
export type { StreamReadOptions } from './answer-stream.js';
export type { ExportCallStream } from './export-stream.js';
export { Operations } from '../generated/operations.js';
export type { OperationId, OperationInfo, OperationPath } from '../generated/operations.js';
export { callbotMiddleware, signingMiddleware } from './middleware.js';
export type { SigningOptions } from './middleware.js';
export { newRequestId, signRequestMiddleware } from './sign-middleware.js';
export type { SignRequestOptions } from './sign-middleware.js';
export { gzipRequestMiddleware } from './gzip-middleware.js';
export type { GzipRequestOptions } from './gzip-middleware.js';
export { verifyResponseMiddleware } from './verify-middleware.js';
export type { VerifyResponseOptions } from './verify-middleware.js';
export { DEFAULT_ALGORITHM, isSignAlgorithm, sign, signatureBase, verifySignature } from './sign.js';
export type { SignAlgorithm, SignatureInput, SignedBody, SignInput } from './sign.js';
export {
  CallbotConnectionError,
  CallbotError,
  CallbotNotSentError,
  CallbotPackageError,
  CallbotSignatureError,
  CallbotUnknownOutcomeError,
  CallbotValidationError,
} from './errors.js';
export type { ValidationIssue } from './errors.js';
export { validateAgainst, validateImportRequest } from './validate.js';
export { MAX_LISTED_DEVIATIONS } from './deviations.js';
export type { Deviations, RateLimited, Tolerant } from './deviations.js';
export type { RetryInfo, RetryOptions } from './retry.js';
export type { CallOptions } from './call-options.js';
export type { CallbotLogger } from './attempt-log.js';
export { CallbackVerificationError, callbackKind, createCallbackHandler, verifyCallback } from './callbacks.js';
export type {
  CallbackDeviationReport,
  CallbackHandler,
  CallbackHandlerOptions,
  CallbackKind,
  CallbackMeta,
  CallbackRejection,
  CallFinishedCallback,
  OrderFinishedCallback,
  ReplayStoreErrorReport,
  TaskStatusChangedCallback,
  VerifyCallbackOptions,
} from './callbacks.js';
export { memoryReplayStore } from './replay-store.js';
export type { MemoryReplayStoreOptions, ReplayClaim, ReplayClaimRequest, ReplayStore } from './replay-store.js';
export { redisReplayStore } from './redis-replay-store.js';
export type { RedisCommander, RedisReplayStoreOptions } from './redis-replay-store.js';
export { postgresReplayStore, replayTableDdl } from './postgres-replay-store.js';
export type { PgQueryable, PostgresReplayStoreOptions } from './postgres-replay-store.js';
export { toNodeListener } from './node-adapter.js';
export type { NodeIncomingMessage, NodeListenerOptions, NodeServerResponse } from './node-adapter.js';
export { DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, MOCK_DEFAULT_BASE_URL, MOCK_DEFAULT_HOST, MOCK_DEFAULT_PORT, PRODUCTION_BASE_URL } from './defaults.js';
export { RetCodes, retCodeInfo, retCodeOutcome, retCodesWithOutcome } from '../generated/retcodes.js';
export {
  Callbacks,
  DelCall,
  DelCallEntries,
  Limits,
  MockLimits,
  PRODUCT_ID,
  TaskOperate,
  TaskOperateEntries,
  TaskStatus,
  TaskStatusEntries,
} from '../generated/vendor-facts.js';
export type { DelCallValue, EnumEntry, TaskOperateValue, TaskStatusValue } from '../generated/vendor-facts.js';
export type { RetCodeInfo, RetCodeName, RetCodeOutcome, RetCodeValue } from '../generated/retcodes.js';
export type { components, operations, paths, webhooks } from '../generated/schema.js';
