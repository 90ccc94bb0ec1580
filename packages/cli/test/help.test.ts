import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';
import type { VerbRun } from '../src/shared/io.js';
import { freshDir, runCli } from './support/run-cli.js';
import { testIo } from './support/run-in-process.js';

// What `callbot` says about itself: --help and --version start fast because they load no verb
// (nor commander)
// (checked here by recording every module the process imports), every verb's own --help is
// complete, and a usage error is three lines — the error, the usage line, where the rest is.

const version = (JSON.parse(readFileSync(fromRoot('packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;
const recorder = fileURLToPath(new URL('./support/record-loads.mjs', import.meta.url));

/** Runs the built bin with every imported module's URL recorded; resolves with the run and those URLs. */
async function runRecorded(args: string[]) {
  const list = join(freshDir('callbot-loads-'), 'loaded.txt');
  const run = await runCli(args, { env: { NODE_OPTIONS: `--import=${recorder}`, CALLBOT_TEST_LOADED_MODULES: list } });
  let urls: string[] = [];
  try {
    urls = readFileSync(list, 'utf8').trim().split('\n');
  } catch {
    // nothing imported at all: the list was never written
  }
  const packages = new Set(urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]).filter(Boolean));
  // Workspace packages resolve to their folders, not through node_modules: name them too.
  if (urls.some((url) => url.includes('/dist/') && !url.includes('/packages/'))) packages.add('callbot-contract');
  const distFiles = urls.filter((url) => url.includes('/packages/cli/dist/')).map((url) => url.slice(url.lastIndexOf('/') + 1));
  return { run, urls, packages: [...packages].sort(), distFiles };
}

/** The verbs `callbot --help` lists, with their one-line summaries (continuation lines joined). */
function listedVerbs(help: string): Map<string, string> {
  const section = help.split('\nCommands:\n')[1]!.split('\n\n')[0]!;
  const verbs = new Map<string, string>();
  let last: string | undefined;
  for (const line of section.split('\n')) {
    const match = /^ {2}(\S+)(?: \[command\])? +(.*)$/.exec(line);
    if (match) {
      last = match[1]!;
      verbs.set(last, match[2]!);
    } else if (last) verbs.set(last, `${verbs.get(last)} ${line.trim()}`);
  }
  verbs.delete('help');
  return verbs;
}

describe('callbot --help and --version load no verb', () => {
  it('--version: only cli.js, not even commander', async () => {
    const { run, packages, distFiles } = await runRecorded(['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
    expect(packages).toEqual([]);
    expect(distFiles).toEqual(['cli.js']);
  });

  it('--help (and -h): only cli.js and the help text written at build time, which is what commander renders', async () => {
    const [{ run, packages, distFiles }, short, rendered] = await Promise.all([runRecorded(['--help']), runCli(['-h']), runRecorded(['help'])]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Usage: callbot \[options\] \[command\]/);
    expect(packages).toEqual([]);
    expect(distFiles).toEqual(['cli.js']);
    expect(short.stdout).toBe(run.stdout);
    // `callbot help` renders with commander now, from the registry: the build's copy is not stale.
    expect(rendered.run.code).toBe(0);
    expect(rendered.run.stdout).toBe(run.stdout);
    expect(rendered.packages).toEqual(['commander']);
    expect(rendered.distFiles.filter((file) => !/^(cli|usage-errors-[A-Z0-9]+)\.js$/.test(file))).toEqual([]);
  });

  it('the recorder sees what a verb loads: `import --help` brings in the contract, `task list --help` does not', async () => {
    // The control for the two tests above: were the recorder blind, they would pass for nothing.
    // (csv-parse is loaded only for a file with quotes, and libphonenumber-js is bundled into
    // dist: neither shows as a package any more, so the contract is the witness.)
    const [importHelp, taskHelp] = await Promise.all([runRecorded(['import', '--help']), runRecorded(['task', 'list', '--help'])]);
    expect(importHelp.run.code).toBe(0);
    expect(importHelp.packages).toEqual(expect.arrayContaining(['callbot-contract', 'commander']));
    expect(taskHelp.run.code).toBe(0);
    expect(taskHelp.packages).toEqual(['commander']);
  });

  it('the read, listen and probe verbs load only commander for their --help (the client, validators and servers wait for the run)', async () => {
    const verbs = ['export', 'orders', 'calls', 'listen', 'probe'];
    const runs = await Promise.all(verbs.map((verb) => runRecorded([verb, '--help'])));
    for (const [index, { run, packages }] of runs.entries()) {
      expect(run.code, verbs[index]).toBe(0);
      expect(packages, verbs[index]).toEqual(['commander']);
    }
  });
});

describe('callbot --help lists every verb; each verb has its full help', () => {
  it("each verb's summary is the verb's own description, and `callbot help VERB` is `callbot VERB --help`", async () => {
    const help = await runCli(['--help']);
    const verbs = listedVerbs(help.stdout);
    expect([...verbs.keys()]).toEqual([
      'import',
      'task',
      'export',
      'orders',
      'calls',
      'listen',
      'trigger',
      'resend',
      'probe',
      'sign',
      'mock',
      'docs',
      'completion',
    ]);
    for (const [verb, summary] of verbs) {
      const module = (await import(`../src/commands/${verb}.ts`)) as Record<string, (program: Command, run: VerbRun) => void>;
      const register = Object.entries(module).find(([name]) => /^register\w+Command$/.test(name))![1];
      const program = new Command();
      register(program, { io: testIo().io, exitCode: 0 });
      expect(program.commands.find((command) => command.name() === verb)?.description(), verb).toBe(summary);
    }
    // `callbot mock --help` is callbot-mock's own help (mock passes its arguments on): not compared.
    for (const verb of [...verbs.keys()].filter((name) => name !== 'mock')) {
      const [viaHelp, viaFlag] = await Promise.all([runCli(['help', verb]), runCli([verb, '--help'])]);
      expect(viaFlag.code, verb).toBe(0);
      expect(viaHelp.stdout, verb).toBe(viaFlag.stdout);
      expect(viaFlag.stdout, verb).toMatch(new RegExp(`^Usage: callbot ${verb} `));
      // Defaults in commander's own form, `(default: 120000)`, never `(default 120000)` beside it.
      const options = (viaFlag.stdout.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '').replace(/\s+/g, ' ');
      expect(options.match(/\(default (?!on loopback)[^)]*\)/g) ?? [], verb).toEqual([]);
    }
    for (const sub of ['create', 'update', 'start', 'list', 'show']) {
      const options = ((await runCli(['task', sub, '--help'])).stdout.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '').replace(/\s+/g, ' ');
      expect(options, `task ${sub}`).toContain('--timeout-ms');
      expect(options.match(/\(default (?!on loopback)[^)]*\)/g) ?? [], `task ${sub}`).toEqual([]);
    }
    expect((await runCli(['task', '--help'])).stdout).toContain('Exit codes:');
  });

  it("the repository README's package table names every verb `callbot --help` lists", async () => {
    const verbs = [...listedVerbs((await runCli(['--help'])).stdout).keys()];
    const row = readFileSync(fromRoot('README.md'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('| [callbot-cli]'))!;
    expect(verbs.filter((verb) => !row.includes(`\`${verb}\``))).toEqual([]);
  });

  it('`callbot task create --help` lists the settings flags, the connection flags and the settings file', async () => {
    const run = await runCli(['task', 'create', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--task',
      '--scene',
      '--settings',
      '--name',
      '--max-call',
      '--dial-hours',
      '--weekdays',
      '--task-callback-url',
      '--json',
      '--base-url',
      '--config',
    ]) {
      expect(run.stdout).toContain(`  ${flag} `);
    }
    expect(run.stdout).toContain('taskCreateSetting:');
  });
});

describe('usage errors: the error, the usage line, where the rest is', () => {
  it('a missing required flag', async () => {
    const run = await runCli(['task', 'create', '--scene', 's']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      "error: required option '--task <userTaskID>' not specified",
      'Usage: callbot task create [options]',
      'See `callbot task create --help`.',
    ]);
  });

  it("a verb another module defines (import's missing argument), and an unknown verb with commander's suggestion", async () => {
    const [missing, unknown] = await Promise.all([runCli(['import', '--task', 't']), runCli(['imprt'])]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trimEnd().split('\n')).toEqual([
      "error: missing required argument 'file'",
      'Usage: callbot import [options] <file>',
      'See `callbot import --help`.',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trimEnd().split('\n')).toEqual([
      "error: unknown command 'imprt'",
      '(Did you mean import?)',
      'Usage: callbot [options] [command]',
      'See `callbot --help`.',
    ]);
  });

  it('a bad value names the flag and what is wanted', async () => {
    const run = await runCli(['task', 'list', '--since', '2026-11-01T09:00']);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      "error: option '--since <time>' argument '2026-11-01T09:00' is invalid. \"2026-11-01T09:00\" has no time zone: add Z (UTC) or an offset such as +08:00",
      'Usage: callbot task list [options]',
      'See `callbot task list --help`.',
    ]);
  });
});
