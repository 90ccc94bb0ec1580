import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VerbRun } from '../src/shared/io.js';
import { freshDir, runCli } from './support/run-cli.js';
import { runInProcess, testIo } from './support/run-in-process.js';

// `callbot completion bash|zsh|fish`. The bash script is run for real (sourced in bash, its
// function called with COMP_WORDS/COMP_CWORD set); zsh and fish are not installed here, so their
// scripts' shape is checked. What is expected is read from the verbs' own commander definitions,
// walked here independently of the generator: every verb, subcommand and flag must complete.

interface Expected {
  path: string;
  subcommands: string[];
  longs: string[];
}

/** Every command path with its subcommands and long flags, from the verbs `callbot --help` lists. */
async function expectedTree(): Promise<Expected[]> {
  const help = (await runCli(['--help'])).stdout;
  const verbs = [
    ...help
      .split('\nCommands:\n')[1]!
      .split('\n\n')[0]!
      .matchAll(/^ {2}([a-z-]+)/gm),
  ]
    .map((m) => m[1]!)
    .filter((verb) => verb !== 'help');
  expect(verbs).toContain('completion');
  const program = new Command();
  for (const verb of verbs) {
    const module = (await import(`../src/commands/${verb}.ts`)) as Record<string, (program: Command, run: VerbRun) => void>;
    Object.entries(module).find(([name]) => /^register\w+Command$/.test(name))![1](program, { io: testIo().io, exitCode: 0 });
  }
  const walk = (command: Command, path: string): Expected[] => [
    {
      path,
      subcommands: command.commands.map((sub) => sub.name()),
      // Hidden flags stay hidden, as in --help.
      longs: command.options
        .filter((option) => !option.hidden)
        .map((option) => option.long!)
        .filter(Boolean),
    },
    ...command.commands.flatMap((sub) => walk(sub, path ? `${path} ${sub.name()}` : sub.name())),
  ];
  const tree = walk(program, '');
  expect(tree.find((entry) => entry.path === '')!.subcommands).toEqual(verbs);
  return tree;
}

let bashFile: string;
let dir: string;
beforeAll(async () => {
  const run = await runInProcess(['completion', 'bash']);
  expect(run.code, run.stderr).toBe(0);
  dir = freshDir('callbot-completion-');
  bashFile = join(dir, 'callbot.bash');
  writeFileSync(bashFile, run.stdout);
  for (const name of ['calls.csv', 'more.jsonl', 'report.csv']) writeFileSync(join(dir, name), '');
});

