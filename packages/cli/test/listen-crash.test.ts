import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PostgresServer, startPostgresServer } from 'callbot-test-kit/postgres-server';
import { type RedisServer, startRedisServer } from 'callbot-test-kit/redis-server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrashRunResult, crashRun, occurrences } from './support/crash-run.js';
import { freshDir } from './support/run-cli.js';

// Issue 20's done-when for `callbot listen`, at a test's size: three listener processes sharing
// a store, each of N signed callbacks delivered three times at once to different listeners, one
// listener killed with SIGKILL mid-run and started again. Every requestID delivered is written
// exactly once between them. (bench/listen-crash.ts runs the 10,000.)

const N = 300;
/** The listeners' claims hold this long when one dies mid-callback (the default 30 s would slow the run). */
const LEASE = ['--lease-ms', '1500'];

const idsInFile = (file: string): string[] =>
  readFileSync(file, 'utf8')
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
});
