import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { FilterError } from '../src/results/filters.js';
import { ReportFileError } from '../src/results/import-report.js';
import { OutputError } from '../src/results/output.js';
import { writeFileAtomic } from '../src/shared/atomic-file.js';
import { ConfigError } from '../src/shared/credentials.js';
import { describeFailure } from '../src/shared/failure.js';
import { OutputTargetError } from '../src/shared/output-target.js';
import { UsageError } from '../src/shared/usage-error.js';
import { positiveInteger, wholeNumber } from '../src/shared/whole-number.js';
import { freshDir } from './support/run-cli.js';

// The command's shared kit (src/shared/), one piece at a time: the whole-number rule every flag
// parses with, the atomic file writer, and the one usage-error base every verb maps to exit 1.

describe('wholeNumber / positiveInteger: the one rule for counts, sizes and times', () => {
  it('takes digits only, a safe integer, from min (to max)', () => {
    expect(positiveInteger('1')).toBe(1);
    expect(positiveInteger('120000')).toBe(120_000);
    expect(wholeNumber(0, 65535)('0')).toBe(0);
    expect(wholeNumber(350, 60_000)('60000')).toBe(60_000);
    for (const bad of ['0', '-1', '1.5', '10.0', '1e3', '0x10', ' 5', '', 'abc', '9007199254740993']) {
      expect(() => positiveInteger(bad), bad).toThrow('must be a whole number of at least 1');
    }
    expect(() => wholeNumber(350, 60_000)('349')).toThrow('must be a whole number from 350 to 60000');
    expect(() => wholeNumber(350, 60_000)('60001')).toThrow('must be a whole number from 350 to 60000');
  });

  it('commander names the flag in front of the message', () => {
    const program = new Command()
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .option('--page-size <n>', 'n', positiveInteger);
    expect(() => program.parse(['--page-size', '0'], { from: 'user' })).toThrow(CommanderError);
    expect(() => program.parse(['--page-size', '0'], { from: 'user' })).toThrow(
      "option '--page-size <n>' argument '0' is invalid. must be a whole number of at least 1",
    );
  });
});

describe('writeFileAtomic: the whole file or nothing, replaced only when asked', () => {
  it('writes a new file from its chunks and leaves no temporary file', () => {
    const dir = freshDir('callbot-atomic-');
    const file = join(dir, 'report.json');
    writeFileAtomic(file, ['{"a":', '1}\n']);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('does not overwrite an existing file unless replace is asked (EEXIST), and then keeps its mode', () => {
    const dir = freshDir('callbot-atomic-');
    const file = join(dir, 'report.json');
    writeFileSync(file, 'before');
    chmodSync(file, 0o600);
    expect(() => writeFileAtomic(file, ['after'])).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(file, 'utf8')).toBe('before');
    expect(readdirSync(dir)).toEqual(['report.json']);
    writeFileAtomic(file, ['after'], { replace: true });
    expect(readFileSync(file, 'utf8')).toBe('after');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('fails without leaving a temporary file when the folder cannot be written', () => {
    const dir = freshDir('callbot-atomic-');
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      if (process.getuid?.() === 0) return; // root writes anywhere: nothing to check
      expect(() => writeFileAtomic(join(locked, 'x.json'), ['x'], { replace: true })).toThrow(expect.objectContaining({ code: 'EACCES' }));
      expect(readdirSync(locked)).toEqual([]);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});

describe('UsageError: one base for every usage error, exit 1', () => {
  it.each([
    ['UsageError', new UsageError('bad flag')],
    ['ConfigError', new ConfigError('bad config')],
    ['FilterError', new FilterError('bad filter')],
    ['ReportFileError', new ReportFileError('bad report')],
    ['OutputError', new OutputError('bad out')],
    ['OutputTargetError', new OutputTargetError('bad target')],
  ])('%s is a usage failure: exit 1, "nothing was sent" said once', (_name, error) => {
    const failure = describeFailure(error);
    expect(error).toBeInstanceOf(UsageError);
    expect(failure).toMatchObject({ kind: 'usage', exitCode: 1, message: `${error.message}; nothing was sent` });
  });

  it('keeps the problems and the hint, and does not repeat "nothing was sent"', () => {
    const failure = describeFailure(new UsageError('the settings do not match (1 problem); nothing was sent:', ['--sms-id: not a number'], 'Fix it.'));
    expect(failure).toEqual({
      kind: 'usage',
      exitCode: 1,
      message: 'the settings do not match (1 problem); nothing was sent:',
      problems: ['--sms-id: not a number'],
      hint: 'Fix it.',
    });
  });
});
