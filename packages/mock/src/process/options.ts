import { MOCK_DEFAULT_HOST, MOCK_DEFAULT_PORT, MockLimits } from 'callbot-contract';
import { readJsonObjectFile } from 'callbot-contract/internal';
import { isSignAlgorithm } from 'callbot-contract';
import type { MockAccount } from '../requests/accounts.js';
import { DEVIATION_KINDS, type DeviationKind } from '../spec/deviate.js';
import { validateRule, type FaultRule } from '../requests/faults.js';
import { silentLogger, type MockLogger } from './logger.js';
import { type DialerSettings, MAX_VIRTUAL_MS, type Simulator, type SimulatorOptions } from '../simulator/api.js';
import { DEFAULT_STATE_INTERVAL_MS, type OpenWorld, stateFileWorld } from './state-file.js';

/** The followers of the callback log: how many at once, what one may leave unread, how often a heartbeat goes out. */
export interface FollowOptions {
  maxFollowers: number;
  /** Written and not yet read by one follower; past it its lines are skipped (then one `missed` line). */
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** A follower whose buffer stays full this long is dropped. */
  stalledMs: number;
}

export interface CallbackOptions {
  /** Send the simulated world's callbacks. Off: the world still plays (lists show its calls), nothing is sent. */
  enabled: boolean;
  /** Deprecated alias of the top-level `seed` (used when `seed` is not given). */
  seed: number;
  /** Attempts per callback (first one included) before it is given up. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubled for each further one. */
  retryDelayMs: number;
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Hosts, besides loopback, that callbacks may be sent to (exact host names, case-insensitive). */
  allowHosts: string[];
  /** Callbacks being delivered at once (those of one order or task go one after another). */
  maxInFlight: number;
}

/** Answers and callbacks that deviate from the spec's schemas as a real vendor's may (deviate.ts). */
export interface DeviateOptions {
  /** Share of answers and callbacks that deviate, 0 to 1. 0 (the default): none, nothing is read. */
  rate: number;
  /** Seed of the deviations' draws. Default: the top-level `seed`. */
  seed: number;
  /** Which deviations (default all): `extra` field, `missing` optional field, `null`, undocumented `enum` value. */
  kinds: DeviationKind[];
}

/** The `rate` `--deviate` without a value sets. */
export const DEFAULT_DEVIATE_RATE = 0.25;

export interface MockOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Accounts besides the demo account. */
  accounts: MockAccount[];
  /** Include DEMO_ACCOUNT (default true). */
  demoAccount: boolean;
  /** More orders than this in one request: retCode TooManyElements. */
  maxOrders: number;
  /**
   * After an accepted import, how long (virtual ms) the task counts as "importing" (another import
   * or an export: BatchImportInProgress). Undefined: the simulator's default.
   */
  importingMs?: number;
  /** Allowed distance between `createTs` and the mock's clock. */
  timeToleranceSeconds: number;
  /** Largest request body read from the wire (compressed or not). */
  maxBodyBytes: number;
  /** Largest body after gunzip: a gzip bomb stops here. */
  maxDecompressedBytes: number;
  /** Deepest JSON nesting accepted (a valid import is 5 deep). */
  maxJsonDepth: number;
  /**
   * Tasks (account + userTaskID) kept by the simulator. Past it, the least recently used idle
   * task is forgotten; a running one only when no task is idle.
   */
  maxTasks: number;
  /** Orders kept over all tasks; past it, tasks are forgotten as for `maxTasks`. */
  maxStoredOrders: number;
  /**
   * Text kept from requests over all tasks (ids, phones, names, URLs, params, settings), one byte
   * per character: past it tasks are forgotten as for `maxTasks`; a request with more is refused (4001).
   */
  maxStoredBytes: number;
  /** Callback delivery records kept for `GET /__mock/callbacks` (the oldest forgotten first). */
  maxCallbackRecords: number;
  /** Time a client has to send the request headers; then 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request (headers and body); then 408 and closed. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections at once; more are closed as soon as they are accepted. */
  maxConnections: number;
  /** Faults applied to requests of the vendor API (see requests/faults.ts). */
  faults: FaultRule[];
  /** Seed of the simulated world (outcomes, durations) and of probabilistic faults. */
  seed: number;
  /**
   * Virtual seconds per real second: how fast the simulated world plays. 0: time moves only by
   * `POST /__mock/clock` (or the fetch handler's `clock.advance`), which is what tests use.
   */
  speed: number;
  /** Virtual time at start (Unix ms). Undefined: the real time at start. Fixed, runs are repeatable. */
  startAt?: number;
  /** Longest a `POST /__mock/clock` with `settle` waits for the callbacks due (real ms). */
  settleTimeoutMs: number;
  /**
   * The simulator's other settings (dialer concurrency, rounds, outcome weights, updateTask's
   * delay, maxCallsPerOrder, maxPendingEvents): merged over its defaults. `seed`, `maxTasks`,
   * `maxStoredOrders` and `importingMs` are set above.
   */
  simulator: SimulatorSettings;
  /** `--state FILE`: the world is restored from it at start (when it exists) and saved to it (state-file.ts). */
  stateFile?: string;
  /** How often (real ms) the world is saved to `stateFile` when it changed; it is saved on close too. */
  stateIntervalMs: number;
  callbacks: CallbackOptions;
  deviate: DeviateOptions;
  /** Bounds of `GET /__mock/callbacks?follow=1` (http/follow.ts). */
  follow: FollowOptions;
  /**
   * Where the world comes from and goes to (the `--state FILE` hook): called once at start with a
   * function that makes a fresh world and the simulator options to restore one with; returns
   * the simulator to use (e.g. `restoreSimulator(saved, options)`, wrapped to notice changes) and
   * what to do on close (e.g. save `snapshot()`). Default: a fresh world, nothing kept.
   */
  openWorld?: OpenWorld;
  logger: MockLogger;
}