/** What bash completes for each line (the cursor at its end; a trailing space starts a new word). */
function bashComplete(lines: string[]): string[][] {
  const calls = lines.map((line) => {
    const words = line.split(' ').map((word) => `'${word}'`);
    return `COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _callbot; echo "\${COMPREPLY[*]}"`;
  });
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source '${bashFile}' && complete -p callbot >/dev/null && ${calls.join('\n')}`], {
    cwd: dir,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .slice(0, lines.length)
    .map((line) => line.split(' ').filter(Boolean).sort());
}

describe('callbot completion bash (run in bash)', () => {
  it('completes verbs, subcommands, flags, choices and files', () => {
    const [verb, sub, flags, file, report, choices, shells, afterValue] = bashComplete([
      'callbot ta',
      'callbot task ',
      'callbot import --re',
      'callbot import ',
      'callbot import calls.csv --report ',
      'callbot import --format ',
      'callbot completion ',
      'callbot task create --task ',
    ]);
    expect(verb).toEqual(['task']);
    expect(sub).toEqual(['complete', 'create', 'list', 'pause', 'show', 'start', 'update']);
    expect(flags).toEqual(['--report']);
    expect(file).toEqual(['callbot.bash', 'calls.csv', 'more.jsonl', 'report.csv']);
    expect(report).toEqual(file);
    expect(choices).toEqual(['csv', 'jsonl']);
    expect(shells).toEqual(['bash', 'fish', 'zsh']);
    expect(afterValue).toEqual([]); // a value of the user's own: nothing to offer
  });

  it('every verb, every subcommand and every long flag of each completes (read from the definitions, not a list)', async () => {
    const tree = await expectedTree();
    const withSubs = tree.filter((entry) => entry.subcommands.length);
    const answers = bashComplete([
      ...tree.map((entry) => `callbot ${entry.path}${entry.path ? ' ' : ''}--`),
      ...withSubs.map((entry) => `callbot ${entry.path} `.replace('callbot  ', 'callbot ')),
    ]);
    tree.forEach((entry, index) => {
      // `callbot mock` passes everything on to callbot-mock: it has no flags of its own.
      expect(answers[index], `callbot ${entry.path} --`).toEqual(expect.arrayContaining(entry.longs));
      if (entry.path !== 'mock') expect(answers[index], entry.path).toContain('--help');
    });
    withSubs.forEach((entry, index) => {
      expect(answers[tree.length + index], `callbot ${entry.path}`).toEqual([...entry.subcommands].sort());
    });
    expect(tree.length).toBeGreaterThan(15);
  });
});

/** Whether a shell is installed (zsh and fish: .ci/run installs them; elsewhere their runs are skipped). */
const installed = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

/** The script of `shell` written to a file. */
async function script(shell: 'zsh' | 'fish'): Promise<string> {
  const run = await runInProcess(['completion', shell]);
  expect(run.code, run.stderr).toBe(0);
  const file = join(dir, `callbot.${shell}`);
  writeFileSync(file, run.stdout);
  return file;
}

/** The cases every shell is run on: the line, and what it must offer (sorted). */
const CASES: [string, string[]][] = [
  ['callbot ta', ['task']],
  ['callbot task ', ['complete', 'create', 'list', 'pause', 'show', 'start', 'update']],
  ['callbot import --rep', ['--report']],
  ['callbot task create --algorithm ', ['MD5', 'SHA256']],
  ['callbot completion ', ['bash', 'fish', 'zsh']],
];

describe.skipIf(!installed('zsh'))('callbot completion zsh (run in zsh: compadd and _files stubbed, as outside a completion widget)', () => {
  it('completes verbs, subcommands, flags, choices and files', async () => {
    const file = await script('zsh');
    const lines = [...CASES.map(([line]) => line), 'callbot import ', 'callbot import --report '];
    const calls = lines.map(
      (line) =>
        `t ${line
          .split(' ')
          .map((word) => `'${word}'`)
          .join(' ')}`,
    );
    const out = execFileSync(
      'zsh',
      [
        '-f',
        '-c',
        `compdef() { :; }
source '${file}'
compadd() { [[ $1 == -- ]] && shift; local w; for w in "$@"; do [[ $w == $PREFIX* ]] && print -rn -- "$w "; done; print; }
_files() { print -- FILES; }
t() { words=("$@"); CURRENT=\${#words}; PREFIX=\${words[CURRENT]}; _callbot; }
${calls.join('\n')}`,
      ],
      { cwd: dir, encoding: 'utf8' },
    ).split('\n');
    CASES.forEach(([line, expected], index) => expect(out[index]!.split(' ').filter(Boolean).sort(), line).toEqual(expected));
    expect(out.slice(CASES.length, CASES.length + 2)).toEqual(['FILES', 'FILES']);
  });
});

describe.skipIf(!installed('fish'))('callbot completion fish (run in fish: complete -C)', () => {
  it('completes verbs, subcommands, flags, choices and files', async () => {
    const file = await script('fish');
    const lines = [...CASES.map(([line]) => line), 'callbot import ', 'callbot import calls.csv --report '];
    const calls = lines.map((line) => `complete -C '${line}' | string replace -r '\\t.*' ''; echo ---`);
    const out = execFileSync('fish', ['--no-config', '-c', `source '${file}'\n${calls.join('\n')}`], { cwd: dir, encoding: 'utf8' })
      .split('---\n')
      .map((block) => block.split('\n').filter(Boolean).sort());
    CASES.forEach(([line, expected], index) => expect(out[index], line).toEqual(expected));
    const files = readdirSync(dir).sort();
    expect(files).toContain('calls.csv');
    expect(out[CASES.length]).toEqual(files);
    expect(out[CASES.length + 1]).toEqual(files);
  });
});

describe('callbot completion zsh and fish (shape)', () => {
  it('name every verb, subcommand and long flag, in the shell’s own form', async () => {
    const tree = await expectedTree();
    const [zsh, fish] = await Promise.all([runInProcess(['completion', 'zsh']), runInProcess(['completion', 'fish'])]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef callbot');
    expect(zsh.stdout).toContain('compdef _callbot callbot');
    expect(zsh.stdout).toContain('_files');
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain('complete -c callbot -f\n');
    for (const entry of tree) {
      const branch = new RegExp(`^ {4}"${entry.path}"\\) echo "(.*)" ;;$`, 'm');
      expect(zsh.stdout.split('__callbot_options()')[1]!.match(branch)?.[1]?.split(' '), `zsh ${entry.path}`).toEqual(expect.arrayContaining(entry.longs));
      for (const long of entry.longs) expect(fish.stdout, `fish ${entry.path} ${long}`).toContain(`-n '__callbot_at \\'${entry.path}\\'' -l ${long.slice(2)}`);
      for (const sub of entry.subcommands) expect(fish.stdout, `fish ${entry.path} ${sub}`).toContain(`-n '__callbot_at \\'${entry.path}\\'' -a ${sub}`);
    }
    expect(fish.stdout).toMatch(/-l report -r -F/);
  });
});

describe('callbot completion: help and usage', () => {
  it('--help has the install line of each shell; no shell or an unknown one is a usage error (exit 1)', async () => {
    const installs = [
      'callbot completion bash > ~/.local/share/bash-completion/completions/callbot',
      'callbot completion zsh > ~/.zfunc/_callbot',
      'fpath=(~/.zfunc $fpath)',
      'callbot completion fish > ~/.config/fish/completions/callbot.fish',
    ];
    const help = await runInProcess(['completion', '--help']);
    expect(help.code).toBe(0);
    expect(installs.filter((line) => !help.stdout.includes(line))).toEqual([]);
    expect((await runInProcess(['completion'])).code).toBe(1);
    const tcsh = await runInProcess(['completion', 'tcsh']);
    expect(tcsh.code).toBe(1);
    expect(tcsh.stderr).toContain('bash, zsh, fish');
  });
});
