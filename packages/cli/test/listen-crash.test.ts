import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PostgresServer, startPostgresServer } from 'callbot-test-kit/postgres-server';
import { type RedisServer, startRedisServer } from 'callbot-test-kit/redis-server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrashRunResult, crashRun, deliver, occurrences } from './support/crash-run.js';
import { freshDir, spawnCli } from './support/run-cli.js';

// Issue 20's done-when for `callbot listen`, at a test's size: three listener processes sharing
// a store, each of N signed callbacks delivered three times at once to different listeners, one
// listener killed with SIGKILL mid-run and started again. Every requestID delivered is written
// exactly once between them. (bench/listen-crash.ts runs the 10,000.)

const N = 300;
/** The listeners' claims hold this long when one dies mid-callback (the default 30 s would slow the run). */
const LEASE = ['--lease-ms', '3000'];

const idsInFile = (file: string): string[] =>
  (readFileSync(file, { encoding: 'utf8', flag: 'a+' }) as string)
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { requestID: string }).requestID);

function expectEachOnce(run: CrashRunResult, written: string[]) {
  expect(run.undelivered, JSON.stringify(run.answers)).toEqual([]);
  expect(run.killedAtMs).toBeGreaterThan(0);
  expect(run.restartedAtMs).toBeGreaterThan(run.killedAtMs);
  const counted = occurrences(written);
  const twice = [...counted].filter(([, k]) => k > 1);
  expect(twice, `written more than once; answers ${JSON.stringify(run.answers)}`).toEqual([]);
  expect([...counted.keys()].sort()).toEqual([...run.ids].sort());
}

describe('three `callbot listen` processes, one killed with SIGKILL mid-run and started again', () => {
  let redis: RedisServer;
  let server: PostgresServer;
  let client: pg.Client;
  beforeAll(async () => {
    [redis, server] = await Promise.all([startRedisServer(), startPostgresServer()]);
    client = new pg.Client(server.connection);
    await client.connect();
  }, 120_000);
  afterAll(async () => {
    await client?.end().catch(() => {});
    await Promise.all([redis?.stop(), server?.stop()]);
  });

  it(`--dedupe redis://, each its own --out file: each of ${N} requestIDs delivered 3 times is in exactly one file`, async () => {
    const dir = freshDir();
    const run = await crashRun({ n: N, dir, prefix: 'r', args: (i) => ['--out', `out-${i}.jsonl`, '--dedupe', `${redis.url}/2`, ...LEASE] });
    const written = [0, 1, 2].flatMap((i) => idsInFile(join(dir, `out-${i}.jsonl`)));
    expectEachOnce(run, written);
    expect(run.answers['no connection'], 'the kill cut deliveries off').toBeGreaterThan(0);
  }, 180_000);

  it(`--out postgres:// (one table, requestIDs in its replay table): each of ${N} requestIDs is one row`, async () => {
    const dir = freshDir();
    const table = `postgres://postgres@127.0.0.1:${server.port}/postgres?table=crash_rows`;
    const run = await crashRun({ n: N, dir, prefix: 'p', args: () => ['--out', table, ...LEASE] });
    const { rows } = await client.query<{ request_id: string }>('SELECT request_id FROM crash_rows');
    expectEachOnce(
      run,
      rows.map((row) => row.request_id),
    );
  }, 180_000);

  it('a listener killed after writing a callback but before recording it done: started again, it records it; the retry on another listener is "already handled", after the lease too', async () => {
    // Between the listener and Redis: passes everything, but holds the second command naming
    // `cut-1` (the first is its claim, the second its "done") and all after it on that connection.
    const proxy: Server = createServer((socket) => {
      const upstream = createConnection(redis.port, '127.0.0.1');
      upstream.pipe(socket);
      let named = 0;
      let holding = false;
      socket.on('data', (chunk: Buffer) => {
        if (chunk.includes('cut-1') && ++named === 2) holding = true;
        if (!holding) upstream.write(chunk);
      });
      socket.on('error', () => upstream.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;
    const dir = freshDir();
    const start = async (out: string, port: number) => {
      const live = spawnCli(['listen', '--port', '0', '--out', out, '--dedupe', `redis://127.0.0.1:${port}/3`, '--lease-ms', '1000'], { cwd: dir });
      await live.waitForStderr(/listening on http/);
      return { live, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())![1]! };
    };
    try {
      const [a, b] = await Promise.all([start('a.jsonl', proxyPort), start('b.jsonl', redis.port)]);
      const cut = deliver(a.url, 'cut-1').catch(() => 'no answer');
      for (let i = 0; i < 200 && !idsInFile(join(dir, 'a.jsonl')).includes('cut-1'); i += 1) await sleep(25);
      expect(idsInFile(join(dir, 'a.jsonl'))).toEqual(['cut-1']);
      a.live.child.kill('SIGKILL');
      expect(await cut).toBe('no answer');
      const again = await start('a.jsonl', redis.port);
      await sleep(1500); // the dead claim's lease has run out
      expect(await deliver(b.url, 'cut-1')).toEqual({ status: 200, retMsg: 'success (already handled)' });
      expect(await deliver(again.url, 'cut-1')).toEqual({ status: 200, retMsg: 'success (already handled)' });
      expect(idsInFile(join(dir, 'b.jsonl'))).toEqual([]);
      expect(idsInFile(join(dir, 'a.jsonl'))).toEqual(['cut-1']);
      for (const live of [b.live, again.live]) live.child.kill('SIGTERM');
      await Promise.all([b.live.done, again.live.done]);
    } finally {
      proxy.close();
    }
  }, 60_000);
});
