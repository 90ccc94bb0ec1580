import { readFileSync } from 'node:fs';
import type { Command as CommandType } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { VerbIo, VerbRun } from './shared/io.js';

// `callbot` — one command, one verb per job, each in its own module. This file loads none of
// them up front: `callbot --help` and `callbot --version` must start about as fast as Node
// itself (bench/cli-help.mjs), so a verb's module — and with it callbot-contract's client and
// validators, csv-parse, libphonenumber-js, cli-progress, yaml — is imported only when that verb
// runs (or its help is asked for). The registry below is all this file knows about a verb.

/** One verb of `callbot`. */
interface Verb {
  name: string;
  /** One line, for `callbot --help`: the verb's own description (test/help.test.ts keeps them equal). */
  summary: string;
  /** Imports the verb's module and hands back its `register<Verb>Command(program)`. */
  load: () => Promise<(program: CommandType, run: VerbRun) => void>;
  /** It reads the whole command (`completion`): every verb is registered before it. */
  allVerbs?: true;
}

// To add a verb: one entry here (and its module under commands/). Order = order in `callbot --help`.
const VERBS: readonly Verb[] = [
  {
    name: 'import',
    summary:
      "Send a call list (CSV or JSON Lines) as one validated, signed, gzipped request: by default it REPLACES the task's undialed numbers (importBatchCall); --append adds it (addBatchCall); --create-task creates the task with it (createAndCall)",
    load: async () => (await import('./commands/import.js')).registerImportCommand,
  },
  {
    name: 'task',
    summary: 'Create, update, start, pause, complete, show and list tasks',
    load: async () => (await import('./commands/task.js')).registerTaskCommand,
  },
  {
    name: 'export',
    summary: "One row per order of the task's latest batch: status, rounds, last call, intents (exportBatchCall + listOrderDetail)",
    load: async () => (await import('./commands/export.js')).registerExportCommand,
  },
  {
    name: 'orders',
    summary: 'Every order of a task with its last call (listOrder, all pages), filtered',
    load: async () => (await import('./commands/orders.js')).registerOrdersCommand,
  },
  {
    name: 'calls',
    summary: 'Every call of a task (listCall, all pages), filtered',
    load: async () => (await import('./commands/calls.js')).registerCallsCommand,
  },
  {
    name: 'listen',
    summary: "Receive the vendor's callbacks (order, call, task status): verify each signature, write each requestID once to a file or a PostgreSQL table",
    load: async () => (await import('./commands/listen.js')).registerListenCommand,
  },
  {
    name: 'trigger',
    summary:
      "Send one signed callback (order, call or task), built from the spec's example and your --field changes, to a receiver: test your endpoint without a campaign",
    load: async () => (await import('./commands/trigger.js')).registerTriggerCommand,
  },
  {
    name: 'resend',
    summary: 'Send a callback that callbot listen recorded (--out FILE, JSON Lines) again, signed afresh with its own requestID, to a receiver',
    load: async () => (await import('./commands/resend.js')).registerResendCommand,
  },
  {
    name: 'probe',
    summary: "Check the contract's Unknown/Choice points against the vendor's host (reads only) and write a report for a bug report",
    load: async () => (await import('./commands/probe.js')).registerProbeCommand,
  },
  {
    name: 'sign',
    summary: 'Show the signature base (secret masked) and the MD5/SHA256 signatures of a request; --verify checks one',
    load: async () => (await import('./commands/sign.js')).registerSignCommand,
  },
  {
    name: 'mock',
    summary: 'Run the local mock (the callbot-mock package, when installed); arguments go to callbot-mock',
    load: async () => (await import('./commands/mock.js')).registerMockCommand,
  },
  {
    name: 'docs',
    summary: 'Print the path of the offline API docs (shipped with callbot-mock) and of the spec; --open opens the docs',
    load: async () => (await import('./commands/docs.js')).registerDocsCommand,
  },
  {
    name: 'completion',
    summary: 'Print a shell completion script (bash, zsh or fish) for callbot: verbs, subcommands and flags',
    load: async () => (await import('./commands/completion.js')).registerCompletionCommand,
    allVerbs: true,
  },
];

/** `callbot --help` as commander renders it, written next to the bin at build time (tsup.config.ts); undefined if absent. */
function prerenderedHelp(): string | undefined {
  try {
    return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Runs `callbot ARGS` (the arguments after the program's name) on `io` and resolves to its exit
 * code. main.ts passes the process's own IO; tests run any verb in-process with theirs.
 */
export async function runCallbot(args: readonly string[], io: VerbIo): Promise<number> {
  const only = args.length === 1 ? args[0] : undefined;
  const help = only === '--help' || only === '-h' ? prerenderedHelp() : undefined;

  if (only === '--version' || only === '-V') {
    // The two commonest questions need nothing else, not even commander.
    io.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  if (help !== undefined) {
    io.stdout.write(help);
    return 0;
  }
  const [{ Command, CommanderError }, { useOneLineUsageErrors }] = await Promise.all([import('commander'), import('./shared/usage-errors.js')]);
  const program = new Command()
    .name('callbot')
    .description('nxtele Callbot v3: run a campaign (tasks, call lists, results, callbacks), probe the vendor, debug signatures, run the local mock.')
    .version(packageJson.version, '-V, --version', 'print the version of callbot-cli')
    .addHelpText('after', '\nRun `callbot <command> --help` for the flags of one command.')
    // Set before the verbs are registered: each command copies them from its parent. commander
    // then writes to the IO's streams and hands its exit codes back instead of exiting.
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();

  // `callbot VERB …` and `callbot help VERB` need that verb's full definition; anything else
  // (`--help`, no verb, an unknown one) only the names and summaries.
  const run: VerbRun = { io, exitCode: 0 };
  const named = args[0] === 'help' ? args[1] : args[0];
  const verb = VERBS.find((candidate) => candidate.name === named);
  if (verb?.allVerbs) for (const register of await Promise.all(VERBS.map((each) => each.load()))) register(program, run);
  else if (verb) (await verb.load())(program, run);
  else for (const { name, summary } of VERBS) program.command(name).description(summary);

  useOneLineUsageErrors(program);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return run.exitCode;
}