const MiB = 1024 * 1024;

export function defaultOptions(): MockOptions {
  return {
    host: MOCK_DEFAULT_HOST,
    port: MOCK_DEFAULT_PORT,
    accounts: [],
    demoAccount: true,
    maxOrders: MockLimits.CallInfoList.callList.maxItems,
    timeToleranceSeconds: 300,
    // 100,000 orders of the example shape are ~18 MiB of JSON: room for long names and params.
    maxBodyBytes: 32 * MiB,
    maxDecompressedBytes: 64 * MiB,
    maxJsonDepth: 32,
    // About 300–500 bytes per order kept: the defaults keep the mock's state near 100 MB.
    maxTasks: 10_000,
    maxStoredOrders: 250_000,
    // The orders' text at a few hundred characters each: a 16 MB name cannot multiply past it.
    maxStoredBytes: 128 * MiB,
    maxCallbackRecords: 1000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5000,
    maxConnections: 256,
    faults: [],
    seed: 1,
    // A demo task of a few orders plays through (rings, talks, redials) in a few real seconds.
    speed: 60,
    settleTimeoutMs: 30_000,
    simulator: {},
    stateIntervalMs: DEFAULT_STATE_INTERVAL_MS,
    callbacks: {
      enabled: true,
      seed: 1,
      maxAttempts: 3,
      retryDelayMs: 500,
      timeoutMs: 5000,
      allowHosts: [],
      maxInFlight: 100,
    },
    deviate: { rate: 0, seed: 1, kinds: [...DEVIATION_KINDS] },
    follow: { maxFollowers: 16, maxBufferedBytes: 256 * 1024, heartbeatMs: 15_000, stalledMs: 60_000 },
    logger: silentLogger,
  };
}

/** What `simulator` may set: the simulator's options but those the mock names itself. */
export type SimulatorSettings = Partial<Omit<SimulatorOptions, 'seed' | 'maxTasks' | 'maxStoredOrders' | 'maxStoredBytes' | 'importingSeconds' | 'dialer'>> & {
  dialer?: Partial<DialerSettings>;
};

export type MockOptionsInput = Partial<Omit<MockOptions, 'callbacks' | 'deviate' | 'follow'>> & {
  callbacks?: Partial<CallbackOptions>;
  follow?: Partial<FollowOptions>;
  deviate?: Partial<DeviateOptions>;
};

/** The fastest the world may play: a day of calls in under a second of real time. */
export const MAX_SPEED = 100_000;

function nonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be an integer >= 0 (got ${String(value)})`);
}

/** Limits that bound the mock's memory and connections: 0 would mean "none" to Node, so at least 1. */
const LIMITS = [
  'maxTasks',
  'maxStoredOrders',
  'maxStoredBytes',
  'maxCallbackRecords',
  'headersTimeoutMs',
  'requestTimeoutMs',
  'keepAliveTimeoutMs',
  'maxConnections',
] as const;

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be an integer >= 1 (got ${String(value)})`);
}

/** The `openWorld` hooks resolveOptions made from a `stateFile`. */
const STATE_FILE_HOOKS = new WeakSet<OpenWorld>();

/** Defaults, then `input`; checked, so that a typo in a config file fails at start, not mid-test. */
export function resolveOptions(input: MockOptionsInput = {}): MockOptions {
  const defaults = defaultOptions();
  const options: MockOptions = {
    ...defaults,
    ...stripUndefined(input),
    callbacks: { ...defaults.callbacks, ...stripUndefined(input.callbacks ?? {}) },
    follow: { ...defaults.follow, ...stripUndefined(input.follow ?? {}) },
    deviate: defaults.deviate, // resolved below, once the seed is known
  };
  // `callbacks.seed` is the older name of `seed`: either sets both.
  options.seed = input.seed ?? input.callbacks?.seed ?? defaults.seed;
  options.callbacks.seed = options.seed;
  nonNegativeInteger('seed', options.seed);
  if (options.seed > 0xffffffff) throw new TypeError('seed must be <= 4294967295');
  options.deviate = resolveDeviate(input.deviate, options.seed);
  if (typeof options.speed !== 'number' || !Number.isFinite(options.speed) || options.speed < 0 || options.speed > MAX_SPEED) {
    throw new TypeError(`speed must be a number from 0 to ${MAX_SPEED} (virtual seconds per real second; got ${String(options.speed)})`);
  }
  if (options.startAt !== undefined && (!Number.isInteger(options.startAt) || options.startAt < 0 || options.startAt > MAX_VIRTUAL_MS)) {
    throw new TypeError(`startAt must be Unix milliseconds (an integer from 0 to ${MAX_VIRTUAL_MS}, the end of year 9999)`);
  }
  positiveInteger('settleTimeoutMs', options.settleTimeoutMs);
  positiveInteger('stateIntervalMs', options.stateIntervalMs);
  if (options.stateFile !== undefined) {
    if (typeof options.stateFile !== 'string' || options.stateFile === '') throw new TypeError('stateFile must be a file name');
    // Options resolved before (a server's `options`) carry the hook made here: made again, not refused.
    if (options.openWorld && !STATE_FILE_HOOKS.has(options.openWorld)) {
      throw new TypeError('stateFile and openWorld: give one (stateFile is an openWorld of its own)');
    }
    const logger = options.logger;
    options.openWorld = stateFileWorld({ file: options.stateFile, intervalMs: options.stateIntervalMs, onSaveError: (error) => logger.error(error.message) });
    STATE_FILE_HOOKS.add(options.openWorld);
  }
  if (!options.simulator || typeof options.simulator !== 'object' || Array.isArray(options.simulator)) {
    throw new TypeError("simulator must be an object (the simulator's settings)");
  }
  for (const key of ['seed', 'maxTasks', 'maxStoredOrders', 'maxStoredBytes', 'importingSeconds'] as const) {
    if (key in options.simulator) throw new TypeError(`simulator.${key}: set it at the top level (${key === 'importingSeconds' ? 'importingMs' : key})`);
  }
  nonNegativeInteger('port', options.port);
  if (options.port > 65535) throw new TypeError('port must be <= 65535');
  for (const name of ['maxOrders', 'timeToleranceSeconds', 'maxBodyBytes', 'maxDecompressedBytes', 'maxJsonDepth'] as const) {
    nonNegativeInteger(name, options[name]);
  }
  if (options.importingMs !== undefined) nonNegativeInteger('importingMs', options.importingMs);
  for (const name of LIMITS) positiveInteger(name, options[name]);
  if (options.headersTimeoutMs > options.requestTimeoutMs) {
    throw new TypeError(`headersTimeoutMs (${options.headersTimeoutMs}) must not be more than requestTimeoutMs (${options.requestTimeoutMs})`);
  }
  for (const name of ['retryDelayMs', 'timeoutMs'] as const) {
    nonNegativeInteger(`callbacks.${name}`, options.callbacks[name]);
  }
  positiveInteger('callbacks.maxInFlight', options.callbacks.maxInFlight);
  for (const key of Object.keys(options.follow))
    if (!(key in defaults.follow)) throw new TypeError(`follow.${key}: unknown (known: ${Object.keys(defaults.follow).join(', ')})`);
  for (const name of ['maxFollowers', 'maxBufferedBytes', 'heartbeatMs', 'stalledMs'] as const) positiveInteger(`follow.${name}`, options.follow[name]);
  if (!Number.isInteger(options.callbacks.maxAttempts) || options.callbacks.maxAttempts < 1 || options.callbacks.maxAttempts > 20) {
    throw new TypeError('callbacks.maxAttempts must be an integer from 1 to 20');
  }
  options.callbacks.allowHosts = options.callbacks.allowHosts.map((host) => host.trim().toLowerCase()).filter(Boolean);
  options.faults = options.faults.map((rule) => validateRule({ ...rule }));
  for (const account of options.accounts) {
    if (!account || typeof account.uuid !== 'string' || typeof account.secretKey !== 'string') {
      throw new TypeError('accounts[]: each account needs uuid and secretKey strings');
    }
    account.algorithm ??= 'MD5';
    if (!isSignAlgorithm(account.algorithm)) throw new TypeError(`account ${account.uuid}: algorithm must be MD5 or SHA256`);
  }
  return options;
}

