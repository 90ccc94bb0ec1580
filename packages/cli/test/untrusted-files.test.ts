import { spawn, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { fromRoot } from 'callbot-test-kit/paths';
import { type FakeVendor, startFakeVendor } from 'callbot-test-kit/fake-vendor';
import { runVerb } from '../src/shared/failure.js';
import { freshDir, spawnCli } from './support/run-cli.js';
import { runInProcess, testIo } from './support/run-in-process.js';

// Files a user names that are not what they seem (issue 18, findings 7 and 11): devices and FIFOs
// as --settings, --config, sign --body, export --report and the import list; a file that reports
// size 0 and holds megabytes; a YAML alias bomb; and an error no verb expected, under --json.

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(DEMO_ACCOUNT);
});
afterAll(() => vendor.close());
beforeEach(() => {
  vendor.received.length = 0;
});

/** A FIFO nobody writes to: opening it for reading would wait for ever. */
function fifo(dir = freshDir()): string {
  const path = join(dir, 'pipe');
  execFileSync('mkfifo', [path]);
  return path;
}

/** The command as a process, killed if it has not ended within `ms` (a FIFO made it wait for ever before). */
async function within(args: string[], ms = 15_000, cwd?: string) {
  const live = spawnCli(args, { env: { CALLBOT_BASE_URL: vendor.url }, ...(cwd ? { cwd } : {}) });
  const timer = setTimeout(() => live.child.kill('SIGKILL'), ms);
  const done = await live.done;
  clearTimeout(timer);
  return done;
}

/** A regular file that reports size 0 and holds megabytes (Linux): a bound on the reported size does not hold it. */
const BIG_PROC_FILE = '/proc/kallsyms';
const haveBigProcFile = existsSync(BIG_PROC_FILE);

describe('finding 7: --settings reads only a regular file, bounded by the bytes read', () => {
  it('a FIFO is refused at once, naming it; nothing sent', async () => {
    const pipe = fifo();
    const run = await within(['task', 'create', '--task', 't', '--scene', 's', '--settings', pipe, '--json']);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--settings ${pipe}: is a FIFO (named pipe), not a file: give the path of a regular file; nothing was sent`);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 1, error: { kind: 'usage' } });
    expect(vendor.received).toHaveLength(0);
  });

  it('/dev/zero is refused without reading it', async () => {
    const run = await within(['task', 'update', '--task', 't', '--settings', '/dev/zero']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--settings /dev/zero: is a character device, not a file');
  });

  it.skipIf(!haveBigProcFile)('a file that reports size 0 and holds megabytes stops at 1 MiB read', async () => {
    const run = await within(['task', 'create', '--task', 't', '--scene', 's', '--settings', BIG_PROC_FILE]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--settings ${BIG_PROC_FILE}: has more than 1048576 bytes: is it the right file?; nothing was sent`);
  });
});

describe('finding 7: --config (callbot-contract/internal readJsonObjectFile, for callbot and callbot-mock)', () => {
  it('a FIFO as --config of orders: refused at once (exit 1)', async () => {
    const pipe = fifo();
    const run = await within(['orders', '--task', 't', '--config', pipe]);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--config ${pipe}: is a FIFO (named pipe), not a file`);
  });

  it('/dev/zero as --config of task list: refused without reading it', async () => {
    const run = await within(['task', 'list', '--config', '/dev/zero', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--config /dev/zero: is a character device, not a file');
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { kind: 'usage' } });
  });

  it.skipIf(!haveBigProcFile)('a file that reports size 0 and holds megabytes stops at 1 MiB read', async () => {
    const run = await within(['task', 'list', '--config', BIG_PROC_FILE]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--config ${BIG_PROC_FILE}: has more than 1048576 bytes`);
  });
});

