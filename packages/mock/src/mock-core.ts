import { RetCodes } from 'callbot-contract';
import { AccountStore, demoAccount, type MockAccount } from './requests/accounts.js';
import { CallbackDispatcher } from './callbacks/dispatcher.js';
import { createClock } from './callbacks/clock.js';
import {
  clockView,
  DEBUG_BATCHES_PATH,
  DEBUG_CALLBACKS_PATH,
  DEBUG_CLOCK_PATH,
  DEBUG_TASKS_PATH,
  listBatches,
  listCallbacks,
  listTasks,
  postClock,
  type ClockView,
  type DebugContext,
} from './http/debug-endpoints.js';
import { loadDeviator } from './spec/deviate.js';
import { describeOutcome, type Exchange, type HttpAnswer, type MockRequest } from './http/exchange.js';
import { FaultInjector } from './requests/faults.js';
import { silentLogger, type MockLogger } from './process/logger.js';
import { resolveOptions, type MockOptions, type MockOptionsInput } from './process/options.js';
import { plainJson, signedJson } from './http/respond.js';
import type { Simulator, SimulatorOptions } from './simulator/api.js';
import { createSimulator, defaultSimulatorOptions } from './simulator/world.js';
import { createDriver } from './callbacks/driver.js';
import { createSpecEngine } from './spec/spec-engine.js';
import { isStaticPath, serveStatic } from './http/static-files.js';
import { CallbackFollowers } from './http/follow.js';
import { operationHandler, type OperationContext } from './requests/vendor-operation.js';

/** The mock's virtual clock, as the server and the fetch handler expose it. */
export interface MockClockControl {
  /** Virtual time, Unix milliseconds. */
  now(): number;
  /** Virtual seconds per real second (0: only `advance` moves it). */
  readonly speed: number;
  /**
   * Moves virtual time `seconds` forward (0 to 30 days), plays the world to it and, with
   * `settle` (default true), waits — at most `settleTimeoutMs` — until every callback due so
   * far is delivered or given up: what `POST /__mock/clock` does.
   */
  advance(seconds: number, options?: { settle?: boolean }): Promise<ClockView>;
  /** What `GET /__mock/clock` answers. */
  view(): ClockView;
}

/** The transport-neutral mock: one per server or fetch handler. */
export interface MockCore {
  readonly options: MockOptions;
  /** The accounts the mock accepts (the demo account first, when enabled). */
  readonly accounts: readonly MockAccount[];
  /** The simulated vendor (a `--state` file would be its snapshot). */
  readonly simulator: Simulator;
  readonly clock: MockClockControl;
  /** Answers one request (never throws: a failure of the mock itself is a logged 5001). */
  handle(request: MockRequest): Promise<Exchange>;
  /** The log line for a finished exchange, when it has one. */
  logExchange(request: MockRequest, exchange: Exchange, startedAt: number): void;
  /** Stops the world's clock and the callbacks (in-flight deliveries aborted). */
  close(): Promise<void>;
}

/** The simulator's options: its defaults, the mock's `simulator` settings, then what the mock names itself. */
export function simulatorOptionsOf(options: MockOptions): SimulatorOptions {
  const defaults = defaultSimulatorOptions();
  const { dialer, ...rest } = options.simulator;
  return {
    ...defaults,
    ...rest,
    dialer: { ...defaults.dialer, ...dialer, outcomes: { ...defaults.dialer.outcomes, ...dialer?.outcomes } },
    seed: options.seed,
    maxTasks: options.maxTasks,
    maxStoredOrders: options.maxStoredOrders,
    maxStoredBytes: options.maxStoredBytes,
    importingSeconds: options.importingMs !== undefined ? options.importingMs / 1000 : defaults.importingSeconds,
  };
}

const methodNotAllowed = (allow: string, message: string): HttpAnswer =>
  plainJson(405, { retCode: RetCodes.GeneralError.code, retMsg: message }, { Allow: allow });