const DEVIATE_KEYS = ['rate', 'seed', 'kinds'];

function resolveDeviate(input: Partial<DeviateOptions> | undefined, seed: number): DeviateOptions {
  if (input !== undefined && (!input || typeof input !== 'object' || Array.isArray(input)))
    throw new TypeError('deviate must be an object: { rate, seed, kinds }');
  // A typo (`{ "rat": 0.2 }`) would otherwise mean "no deviations" without a word.
  for (const key of Object.keys(input ?? {})) {
    if (!DEVIATE_KEYS.includes(key)) throw new TypeError(`deviate.${key}: unknown key (known: ${DEVIATE_KEYS.join(', ')})`);
  }
  const rate = input?.rate ?? 0;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new TypeError(`deviate.rate must be a number from 0 to 1 (got ${String(rate)})`);
  const deviateSeed = input?.seed ?? seed;
  nonNegativeInteger('deviate.seed', deviateSeed);
  if (deviateSeed > 0xffffffff) throw new TypeError('deviate.seed must be <= 4294967295');
  const kinds = input?.kinds ?? [...DEVIATION_KINDS];
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((kind) => DEVIATION_KINDS.includes(kind))) {
    throw new TypeError(`deviate.kinds must be a non-empty list of ${DEVIATION_KINDS.join(', ')}`);
  }
  return { rate, seed: deviateSeed, kinds: [...new Set(kinds)] };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const CONFIG_KEYS = new Set([
  'host',
  'port',
  'accounts',
  'demoAccount',
  'maxOrders',
  'importingMs',
  'timeToleranceSeconds',
  'maxBodyBytes',
  'maxDecompressedBytes',
  'maxJsonDepth',
  'faults',
  'callbacks',
  'deviate',
  'follow',
  'seed',
  'speed',
  'startAt',
  'settleTimeoutMs',
  'simulator',
  'stateFile',
  'stateIntervalMs',
  ...LIMITS,
]);

/** A JSON config file (`--config`): the same keys as MockOptions, minus the logger. */
export function loadConfigFile(file: string): MockOptionsInput {
  const read = readJsonObjectFile(file);
  if ('problem' in read) throw new TypeError(read.problem);
  const parsed = read.object;
  for (const key of Object.keys(parsed)) {
    if (!CONFIG_KEYS.has(key)) throw new TypeError(`--config ${file}: unknown key "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`);
  }
  return parsed as MockOptionsInput;
}
