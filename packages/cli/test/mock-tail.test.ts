import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallbotClient, DEMO_ACCOUNT } from 'callbot-contract';
import { createMockServer, type MockServer } from 'callbot-mock';
import { runCli } from './support/run-cli.js';
import { runInProcess, startInProcess } from './support/run-in-process.js';

// `callbot mock tail`: a running mock's callback log (GET /__mock/callbacks?follow=1) printed as
// it happens, against the mock in this process and a receiver that fails its first callback.

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mock(): Promise<MockServer> {
  const server = await createMockServer({ port: 0, speed: 0, importingMs: 0, callbacks: { retryDelayMs: 10 } });
  cleanup.push(() => server.close());
  return server;
}

/** A receiver on 127.0.0.1 that answers 500 to its first callback and 200 to the others. */
async function failingOnce(): Promise<string> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead((count += 1) === 1 ? 500 : 200).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function campaign(server: MockServer, receiver: string, userTaskID: string): Promise<void> {
  const client = createCallbotClient({ ...DEMO_ACCOUNT, baseUrl: server.url });
  const callList = [{ orderID: 'tail-1', userPhone: '8615600000001', other: 'ticket', userName: 'Li', customerName: 'Shop', params: [] }];
  const imported = await client.importBatchCall({
    userTaskID,
    callInfoList: { orderCallbackUrl: `${receiver}/order`, callCallbackUrl: `${receiver}/call`, callList },
  });
  expect(imported.retCode).toBe(0);
  await server.clock.advance(3600);
}

async function until(check: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('callbot mock tail', () => {
  it('prints one line per delivery attempt: the failed first attempt (retrying 500) and its retry; Ctrl-C ends with 0', async () => {
    const [server, receiver] = await Promise.all([mock(), failingOnce()]);
    const tail = startInProcess(['mock', 'tail', '--base-url', server.url]);
    await tail.waitForStderr('following the callbacks of');
    await campaign(server, receiver, 'tailed');
    await until(
      () => /delivered 200 {2}attempt 2\/3/.test(tail.stdout()),
      () => tail.stdout(),
    );
    tail.interrupt('SIGINT');
    const run = await tail.done;
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} {2}(call |order) {2}task=tailed order=tail-1 {2}${receiver}/(call|order) {2}retrying 500 {2}attempt 1/3 {2}\\d+ ms$`,
      ),
    );
    expect(lines.some((line) => line.includes('delivered 200  attempt 2/3'))).toBe(true);
  });

  it('--json prints the JSON lines, and the follow ends with exit 0 when the mock closes', async () => {
    const [server, receiver] = await Promise.all([mock(), failingOnce()]);
    const tail = startInProcess(['mock', 'tail', '--json', '--base-url', server.url]);
    await tail.waitForStderr('following the callbacks of');
    await campaign(server, receiver, 'tailed-json');
    await until(
      () => tail.stdout().includes('"delivered"'),
      () => tail.stdout(),
    );
    await server.close();
    const run = await tail.done;
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: 'delivery', status: 'retrying', statusCode: 500, attempt: 1, userTaskID: 'tailed-json', orderID: 'tail-1' });
    expect(lines.at(-1)).toMatchObject({ type: 'end' });
    expect(run.stderr).toContain('the mock closed');
  });

  it('a mock that is not reachable: a clear error naming --base-url, exit 3 (not done)', async () => {
    const server = await createMockServer({ port: 0 });
    const url = server.url;
    await server.close();
    const run = await runInProcess(['mock', 'tail', '--base-url', url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`no mock answers at ${url}`);
    expect(run.stderr).toContain('--base-url');
  });

  it('--help names the flags and the exit codes; `callbot mock` still passes other arguments on', async () => {
    const help = await runInProcess(['mock', 'tail', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: callbot mock tail \[options\]/);
    for (const words of ['--base-url <url>', '--json', 'Exit codes:', 'retrying']) expect(help.stdout).toContain(words);
    const passed = await runCli(['mock', '--help']);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/^Usage: callbot-mock /);
  });
});
