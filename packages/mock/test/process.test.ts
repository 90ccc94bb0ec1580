import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetCodes, verifySignature } from 'callbot-contract';
import { startMockProcess, type MockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { advance, demo, importBody, sendImport, tasksOf, until } from './helpers.js';

const run = promisify(execFile);

// The mock as users start it: `callbot mock` as a real process, on a free loopback port.
let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess(['--account', 'py-acct:py-secret-123:SHA256', '--no-callbacks', '--importing-ms', '0']);
});
afterAll(async () => {
  await mock?.stop();
});

describe('callbot mock (process)', () => {
  it("prints its URLs and the demo account, never another account's secret", () => {
    const out = mock.output();
    expect(out).toMatch(/Callbot mock listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain(`${mock.url}/docs/`);
    expect(out).toContain(`${mock.url}/openapi.json`);
    expect(out).toContain(`${mock.url}/openapi.yaml`);
    expect(out).toContain(`uuid=${demo.uuid} secretKey=${demo.secretKey} algorithm=${demo.algorithm}`);
    expect(out).toContain('uuid=py-acct algorithm=SHA256');
    expect(out).not.toContain('py-secret-123');
  });

  it('serves the docs site and the bundled spec', async () => {
    const docs = await fetch(`${mock.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await docs.text();
    expect(page).toContain('importBatchCall');
    expect(page).toContain('href="changes.html"');
    const changes = await fetch(new URL('changes.html', docs.url)); // the link as a browser follows it
    expect(changes.status).toBe(200);
    expect(changes.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await changes.text()).toMatch(/<h1>Contract changes since /);
    const json = await fetch(`${mock.url}/openapi.json`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const spec = await json.json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toContain('/callcentre/api/v3/importBatchCall');
    const yaml = await fetch(`${mock.url}/openapi.yaml`);
    expect(yaml.headers.get('content-type')).toMatch(/yaml/);
    expect(await yaml.text()).toMatch(/^openapi: 3\.1\.0$/m);
  });

  it('answers a signed import with a signed retCode 0, and 404s unknown paths', async () => {
    const answer = await sendImport(mock.url, importBody(3));
    expect(answer.json).toMatchObject({ retCode: 0, totalCount: 3, successCount: 3 });
    expect((await fetch(`${mock.url}/nope`)).status).toBe(404);
    expect((await fetch(`${mock.url}/callcentre/api/v3/importBatchCall`)).status).toBe(405);
  });

  it('accepts a request signed by a stdlib Python client (json.dumps spacing, header requestId)', async () => {
    for (const [uuid, secret, algorithm] of [
      [demo.uuid, demo.secretKey, 'MD5'],
      ['py-acct', 'py-secret-123', 'SHA256'],
    ] as const) {
      const { stdout } = await run('python3', [fromRoot('test', 'fixtures', 'python_client.py'), mock.url, uuid, secret, algorithm]);
      const result = JSON.parse(stdout);
      expect(result.sentText).toContain('"productID": "callbot"'); // Python's default spacing, really sent
      expect(result.sentText).toContain('\\u5f20\\u4f1f'); // 张伟, escaped by json.dumps
      expect(result.status).toBe(200);
      const body = JSON.parse(result.body);
      expect(body).toMatchObject({ retCode: 0, totalCount: 2, successCount: 2 });
      expect(result.headers.algorithm).toBe(algorithm);
      expect(
        verifySignature({
          secretKey: secret,
          algorithm,
          body: result.body,
          createTs: result.headers.createts,
          requestID: result.headers.requestid,
          uuid: result.headers.uuid,
          sign: result.headers.sign,
        }),
      ).toBe(true);
    }
  });
});

describe('callbot mock: options and stopping', () => {
  it('reads accounts and faults from --config, and stops cleanly on SIGTERM with exit code 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbot-mock-'));
    const config = join(dir, 'mock.json');
    writeFileSync(
      config,
      JSON.stringify({
        accounts: [{ uuid: 'cfg', secretKey: 'cfg-secret', algorithm: 'MD5' }],
        faults: [{ kind: 'maintenance', times: 1 }],
        callbacks: { enabled: false },
      }),
    );
    const proc = await startMockProcess(['--config', config, '--quiet']);
    try {
      expect(proc.output()).not.toContain('cfg-secret');
      const first = await sendImport(proc.url, importBody(1), { uuid: 'cfg', secretKey: 'cfg-secret' });
      expect(first.json.retCode).toBe(5);
      const second = await sendImport(proc.url, importBody(1), { uuid: 'cfg', secretKey: 'cfg-secret' });
      expect(second.json.retCode).toBe(0);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });

  it('takes the bounds from flags and --config: the world forgets past maxTasks, slow headers → 408', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbot-mock-'));
    const config = join(dir, 'bounds.json');
    writeFileSync(config, JSON.stringify({ maxTasks: 2, headersTimeoutMs: 200, callbacks: { enabled: false } }));
    const proc = await startMockProcess(['--config', config, '--request-timeout-ms', '400', '--max-connections', '50', '--importing-ms', '0']);
    try {
      for (const userTaskID of ['bound-1', 'bound-2', 'bound-3'])
        expect((await sendImport(proc.url, importBody(1, { userTaskID }))).json.retCode).toBe(RetCodes.Success.code);
      expect((await tasksOf(proc.url)).map((task) => task.userTaskID)).toEqual(['bound-2', 'bound-3']);
      const response = await new Promise<string>((resolve, reject) => {
        let data = '';
        const socket = connect(proc.port, '127.0.0.1', () => socket.write('GET /__mock/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          data += chunk;
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(data));
      });
      expect(response).toMatch(/^HTTP\/1\.1 408 /);
      expect(
        await until(() =>
          proc
            .output()
            .split('\n')
            .filter((line) => line.includes('408 request timeout')),
        ),
      ).toHaveLength(1);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });

  it('takes --speed and --seed (and the same keys from --config): the clock stands still at speed 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbot-mock-'));
    const config = join(dir, 'world.json');
    writeFileSync(config, JSON.stringify({ speed: 5, seed: 3, callbacks: { enabled: false } }));
    const proc = await startMockProcess(['--config', config, '--speed', '0', '--quiet']);
    try {
      expect(proc.output()).toMatch(/seed 3; speed 0 /);
      const first = await (await fetch(`${proc.url}/__mock/clock`)).json();
      expect(first.speed).toBe(0);
      const moved = await advance(proc.url, 60);
      expect(moved.now - first.now).toBe(60);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
    await expect(startMockProcess(['--speed', 'fast'])).rejects.toThrow(/--speed must be a number >= 0/);
  });

  it('stops cleanly on a SIGTERM sent as soon as the banner is read (the handlers are set before it is printed)', async () => {
    // Before: the banner came first, and a SIGTERM right after it mostly killed the process unclosed (exit by signal).
    for (let i = 0; i < 3; i += 1) {
      const proc = await startMockProcess(['--no-callbacks', '--quiet']);
      expect(await proc.stop()).toBe(0);
    }
  });

  it('refuses a bad config with one clear line and exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbot-mock-'));
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ maxOrderz: 5 }));
    await expect(startMockProcess(['--config', config])).rejects.toThrow(/exited with code 1[\s\S]*unknown key "maxOrderz"/);
  });

  it.each([
    [['--bogus'], "error: unknown option '--bogus'"],
    [['--port', 'x'], "error: option '-p, --port <port>' argument 'x' is invalid."],
  ])('a usage error (%j) in three lines, as callbot answers one, not the whole help (exit 1)', async (args, first) => {
    const failed = await run(process.execPath, [fromRoot('packages', 'mock', 'dist', 'bin.js'), ...args]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    const lines = failed!.stderr.trimEnd().split('\n');
    expect(lines[0]).toContain(first);
    expect(lines.slice(1)).toEqual(['Usage: callbot-mock [options]', 'See `callbot-mock --help`.']);
  });

  it('explains itself in --help', async () => {
    const { stdout } = await run(process.execPath, [fromRoot('packages', 'mock', 'dist', 'bin.js'), '--help']);
    // Defaults in commander's form, as callbot's help gives them: `(default: 4010)`.
    const options = stdout.split('\nOptions:\n')[1]!.split('\n\n')[0]!.replace(/\s+/g, ' ');
    expect(options.match(/\(default [^)]*\)/g) ?? []).toEqual([]);
    expect(options).toContain('(default: 4010)');
    for (const flag of [
      '--port',
      '--host',
      '--config',
      '--account',
      '--allow-callback-host',
      '--max-orders',
      '--importing-ms',
      '--seed',
      '--no-callbacks',
      '--quiet',
      '--max-tasks',
      '--max-stored-orders',
      '--speed',
      '/__mock/clock',
      '--max-callback-records',
      '--headers-timeout-ms',
      '--request-timeout-ms',
      '--keep-alive-timeout-ms',
      '--max-connections',
      'orderLimit',
      'x-callbot-mock-fault',
      'Examples:',
    ]) {
      expect(stdout).toContain(flag);
    }
  });
});
