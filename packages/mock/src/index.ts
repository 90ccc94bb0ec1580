// callbot-mock's library entry: `import { createMockServer } from 'callbot-mock'`.
export { createMockServer, DEBUG_BATCHES_PATH, DEBUG_CALLBACKS_PATH, LISTING_PAGES, type MockServer } from './server.js';
export { defaultOptions, loadConfigFile, resolveOptions, type CallbackOptions, type MockOptions, type MockOptionsInput } from './options.js';
export { parseAccountSpec, type MockAccount } from './accounts.js';
export { FAULT_HEADER, FAULT_KINDS, parseFaultList, type FaultKind, type FaultRule } from './faults.js';
export { isAllowedCallbackUrl, type DeliveryRecord } from './callback-delivery.js';
export { BLOCKED_PHONE_PREFIX, ERR_MSG } from './screen-orders.js';
export { consoleLogger, silentLogger, type MockLogger } from './logger.js';
