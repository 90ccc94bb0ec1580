import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProcess, type MockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { freshDir } from './support/run-cli.js';

// The campaign walkthrough of packages/cli/README.md, run as a reader would paste it: the ```sh
// block after the `<!-- walkthrough` marker, as one bash script (each command must exit 0:
// `set -e`), against the built mock process at the speed `npm start` uses (its default), with
// CALLBOT_BASE_URL and PORT pointing at a mock and a port of this test's own.

const README = fromRoot('packages', 'cli', 'README.md');

/** The walkthrough block's text (between ```sh and ``` after the marker). */
export function walkthroughBlock(markdown: string): string {
  const marker = markdown.indexOf('<!-- walkthrough');
  if (marker < 0) throw new Error('packages/cli/README.md has no <!-- walkthrough --> marker');
  const match = /```sh\n([\s\S]*?)\n```/.exec(markdown.slice(marker));
  if (!match) throw new Error('no ```sh block after the walkthrough marker');
  return match[1]!;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess([]); // no --speed: the default `npm start` runs with
}, 60_000);
afterAll(async () => {
  await mock?.stop();
});

describe('the README walkthrough', () => {
  it('names the mock only through CALLBOT_BASE_URL, so it can be pointed elsewhere', () => {
    const block = walkthroughBlock(readFileSync(README, 'utf8'));
    for (const line of block.split('\n').filter((l) => l.includes('4010'))) {
      expect(line).toMatch(/\$\{CALLBOT_BASE_URL:-http:\/\/127\.0\.0\.1:4010\}/);
    }
    expect(block).toMatch(/&\s+#|&\s*$/m); // the listener runs in the background…
    expect(block).toMatch(/^kill %1/m); // …and is stopped at the end
  });

  it('runs, command by command, against a mock: every command exits 0', async () => {
    const block = walkthroughBlock(readFileSync(README, 'utf8'));
    // A fresh folder that looks like the repository's root to the block (its relative paths,
    // `npx callbot`), so the files it writes land there.
    const dir = freshDir('callbot-walkthrough-');
    symlinkSync(fromRoot('node_modules'), join(dir, 'node_modules'), 'dir');
    symlinkSync(fromRoot('packages'), join(dir, 'packages'), 'dir');
    const port = await freePort();
    const script = `set -eE\ntrap 'echo "walkthrough: this command failed: $BASH_COMMAND" >&2' ERR\nset -x\n${block}\n`;
    // The developer's own CALLBOT_* and npm settings stay out of it.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CALLBOT_') && !key.toLowerCase().startsWith('npm_')));
    const child = spawn('bash', ['-c', script], {
      cwd: dir,
      env: { ...env, NO_COLOR: '1', CALLBOT_BASE_URL: mock.url, PORT: String(port), npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a run that hangs is stopped whole, listener included
    });
    const stopAll = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(stopAll, 120_000);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve)).finally(() => {
      clearTimeout(timer);
      stopAll();
    });
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);

    // What the walkthrough says it does (`set -x` traces each command on stderr).
    expect(stderr).toMatch(/callbot listen: stopped\. order 5 · call \d+ · task 2 · duplicate 0 · refused 0 · failed 0/);
    // Every file it wrote is in campaign-output/, which the repository's .gitignore ignores: a
    // reader's clone is left with nothing untracked.
    const written = readdirSync(dir).filter((name) => name !== 'node_modules' && name !== 'packages');
    expect(written).toEqual(['campaign-output']);
    expect(readdirSync(join(dir, 'campaign-output')).sort()).toEqual([
      'calls.csv',
      'import-1.csv',
      'import-2.csv',
      'orders.csv',
      'results.csv',
      'results.jsonl',
    ]);
    expect(spawnSync('git', ['check-ignore', '--quiet', '--no-index', 'campaign-output/results.csv'], { cwd: fromRoot() }).status).toBe(0);
    const rows = (file: string) => parse(readFileSync(join(dir, 'campaign-output', file)), { columns: true }) as Record<string, string>[];
    expect(rows('results.csv').map((row) => row.status)).toEqual(Array(5).fill('finished'));
    expect(rows('orders.csv')).toHaveLength(8);
    const callbacks = readFileSync(join(dir, 'campaign-output', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(callbacks.filter((line) => line.includes('"kind":"call"'))).toHaveLength(rows('calls.csv').length);
  }, 180_000);
});
