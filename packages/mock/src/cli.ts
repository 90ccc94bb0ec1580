import { Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { MOCK_DEFAULT_HOST, MOCK_DEFAULT_PORT, IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import { parseAccountSpec, type MockAccount } from './accounts.js';
import { FAULT_HEADER, FAULT_KINDS, parseFaultList, type FaultRule } from './faults.js';
import { consoleLogger, silentLogger } from './logger.js';
import { defaultOptions, loadConfigFile, type MockOptionsInput } from './options.js';
import { createMockServer, DEBUG_BATCHES_PATH, DEBUG_CALLBACKS_PATH, LISTING_PAGES as PAGES } from './server.js';

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
  maxBatchesPerTask?: number;
  maxCallbackRecords?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
  seed?: number;
  callbackDelayMs?: number;
  callbackPaceMs?: number;
  callbacks: boolean;
  demoAccount: boolean;
  quiet?: boolean;
}

const integer = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
  return Number(value);
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
  $ callbot-mock --fault busy:2                    # the next 2 imports answer retCode ${RetCodes.SystemBusy.code}
  $ callbot-mock --fault latency=300@0.5 --seed 7  # half of the imports wait 300 ms
  $ callbot-mock --config mock.json --quiet

Faults (--fault KIND[=MS][:TIMES][@PROBABILITY], or per request the header ${FAULT_HEADER}):
  ${FAULT_KINDS.join(', ')} (latency=MS)

Config file (JSON, same keys as createMockServer's options), e.g.
  { "accounts": [{ "uuid": "acme", "secretKey": "…", "algorithm": "MD5" }],
    "maxOrders": 100000, "importingMs": 1000, "timeToleranceSeconds": 300,
    "maxTasks": ${DEFAULTS.maxTasks}, "maxStoredOrders": ${DEFAULTS.maxStoredOrders}, "maxConnections": ${DEFAULTS.maxConnections},
    "faults": [{ "kind": "maintenance", "times": 1 }],
    "callbacks": { "seed": 1, "firstDelayMs": 1000, "paceMs": 500, "allowHosts": [] } }
Flags override the config file. Callbacks go to loopback only unless --allow-callback-host.
Only the demo account's secret is printed; never the others'.

Bounds: the mock forgets the least recently imported idle task past --max-tasks or
--max-stored-orders (one log line each). Requests slower than --headers-timeout-ms /
--request-timeout-ms get 408; past --max-connections new connections are closed.
Configured faults are used up only by authenticated requests (drop-before-body: by requests
that carry every signing header of a known account). The debug listings page:
  ${DEBUG_BATCHES_PATH}?limit=${PAGES.batches.limit.default}&orderLimit=${PAGES.batches.orderLimit.default} (at most ${PAGES.batches.limit.max} tasks and ${PAGES.batches.orderLimit.max} orders a page)
  ${DEBUG_CALLBACKS_PATH}?limit=${PAGES.callbacks.limit.default} (at most ${PAGES.callbacks.limit.max}); follow "next" for the following page.`;

/** The `callbot-mock` command: parses flags, starts the server, stops it on SIGINT/SIGTERM. */
export function createMockCommand(): Command {
  return (
    new Command('callbot-mock')
      .description('Start the local Callbot mock: vendor retCodes and signatures, docs at /docs, signed callbacks.')
      .version(packageJson.version, '-V, --version', 'print the version of callbot-mock')
      .showHelpAfterError()
      .option('-p, --port <port>', `port to listen on; 0 picks a free one (default ${MOCK_DEFAULT_PORT})`, integer('--port'))
      .option('-H, --host <host>', `address to listen on (default ${MOCK_DEFAULT_HOST})`)
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
        'inject a fault into import requests (repeatable), e.g. busy:2, latency=200@0.5',
        collect((spec: string) => {
          const rules = parseFaultList(spec, { allowSchedule: true });
          if (rules.length !== 1) throw new Error('one fault per --fault');
          return rules[0]!;
        }),
      )
      .option('--max-orders <n>', `more orders than this in one request: retCode ${RetCodes.TooManyElements.code} (default 100000)`, integer('--max-orders'))
      .option(
        '--importing-ms <ms>',
        `how long an accepted batch counts as importing: retCode ${RetCodes.BatchImportInProgress.code} (default 1000)`,
        integer('--importing-ms'),
      )
      .option(
        '--max-tasks <n>',
        `tasks kept; past it the least recently imported idle task is forgotten, logged (default ${DEFAULTS.maxTasks})`,
        integer('--max-tasks'),
      )
      .option(
        '--max-stored-orders <n>',
        `orders kept over all tasks; past it tasks are forgotten as for --max-tasks (default ${DEFAULTS.maxStoredOrders})`,
        integer('--max-stored-orders'),
      )
      .option(
        '--max-batches-per-task <n>',
        `batches kept per task, the oldest (empty first) forgotten (default ${DEFAULTS.maxBatchesPerTask})`,
        integer('--max-batches-per-task'),
      )
      .option(
        '--max-callback-records <n>',
        `callback deliveries kept for ${DEBUG_CALLBACKS_PATH} (default ${DEFAULTS.maxCallbackRecords})`,
        integer('--max-callback-records'),
      )
      .option(
        '--headers-timeout-ms <ms>',
        `time to send the request headers, then 408 and close (default ${DEFAULTS.headersTimeoutMs})`,
        integer('--headers-timeout-ms'),
      )
      .option(
        '--request-timeout-ms <ms>',
        `time to send the whole request, body included, then 408 and close (default ${DEFAULTS.requestTimeoutMs})`,
        integer('--request-timeout-ms'),
      )
      .option(
        '--keep-alive-timeout-ms <ms>',
        `idle kept-alive connections are closed after this (default ${DEFAULTS.keepAliveTimeoutMs})`,
        integer('--keep-alive-timeout-ms'),
      )
      .option(
        '--max-connections <n>',
        `open connections at once; more are closed as soon as accepted (default ${DEFAULTS.maxConnections})`,
        integer('--max-connections'),
      )
      .option('--seed <n>', 'seed of simulated call outcomes and probabilistic faults (default 1)', integer('--seed'))
      .option('--callback-delay-ms <ms>', 'delay before the first simulated call of a batch (default 1000)', integer('--callback-delay-ms'))
      .option('--callback-pace-ms <ms>', 'delay between simulated orders (default 500)', integer('--callback-pace-ms'))
      .option('--no-callbacks', 'do not simulate calls or send callbacks (orders stay undialed)')
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
  if (flags.seed !== undefined) callbacks.seed = flags.seed;
  if (flags.callbackDelayMs !== undefined) callbacks.firstDelayMs = flags.callbackDelayMs;
  if (flags.callbackPaceMs !== undefined) callbacks.paceMs = flags.callbackPaceMs;
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
    maxBatchesPerTask: flags.maxBatchesPerTask ?? config.maxBatchesPerTask,
    maxCallbackRecords: flags.maxCallbackRecords ?? config.maxCallbackRecords,
    headersTimeoutMs: flags.headersTimeoutMs ?? config.headersTimeoutMs,
    requestTimeoutMs: flags.requestTimeoutMs ?? config.requestTimeoutMs,
    keepAliveTimeoutMs: flags.keepAliveTimeoutMs ?? config.keepAliveTimeoutMs,
    maxConnections: flags.maxConnections ?? config.maxConnections,
    accounts: [...(config.accounts ?? []), ...(flags.account ?? []).map(accountFromFlag)],
    demoAccount: flags.demoAccount === false ? false : config.demoAccount,
    faults: [...(config.faults ?? []), ...(flags.fault ?? [])],
    callbacks,
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
    `  debug:     ${url}${DEBUG_BATCHES_PATH}  ${url}${DEBUG_CALLBACKS_PATH}`,
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
    `  callbacks: ${options.callbacks.enabled ? `on (seed ${options.callbacks.seed}; loopback${options.callbacks.allowHosts.length ? ` + ${options.callbacks.allowHosts.join(', ')}` : ' only'})` : 'off'}`,
    `  bounds:    ${options.maxTasks} tasks, ${options.maxStoredOrders} orders kept; ${options.maxConnections} connections; headers ${options.headersTimeoutMs} ms, request ${options.requestTimeoutMs} ms`,
    `  faults:    ${options.faults.length ? options.faults.map((f) => f.kind).join(', ') : 'none configured'} (header ${FAULT_HEADER})`,
    'Press Ctrl-C to stop.',
  );
  console.log(lines.join('\n'));

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
}