describe('finding 7: sign --body, export --report and the import list', () => {
  const signArgs = ['sign', '--uuid', 'u', '--secret', 'S', '--create-ts', '1700000000', '--request-id', 'r'];

  it('sign --body FIFO or /dev/zero: refused at once, pointing to stdin', async () => {
    const pipe = fifo();
    for (const body of [pipe, '/dev/zero']) {
      const run = await within([...signArgs, '--body', body]);
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`^callbot sign: --body ${body}: is a (FIFO \\(named pipe\\)|character device), not a file: .*send it on stdin: --body -\\)\\n$`),
      );
    }
  });

  it('sign reads at most 64 MiB from stdin', async () => {
    const child = spawn(process.execPath, [fromRoot('packages', 'cli', 'dist', 'cli.js'), ...signArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.resume();
    child.stdin.on('error', () => {}); // the command stops reading: EPIPE
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const write = async () => {
      for (let i = 0; i < 65 && !child.stdin.destroyed; i += 1) {
        if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve).once('close', resolve));
      }
      child.stdin.end();
    };
    const [code] = await Promise.all([new Promise((resolve) => child.once('close', resolve)), write()]);
    expect(code).toBe(1);
    expect(stderr).toBe('callbot sign: stdin: has more than 67108864 bytes: is it the right input?\n');
  });

  it('export --report FIFO: refused at once (exit 1), nothing read from the vendor', async () => {
    const pipe = fifo();
    const run = await within(['export', '--task', 't', '--report', pipe, '--out', 'x.csv']);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--report ${pipe}: is a FIFO (named pipe), not a file`);
    expect(vendor.received).toHaveLength(0);
  });

  it('import of a FIFO or /dev/zero: refused at once (exit 1), nothing sent', async () => {
    for (const file of [fifo(), '/dev/zero']) {
      const run = await within(['import', file, '--task', 't', '--dry-run']);
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${file} is not a file`);
    }
    expect(vendor.received).toHaveLength(0);
  });
});

describe('finding 11: a YAML alias bomb, and failures no verb expected, under --json', () => {
  const BOMB = [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
  ].join('\n');

  it('task create --settings bomb.yaml --json: exit 1, one message, the {"error": …} document; no stack', async () => {
    const dir = freshDir();
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, `${BOMB}\n`);
    const run = await runInProcess(['task', 'create', '--task', 't', '--scene', 's', '--settings', bomb, '--json', '--base-url', vendor.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `callbot task create: --settings ${bomb}: is not a settings file: its YAML aliases expand too far (more than 100 uses); nothing was sent\n`,
    );
    expect(JSON.parse(run.stdout)).toEqual({
      exitCode: 1,
      error: {
        kind: 'usage',
        exitCode: 1,
        message: `--settings ${bomb}: is not a settings file: its YAML aliases expand too far (more than 100 uses); nothing was sent`,
      },
    });
    expect(vendor.received).toHaveLength(0);
  });

  it('an error of no known kind is reported, not thrown: kind internal, exit 4, the document under --json, the stack on stderr', async () => {
    const terminal = testIo();
    const code = await runVerb(
      terminal.io,
      'callbot task start',
      true,
      async () => {
        throw new TypeError('Cannot convert object to primitive value');
      },
      { checkWith: 'callbot task show --task t' },
    );
    expect(code).toBe(4);
    expect(JSON.parse(terminal.stdout())).toEqual({
      exitCode: 4,
      error: {
        kind: 'internal',
        exitCode: 4,
        message: 'unexpected error (TypeError: Cannot convert object to primitive value)',
        hint: 'This is a bug in callbot: please report it with the stack printed below. Whether anything was done is unknown. Check with `callbot task show --task t` before sending it again.',
      },
    });
    expect(terminal.stderr()).toMatch(/^callbot task start: unexpected error \(TypeError: Cannot convert object to primitive value\)\n/);
    expect(terminal.stderr()).toMatch(/\nTypeError: Cannot convert object to primitive value\n\s+at /);
  });
});