export async function createMockCore(input: MockOptionsInput = {}): Promise<MockCore> {
  const options = resolveOptions(input);
  const accountList = [...(options.demoAccount ? [demoAccount()] : []), ...options.accounts];
  const accounts = new AccountStore(accountList);
  const logger: MockLogger = options.logger;
  const engine = await createSpecEngine();
  const simulatorOptions = simulatorOptionsOf(options);
  const requestedStart = options.startAt ?? Date.now();
  // The `--state FILE` hook (options.openWorld): a restored world goes on from its own time if that is later.
  const world = options.openWorld
    ? await options.openWorld(() => createSimulator(simulatorOptions, requestedStart), simulatorOptions)
    : { simulator: createSimulator(simulatorOptions, requestedStart) };
  const simulator = world.simulator;
  const startAt = Math.max(requestedStart, simulator.now);
  const clock = createClock({ speed: options.speed, startAt });
  // Read from the bundled spec only when asked for: by default nothing deviates.
  const deviator = options.deviate.rate > 0 ? await loadDeviator(options.deviate) : undefined;
  const dispatcher = new CallbackDispatcher(options.callbacks, accounts, logger, { maxRecords: options.maxCallbackRecords, deviator });
  const driver = createDriver({ simulator, clock, dispatcher, logger });
  const simulate: Simulator['handle'] = (uuid, operation, body, malformedPhones) => {
    simulator.advanceTo(clock.now());
    return simulator.handle(uuid, operation, body, malformedPhones);
  };
  const ctx: OperationContext = { options, accounts, faults: new FaultInjector(options.faults, options.seed), engine, simulate, deviator };
  const followers = new CallbackFollowers(dispatcher, options.follow);
  const debug: DebugContext = { accounts: accountList, simulate, dispatcher, driver, clock, settleTimeoutMs: options.settleTimeoutMs };
  // Every POST operation of the bundled spec, read once.
  const operations = new Map(engine.operations.map((operation) => [operation.path, { operation, handle: operationHandler(operation) }]));

  const route = async (request: MockRequest): Promise<Exchange> => {
    // A vendor operation's path arrives as the spec writes it: found before the URL is parsed
    // (new URL() was a twentieth of an import's time), with the same outcome as below.
    const direct = request.method === 'POST' ? operations.get(request.url) : undefined;
    if (direct) return direct.handle(request, ctx);
    const url = new URL(request.url, 'http://mock.invalid');
    const method = request.method;
    const answer = (value: HttpAnswer): Exchange => ({ kind: 'answer', answer: value });
    const found = operations.get(url.pathname);
    if (found) {
      if (method === 'POST') return found.handle(request, ctx);
      return answer(methodNotAllowed('POST', `${method} is not supported here; ${found.operation.operationId} is POST only`));
    }
    if (url.pathname === DEBUG_CLOCK_PATH) {
      if (method === 'GET' || method === 'HEAD') return answer(plainJson(200, clockView(debug)));
      if (method !== 'POST')
        return answer(methodNotAllowed('GET, POST', `${method} ${DEBUG_CLOCK_PATH} is not supported (GET reads the clock, POST moves it)`));
      const body = await request.readBody(4096);
      if ('aborted' in body) return { kind: 'aborted', outcome: { aborted: true, received: body.received, declared: undefined } };
      if (!body.ok) return answer(plainJson(400, { retCode: RetCodes.GeneralError.code, retMsg: `${RetCodes.GeneralError.zh}: body larger than 4096 bytes` }));
      return answer(await postClock(body.bytes, debug));
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return answer(
        methodNotAllowed('GET, HEAD', `${method} ${url.pathname} is not supported (the mock's own endpoints are read-only, but for POST ${DEBUG_CLOCK_PATH})`),
      );
    }
    if (url.pathname === DEBUG_TASKS_PATH) return answer(listTasks(url, debug));
    if (url.pathname === DEBUG_CALLBACKS_PATH) {
      const follow = url.searchParams.get('follow');
      if (method === 'GET' && follow && follow !== '0' && follow !== 'false') return followers.open(url);
      return answer(listCallbacks(url, dispatcher));
    }
    if (url.pathname === DEBUG_BATCHES_PATH) return answer(listBatches(url, debug));
    if (isStaticPath(url.pathname)) return answer(await serveStatic(url.pathname, method));
    return answer(
      plainJson(404, {
        retCode: RetCodes.GeneralError.code,
        retMsg: `not found: ${url.pathname}`,
        see: ['/docs/', '/openapi.json', DEBUG_TASKS_PATH, DEBUG_CALLBACKS_PATH, DEBUG_CLOCK_PATH],
      }),
    );
  };

  let closing: Promise<void> | undefined;
  return {
    options,
    accounts: accountList.map((account) => ({ ...account })),
    simulator,
    clock: {
      now: () => clock.now(),
      speed: clock.speed,
      async advance(seconds, { settle = true } = {}) {
        clock.advance(seconds);
        driver.tick();
        if (settle) await driver.settle(options.settleTimeoutMs);
        return clockView(debug);
      },
      view: () => clockView(debug),
    },
    async handle(request) {
      try {
        return await route(request);
      } catch (error) {
        logger.error(`${request.method} ${request.url}: ${(error as Error).stack ?? (error as Error).message}`);
        const failure = {
          retCode: RetCodes.InternalServerError.code,
          retMsg: `${RetCodes.InternalServerError.zh}: the mock failed; see its log`,
          responseID: '',
          totalCount: 0,
          successCount: 0,
        };
        return { kind: 'answer', answer: signedJson(failure, { requestID: undefined, uuid: undefined, account: undefined, algorithm: 'MD5' }) };
      }
    },
    logExchange(request, exchange, startedAt) {
      if (!exchange.outcome || logger === silentLogger) return;
      logger.info(`${request.method} ${request.url} ${describeOutcome(exchange.outcome)} ${Date.now() - startedAt} ms`);
    },
    close() {
      closing ??= (async () => {
        followers.closeAll(); // at once, before anything is awaited: a server's close must not wait for followers
        await driver.close();
        await world.close?.();
      })();
      return closing;
    },
  };
}
