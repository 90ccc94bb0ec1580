import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fromRoot } from 'callbot-test-kit/paths';
import { freePort } from 'callbot-test-kit/store-servers';
import { afterEach, describe, expect, it } from 'vitest';

// `npm start`, stopped the way people stop it: `kill` of npm's PID (SIGTERM, which npm passes on
// to its script) must stop the mock and free its port — before, the shell between npm and node
// took the signal and the orphaned mock kept the port. And a `kill -9` of npm (nothing passed
// on) must not leave it running either.

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

const started: { npm: ChildProcess; port: number }[] = [];

async function npmStart() {
  const port = await freePort();
  // The developer's npm settings stay out of it (a test run under `npm test` has npm_* set).
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  const npm = spawn('npm', ['start', '--', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: fromRoot(),
    env: { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ npm, port });
  let output = '';
  npm.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  npm.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  expect(await until(async () => output.includes('Callbot mock listening on'), 60_000), output).toBe(true);
  expect(await accepting(port)).toBe(true);
  return { npm, port, output: () => output };
}

afterEach(async () => {
  // What a failing test left running (its mock stops by itself once npm is gone).
  for (const { npm } of started.splice(0)) npm.kill('SIGKILL');
});

describe('npm start, stopped by the PID of npm', () => {
  it('SIGTERM to npm reaches the mock: it stops and frees its port', async () => {
    const { npm, port, output } = await npmStart();
    npm.kill('SIGTERM');
    expect(await until(async () => !(await accepting(port)), 10_000), output()).toBe(true);
    expect(output()).toContain('SIGTERM: stopping the mock');
  }, 90_000);

  it('SIGKILL to npm (nothing passed on): the mock notices its parent is gone and stops', async () => {
    const { npm, port, output } = await npmStart();
    npm.kill('SIGKILL');
    expect(await until(async () => !(await accepting(port)), 10_000), output()).toBe(true);
  }, 90_000);
});
