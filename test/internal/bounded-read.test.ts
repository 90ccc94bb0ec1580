import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileReadError, readBoundedFile } from '../../src/internal/bounded-read.js';
import { MAX_CONFIG_FILE_BYTES, readJsonObjectFile } from '../../src/internal/json-config.js';

// The reader behind `--config` of callbot and callbot-mock (issue 18, finding 7): a regular file
// only, bounded by the bytes read, never waiting on a FIFO.

const dir = () => mkdtempSync(join(tmpdir(), 'bounded-read-'));

describe('readBoundedFile / readJsonObjectFile', () => {
  it('reads a regular file up to the bound, and refuses one byte more', () => {
    const folder = dir();
    const exact = join(folder, 'exact.json');
    writeFileSync(exact, `{}${' '.repeat(MAX_CONFIG_FILE_BYTES - 2)}`);
    expect(readJsonObjectFile(exact)).toEqual({ object: {} });
    const over = join(folder, 'over.json');
    writeFileSync(over, `{}${' '.repeat(MAX_CONFIG_FILE_BYTES - 1)}`);
    expect(readJsonObjectFile(over)).toEqual({ problem: `--config ${over}: has more than ${MAX_CONFIG_FILE_BYTES} bytes: is it the right file?` });
  });

  it('refuses a FIFO at once (opening it for reading would wait for a writer), a device and a folder, naming what they are', () => {
    const pipe = join(dir(), 'pipe');
    execFileSync('mkfifo', [pipe]);
    expect(readJsonObjectFile(pipe)).toEqual({ problem: `--config ${pipe}: is a FIFO (named pipe), not a file: give the path of a regular file` });
    expect(readJsonObjectFile('/dev/zero')).toEqual({ problem: '--config /dev/zero: is a character device, not a file: give the path of a regular file' });
    expect(() => readBoundedFile(tmpdir(), 10)).toThrow(new FileReadError('is a folder, not a file: give the path of a regular file'));
    expect(readJsonObjectFile(join(dir(), 'missing.json'))).toEqual({ problem: expect.stringMatching(/: cannot read it \(ENOENT\)$/) });
  });

  it.skipIf(!existsSync('/proc/kallsyms'))('a file that reports size 0 is bounded by the bytes read', () => {
    expect(() => readBoundedFile('/proc/kallsyms', 1000)).toThrow(new FileReadError('has more than 1000 bytes: is it the right file?'));
    expect(readBoundedFile('/proc/self/stat', 1_000_000).length).toBeGreaterThan(0);
  });
});
