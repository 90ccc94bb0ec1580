// callbot-contract: the typed, signed client for the nxtele Callbot v3 API, its errors and the callback receiver.
export { createCallbotClient } from './client.js';
export type {
  CallbotClient, CallbotClientOptions, ImportBatchCallInput, ImportBatchCallRequest, ImportBatchCallResponse, ImportBatchCallResult,
} from './client.js';
export { signingMiddleware, newRequestId } from './middleware.js';
export type { SigningOptions } from './middleware.js';
export { DEFAULT_ALGORITHM, isSignAlgorithm, sign, signatureBase, verifySignature } from './sign.js';
export type { SignAlgorithm, SignatureInput, SignedBody, SignInput } from './sign.js';
export {
  CallbotConnectionError, CallbotError, CallbotPackageError, CallbotSignatureError, CallbotUnknownOutcomeError, CallbotValidationError,
} from './errors.js';
export type { ValidationIssue } from './errors.js';
export { validateAgainst, validateImportRequest } from './validate.js';
export type { RetryInfo, RetryOptions } from './retry.js';
export { CallbackVerificationError, createCallbackHandler, verifyCallback } from './callbacks.js';
export type { CallbackHandlerOptions, CallbackRejection, CallFinishedCallback, OrderFinishedCallback, VerifyCallbackOptions } from './callbacks.js';
export { DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, MOCK_DEFAULT_BASE_URL, MOCK_DEFAULT_HOST, MOCK_DEFAULT_PORT, PRODUCTION_BASE_URL } from './defaults.js';
export { RetCodes, retCodeInfo, retCodeOutcome, retCodesWithOutcome } from '../generated/retcodes.js';
export type { RetCodeInfo, RetCodeName, RetCodeOutcome, RetCodeValue } from '../generated/retcodes.js';
export type { components, operations, paths, webhooks } from '../generated/schema.js';
