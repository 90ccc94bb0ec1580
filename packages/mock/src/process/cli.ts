import { Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { MOCK_DEFAULT_HOST, MOCK_DEFAULT_PORT, IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import { parseAccountSpec, type MockAccount } from '../requests/accounts.js';
import { FAULT_HEADER, FAULT_KINDS, parseFaultList, type FaultRule } from '../requests/faults.js';
import { repositoryDemoScript } from '../assets.js';
import { consoleLogger, silentLogger } from './logger.js';
import { DEVIATION_KINDS, DEVIATIONS_HEADER, NEVER_DEVIATED } from '../spec/deviate.js';
import { DEFAULT_DEVIATE_RATE, defaultOptions, loadConfigFile, type MockOptionsInput } from './options.js';
import { createMockServer, DEBUG_CALLBACKS_PATH, DEBUG_CLOCK_PATH, DEBUG_TASKS_PATH, LISTING_PAGES as PAGES } from '../http/node-server.js';

const DEFAULTS = defaultOptions();

interface MockFlags {
  port?: number;
  host?: string;
  config?: string;
  /** Raw `UUID:SECRET[:ALGORITHM]` values: parsed in the action, so an error never echoes a secret. */
  account?: string[];
  allowCallbackHost?: string[];
  fault?: FaultRule[];
  maxOrders?: number;
  importingMs?: number;
  maxTasks?: number;
  maxStoredOrders?: number;
  maxStoredBytes?: number;
  maxCallbackRecords?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
  seed?: number;
  speed?: number;
  state?: string;
  stateIntervalMs?: number;
  deviate?: number;
  callbacks: boolean;
  demoAccount: boolean;
  quiet?: boolean;
}

const integer = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
  return Number(value);
};

/** A decimal number >= 0 (`--speed 0.5`). */
const decimal = (name: string) => (value: string) => {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError(`${name} must be a number >= 0`);
  return Number(value);
};

/** A share from 0 to 1 (`--deviate 0.1`). */
const share = (name: string) => (value: string) => {
  const number = decimal(name)(value);
  if (number > 1) throw new InvalidArgumentError(`${name} must be a number from 0 to 1`);
  return number;
};

const collect =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[] = []) => {
    try {
      return [...previous, parse(value)];
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };

const EXAMPLES = `
Examples:
  $ callbot-mock                                   # http://127.0.0.1:4010, demo account
  $ callbot-mock --port 0                          # any free port (the URL is printed)
  $ callbot-mock --account acme:s3cret:SHA256      # one more account (repeatable)
  $ callbot-mock --fault busy:2                    # the next 2 requests answer retCode ${RetCodes.SystemBusy.code}
  $ callbot-mock --fault latency=300@0.5 --seed 7  # half of the requests wait 300 ms
  $ callbot-mock --speed 0                         # time moves only by POST ${DEBUG_CLOCK_PATH}
  $ callbot-mock --deviate 0.5 --seed 7            # half of the answers and callbacks off-shape, as a vendor's may be
  $ callbot-mock --config mock.json --quiet

Faults (--fault KIND[=MS][:TIMES][@PROBABILITY], or per request the header ${FAULT_HEADER}):
  ${FAULT_KINDS.join(', ')} (latency=MS)

Config file (JSON, same keys as createMockServer's options), e.g.
  { "accounts": [{ "uuid": "acme", "secretKey": "…", "algorithm": "MD5" }],
    "maxOrders": ${DEFAULTS.maxOrders}, "importingMs": 2000, "timeToleranceSeconds": 300, "seed": 1, "speed": 60,
    "maxTasks": ${DEFAULTS.maxTasks}, "maxStoredOrders": ${DEFAULTS.maxStoredOrders}, "maxConnections": ${DEFAULTS.maxConnections},
    "faults": [{ "kind": "maintenance", "times": 1 }],
    "simulator": { "dialer": { "concurrency": 10, "maxRounds": 2 } },
    "callbacks": { "maxAttempts": 3, "allowHosts": [] },
    "deviate": { "rate": 0.25, "seed": 7, "kinds": ["extra", "missing", "null", "enum"] } }
Flags override the config file. Callbacks go to loopback only unless --allow-callback-host.
Only the demo account's secret is printed; never the others'.

Deviations (--deviate [RATE], default ${DEFAULT_DEVIATE_RATE} when given without RATE; config "deviate"): a share of
the answers and callbacks deviate from the spec's schemas as a real vendor's may: ${DEVIATION_KINDS.join(', ')}
(an undeclared x_vendorNew… field, an optional field left out, a field set to null, a value
its enum does not list), 1 to 3 per payload, at any depth, before signing (still authentic).
Never deviated: headers, an answer's ${NEVER_DEVIATED.answer.join('/')}, a callback's ${NEVER_DEVIATED.callback.join('/')}. Seeded (--seed, or
deviate.seed): the same requests deviate alike. Each answer names its deviations in the header
${DEVIATIONS_HEADER}; each callback in its ${DEBUG_CALLBACKS_PATH} record.

Virtual time: the simulated vendor dials, rings, talks and redials in virtual time, which runs
--speed virtual seconds per real second (default ${DEFAULTS.speed}; 0: only when moved). Read it with
GET ${DEBUG_CLOCK_PATH}; move it with POST ${DEBUG_CLOCK_PATH} {"advance": SECONDS, "settle": true}
(settle waits until the callbacks due so far are delivered); both answer
{"now": UNIX_SECONDS, "speed": N, "pendingCallbacks": K}.

Bounds: the simulator forgets the least recently used idle task past --max-tasks,
--max-stored-orders or --max-stored-bytes. Requests slower than --headers-timeout-ms /
--request-timeout-ms get 408; past --max-connections new connections are closed.
Configured faults are used up only by authenticated requests (drop-before-body: by requests
that carry every signing header of a known account). The debug listings page:
  ${DEBUG_TASKS_PATH}?limit=${PAGES.tasks.limit.default} (at most ${PAGES.tasks.limit.max} tasks a page; with &userTaskID=… each task's orders, orderLimit at most ${PAGES.tasks.orderLimit.max})
  ${DEBUG_CALLBACKS_PATH}?limit=${PAGES.callbacks.limit.default} (at most ${PAGES.callbacks.limit.max}); follow "next" for the following page.`;

/** The `callbot-mock` command: parses flags, starts the server, stops it on SIGINT/SIGTERM. */
export function createMockCommand(): Command {
  return (
    new Command('callbot-mock')
      .description('Start the local Callbot mock: vendor retCodes and signatures, docs at /docs, signed callbacks.')
      .version(packageJson.version, '-V, --version', 'print the version of callbot-mock')
      // A usage error in three lines, as `callbot`'s (the error, the usage, where the rest is), not the whole help.
      .showHelpAfterError('Usage: callbot-mock [options]\nSee `callbot-mock --help`.')
      .option('-p, --port <port>', `port to listen on; 0 picks a free one (default: ${MOCK_DEFAULT_PORT})`, integer('--port'))
      .option('-H, --host <host>', `address to listen on (default: ${MOCK_DEFAULT_HOST})`)
      .option('-c, --config <file>', 'JSON config file (accounts, faults, callbacks, limits)')
      // Collected raw: commander quotes the whole argument when a parser throws, secret included.
      .option(
        '--account <UUID:SECRET[:ALGORITHM]>',
        'accept one more account (repeatable; ALGORITHM MD5 or SHA256 signs its callbacks)',
        collect((spec: string) => spec),
      )
      .option(
        '--allow-callback-host <host>',
        'also send callbacks to this non-loopback host (repeatable)',
        collect((host: string) => host),
      )
      .option(
        '--fault <spec>',
        'inject a fault into requests of the vendor API (repeatable), e.g. busy:2, latency=200@0.5',
        collect((spec: string) => {
          const rules = parseFaultList(spec, { allowSchedule: true });
          if (rules.length !== 1) throw new Error('one fault per --fault');
          return rules[0]!;
        }),
      )
      .option(
        '--max-orders <n>',
        `more orders than this in one request: retCode ${RetCodes.TooManyElements.code} (default: ${DEFAULTS.maxOrders})`,
        integer('--max-orders'),
      )
      .option(
        '--importing-ms <ms>',
        `how long (virtual ms) an accepted batch counts as importing: retCode ${RetCodes.BatchImportInProgress.code} (default: the simulator's, 2000)`,
        integer('--importing-ms'),
      )
      .option('--max-tasks <n>', `tasks kept; past it the least recently used idle task is forgotten (default: ${DEFAULTS.maxTasks})`, integer('--max-tasks'))
      .option(
        '--max-stored-orders <n>',
        `orders kept over all tasks; past it tasks are forgotten as for --max-tasks (default: ${DEFAULTS.maxStoredOrders})`,
        integer('--max-stored-orders'),
      )
      .option(
        '--max-stored-bytes <n>',
        `text kept from requests over all tasks (ids, names, params…; one byte per character); past it tasks are forgotten as for --max-tasks, a request with more gets retCode ${RetCodes.TooManyElements.code} (default: ${DEFAULTS.maxStoredBytes})`,
        integer('--max-stored-bytes'),
      )
      .option(
        '--max-callback-records <n>',
        `callback deliveries kept for ${DEBUG_CALLBACKS_PATH} (default: ${DEFAULTS.maxCallbackRecords})`,
        integer('--max-callback-records'),
      )
      .option(
        '--headers-timeout-ms <ms>',
        `time to send the request headers, then 408 and close (default: ${DEFAULTS.headersTimeoutMs})`,
        integer('--headers-timeout-ms'),
      )
      .option(
        '--request-timeout-ms <ms>',
        `time to send the whole request, body included, then 408 and close (default: ${DEFAULTS.requestTimeoutMs})`,
        integer('--request-timeout-ms'),
      )
      .option(
        '--keep-alive-timeout-ms <ms>',
        `idle kept-alive connections are closed after this (default: ${DEFAULTS.keepAliveTimeoutMs})`,
        integer('--keep-alive-timeout-ms'),
      )
      .option(
        '--max-connections <n>',
        `open connections at once; more are closed as soon as accepted (default: ${DEFAULTS.maxConnections})`,
        integer('--max-connections'),
      )
      .option('--seed <n>', 'seed of the simulated world (call outcomes, durations) and probabilistic faults (default: 1)', integer('--seed'))
      .option('--speed <n>', `virtual seconds per real second; 0: time moves only by POST ${DEBUG_CLOCK_PATH} (default: ${DEFAULTS.speed})`, decimal('--speed'))
      .option('--state <file>', 'keep the simulated world in FILE: restored at start when it exists, saved while running and on exit')
      .option(
        '--state-interval-ms <ms>',
        `with --state, save at most this often when the world changed (default: ${DEFAULTS.stateIntervalMs})`,
        integer('--state-interval-ms'),
      )
      .addOption(
        new Option(
          '--deviate [rate]',
          `make this share (0 to 1) of answers and callbacks deviate from the spec as a real vendor's may (default: off; ${DEFAULT_DEVIATE_RATE} without RATE)`,
        )
          .preset(String(DEFAULT_DEVIATE_RATE))
          .argParser(share('--deviate')),
      )
      .option('--no-callbacks', 'send no callbacks (the simulated world still plays; its lists show the calls)')
      .addOption(new Option('--no-demo-account', 'do not accept the demo account'))
      .option('-q, --quiet', 'no per-request log lines (the start banner is still printed)')
      .addHelpText('after', EXAMPLES)
      .action(async (flags: MockFlags) => {
        try {
          await runMock(flags);
        } catch (error) {
          // A config typo or a busy port: one clear line, not a stack trace.
          console.error(`callbot-mock: ${(error as Error).message}`);
          process.exitCode = 1;
        }
      })
  );
}

/** One `--account` value; an error names the uuid (the part before the first colon) and never the secret. */
function accountFromFlag(spec: string): MockAccount {
  try {
    return parseAccountSpec(spec);
  } catch (error) {
    const reason = (error as Error).message.replace(/^--account:? */, '');
    // Without a colon there is no telling a uuid from a pasted secret: name nothing.
    const which = spec.includes(':') ? ` for uuid ${JSON.stringify(spec.slice(0, spec.indexOf(':')))}` : '';
    throw new TypeError(`--account${which}: ${reason}`);
  }
}

function optionsFrom(flags: MockFlags): MockOptionsInput {
  const config = flags.config ? loadConfigFile(flags.config) : {};
  const callbacks = { ...config.callbacks };
  if (!flags.callbacks) callbacks.enabled = false;
  if (flags.allowCallbackHost?.length) callbacks.allowHosts = [...(callbacks.allowHosts ?? []), ...flags.allowCallbackHost];
  return {
    ...config,
    host: flags.host ?? config.host,
    port: flags.port ?? config.port,
    maxOrders: flags.maxOrders ?? config.maxOrders,
    importingMs: flags.importingMs ?? config.importingMs,
    maxTasks: flags.maxTasks ?? config.maxTasks,
    maxStoredOrders: flags.maxStoredOrders ?? config.maxStoredOrders,
    maxStoredBytes: flags.maxStoredBytes ?? config.maxStoredBytes,
    seed: flags.seed ?? config.seed ?? config.callbacks?.seed,
    speed: flags.speed ?? config.speed,
    stateFile: flags.state ?? config.stateFile,
    stateIntervalMs: flags.stateIntervalMs ?? config.stateIntervalMs,
    maxCallbackRecords: flags.maxCallbackRecords ?? config.maxCallbackRecords,
    headersTimeoutMs: flags.headersTimeoutMs ?? config.headersTimeoutMs,
    requestTimeoutMs: flags.requestTimeoutMs ?? config.requestTimeoutMs,
    keepAliveTimeoutMs: flags.keepAliveTimeoutMs ?? config.keepAliveTimeoutMs,
    maxConnections: flags.maxConnections ?? config.maxConnections,
    accounts: [...(config.accounts ?? []), ...(flags.account ?? []).map(accountFromFlag)],
    demoAccount: flags.demoAccount === false ? false : config.demoAccount,
    faults: [...(config.faults ?? []), ...(flags.fault ?? [])],
    callbacks,
    deviate: flags.deviate !== undefined ? { ...config.deviate, rate: flags.deviate } : config.deviate,
    logger: flags.quiet ? silentLogger : consoleLogger(),
  };
}

async function runMock(flags: MockFlags): Promise<void> {
  const server = await createMockServer(optionsFrom(flags));
  const { url, options } = server;
  const lines = [
    `Callbot mock listening on ${url}`,
    `  import:    POST ${url}${IMPORT_BATCH_CALL_PATH}`,
    `  docs:      ${url}/docs/`,
    `  spec:      ${url}/openapi.json  ${url}/openapi.yaml`,
    `  debug:     ${url}${DEBUG_TASKS_PATH}  ${url}${DEBUG_CALLBACKS_PATH}  ${url}${DEBUG_CLOCK_PATH}`,
  ];
  const [first, ...others] = server.accounts;
  if (options.demoAccount && first) {
    // The demo account is public on purpose (it only opens this local mock): print it in full.
    lines.push(`  demo account: uuid=${first.uuid} secretKey=${first.secretKey} algorithm=${first.algorithm}`);
  }
  for (const account of options.demoAccount ? others : server.accounts) {
    lines.push(`  account:   uuid=${account.uuid} algorithm=${account.algorithm} (secret not shown)`);
  }
  lines.push(
    `  world:     seed ${options.seed}; speed ${options.speed} virtual s per real s${options.speed === 0 ? ` (moves only by POST ${DEBUG_CLOCK_PATH})` : ''}`,
    ...(options.stateFile ? [`  state:     ${options.stateFile} (saved every ${options.stateIntervalMs / 1000} s when changed, and on exit)`] : []),
    // How to play a task through: copy-paste commands.
    `  play:      curl -s -X POST ${url}${DEBUG_CLOCK_PATH} -H 'content-type: application/json' -d '{"advance": 600, "settle": true}'`,
    // `npm run demo` exists only in the callbot-contract repository: not offered by an installed mock.
    ...(repositoryDemoScript() ? [`  demo task: CALLBOT_BASE_URL=${url} npm run demo   (examples/play-demo-task.ts)`] : []),
    `  callbacks: ${options.callbacks.enabled ? `on (loopback${options.callbacks.allowHosts.length ? ` + ${options.callbacks.allowHosts.join(', ')}` : ' only'})` : 'off'}`,
    `  bounds:    ${options.maxTasks} tasks, ${options.maxStoredOrders} orders and ${options.maxStoredBytes} bytes of text kept; ${options.maxConnections} connections; headers ${options.headersTimeoutMs} ms, request ${options.requestTimeoutMs} ms`,
    `  deviate:   ${
      options.deviate.rate > 0
        ? `${options.deviate.rate * 100}% of answers and callbacks (${options.deviate.kinds.join(', ')}; seed ${options.deviate.seed}; header ${DEVIATIONS_HEADER})`
        : 'off (--deviate)'
    }`,
    `  faults:    ${options.faults.length ? options.faults.map((f) => f.kind).join(', ') : 'none configured'} (header ${FAULT_HEADER})`,
    'Press Ctrl-C to stop.',
  );
  // Listening for the signals before the banner: whoever starts the mock may stop it as soon as
  // it reads the URL, and a SIGTERM with no handler yet kills it unclosed (a --state file unsaved).
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the mock…`);
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`error while stopping: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(lines.join('\n'));
}
