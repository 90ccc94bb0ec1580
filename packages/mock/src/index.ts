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
} from './http/node-server.js';
export { createMockHandler, type MockHandler } from './http/fetch-handler.js';
export type { MockClockControl } from './mock-core.js';
export { MAX_ADVANCE_SECONDS } from './callbacks/clock.js';
export {
  defaultOptions,
  loadConfigFile,
  resolveOptions,
  MAX_SPEED,
  DEFAULT_DEVIATE_RATE,
  type CallbackOptions,
  type FollowOptions,
  type DeviateOptions,
  type MockOptions,
  type MockOptionsInput,
  type SimulatorSettings,
} from './process/options.js';
export type { OpenWorld } from './process/state-file.js';
export { parseAccountSpec, type MockAccount } from './requests/accounts.js';
export { FAULT_HEADER, FAULT_KINDS, parseFaultList, type FaultKind, type FaultRule } from './requests/faults.js';
export { DEVIATION_KINDS, DEVIATIONS_HEADER, NEVER_DEVIATED, type Deviation, type DeviationKind } from './spec/deviate.js';
export { isAllowedCallbackUrl, type CallbackKind, type DeliveryRecord } from './callbacks/delivery.js';
export type { FollowLine } from './http/follow.js';
export { BLOCKED_PHONE_PREFIX, ERR_MSG } from './simulator/refused-orders.js';
export { consoleLogger, silentLogger, type MockLogger } from './process/logger.js';
export type { SimEvent, Simulator, SimulatorOptions, SimulatorStats } from './simulator/api.js';
