export { DEFAULT_ALGORITHM, isSignAlgorithm, sign, signatureBase, verifySignature } from './sign.js';
export type { SignAlgorithm, SignatureInput, SignedBody, SignInput } from './sign.js';
export { DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, MOCK_DEFAULT_BASE_URL, PRODUCTION_BASE_URL } from './defaults.js';
export { RetCodes, retCodeInfo } from '../generated/retcodes.js';
export type { RetCodeInfo, RetCodeName, RetCodeValue } from '../generated/retcodes.js';
export type { components, paths, webhooks, operations } from '../generated/schema.js';
