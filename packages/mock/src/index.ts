// callbot-mock's library entry: `import { createMockServer, createMockHandler } from 'callbot-mock'`.
export {
  createMockServer,
  DEBUG_BATCHES_PATH,
  DEBUG_CALLBACKS_PATH,
  DEBUG_CLOCK_PATH,
  DEBUG_TASKS_PATH,
  LISTING_PAGES,
  type ClockView,
  type MockServer,
} from './server.js';
export { createMockHandler, type MockHandler } from './fetch-handler.js';
export type { MockClockControl } from './core.js';
export { MAX_ADVANCE_SECONDS } from './clock.js';
export {
  defaultOptions,
  loadConfigFile,
  resolveOptions,
  MAX_SPEED,
  DEFAULT_DEVIATE_RATE,
  type CallbackOptions,
  type DeviateOptions,
  type MockOptions,
  type MockOptionsInput,
  type OpenWorld,
  type SimulatorSettings,
} from './options.js';
export { parseAccountSpec, type MockAccount } from './accounts.js';
export { FAULT_HEADER, FAULT_KINDS, parseFaultList, type FaultKind, type FaultRule } from './faults.js';
export { DEVIATION_KINDS, DEVIATIONS_HEADER, NEVER_DEVIATED, type Deviation, type DeviationKind } from './deviate.js';
export { isAllowedCallbackUrl, type CallbackKind, type DeliveryRecord } from './callback-delivery.js';
export { BLOCKED_PHONE_PREFIX, ERR_MSG } from './screen-orders.js';
export { consoleLogger, silentLogger, type MockLogger } from './logger.js';
export type { SimEvent, Simulator, SimulatorOptions, SimulatorStats } from './simulator/api.js';
