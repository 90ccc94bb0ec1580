import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PostgresServer, startPostgresServer } from 'callbot-test-kit/postgres-server';
import { type RedisServer, startRedisServer } from 'callbot-test-kit/redis-server';
import { fromRoot } from 'callbot-test-kit/paths';
import { freePort } from 'callbot-test-kit/store-servers';
import { replayTableDdl } from 'callbot-contract';
import { callbackTableDdl } from '../src/listen/postgres-sink.js';
import { VERB_EXIT } from '../src/shared/exit.js';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callPayload as payload, deliver } from './support/crash-run.js';
import { freshDir } from './support/run-cli.js';
import { type RunningVerb, runInProcess, runningInProcess, stopAll } from './support/run-in-process.js';

// `callbot listen` on shared stores, against Debian's redis-server and PostgreSQL started on free
// loopback ports (callbot-test-kit): two listeners (in-process, one folder, each its own --out)
// take the same signed callbacks, concurrently and one after the other, and handle each requestID
// once between them; a store that cannot be reached at start is exit 1 naming the flag (and never
// its password); a store that goes away while listening gets the vendor a 503.

const running = new Set<RunningVerb>();
afterEach(() => stopAll(running));

async function listener(dir: string, args: string[]) {
  const live = runningInProcess(running, ['listen', '--port', '0', ...args], { cwd: dir });
  await live.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return { live, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())![1]! };
}

const idsIn = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { requestID: string }).requestID);
  } catch {
    return [];
  }
};

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('callbot listen --dedupe redis://', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 60_000);
  afterAll(() => redis?.stop());

  it('two listeners, each its own file, handle each requestID once between them: delivered to both at once, then one after the other', async () => {
    const dir = freshDir();
    const a = await listener(dir, ['--out', 'a.jsonl', '--dedupe', `${redis.url}/1`]);
    const b = await listener(dir, ['--out', 'b.jsonl', '--dedupe', `${redis.url}/1`]);
    expect(a.live.stderr()).toContain(`requestIDs shared through ${redis.url}/1`);

    const together = ids('both', 40);
    const answers = await Promise.all(together.map((id) => Promise.all([deliver(a.url, id), deliver(b.url, id)])));
    for (const pair of answers) {
      // One handled it; the other was told so (200 "already handled") or that it was being handled (409).
      expect(
        pair.filter((x) => x.retMsg === 'success'),
        JSON.stringify(pair),
      ).toHaveLength(1);
      expect(
        pair.every((x) => x.status === 200 || x.status === 409),
        JSON.stringify(pair),
      ).toBe(true);
    }
    for (const id of ids('seq', 10)) {
      expect(await deliver(a.url, id)).toEqual({ status: 200, retMsg: 'success' });
      expect(await deliver(b.url, id)).toEqual({ status: 200, retMsg: 'success (already handled)' });
    }
    const written = [...idsIn(join(dir, 'a.jsonl')), ...idsIn(join(dir, 'b.jsonl'))];
    expect(written.sort()).toEqual([...together, ...ids('seq', 10)].sort());
    expect(idsIn(join(dir, 'a.jsonl')).length).toBeGreaterThan(0);
  }, 60_000);

  it('Redis gone while listening: the vendor gets 503 (nothing written), one line on stderr; back again: the callback is taken', async () => {
    const own = await startRedisServer();
    const dir = freshDir();
    const a = await listener(dir, ['--out', 'a.jsonl', '--dedupe', own.url]);
    expect((await deliver(a.url, 'before')).status).toBe(200);
    await own.stop();
    expect(await deliver(a.url, 'during')).toMatchObject({ status: 503 });
    expect(await deliver(a.url, 'during')).toMatchObject({ status: 503 });
    expect(a.live.stderr().match(/the replay store \(redis:\/\/127\.0\.0\.1:\d+\) failed at claim: .*answered 503/g), a.live.stderr()).toHaveLength(1);
    expect(idsIn(join(dir, 'a.jsonl'))).toEqual(['before']);
    const again = await startRedisServer({ port: own.port });
    try {
      let answer = await deliver(a.url, 'during');
      for (let i = 0; i < 100 && answer.status === 503; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await deliver(a.url, 'during');
      }
      expect(answer).toEqual({ status: 200, retMsg: 'success' });
      expect(idsIn(join(dir, 'a.jsonl'))).toEqual(['before', 'during']);
    } finally {
      await again.stop();
    }
  }, 60_000);
});

describe('callbot listen: stores that cannot be used at start', () => {
  it('exit 1 naming the flag, the password never shown: unreachable Redis and PostgreSQL, URLs of the wrong kind, a bad table name', async () => {
    const closed = await freePort();
    const dir = freshDir();
    const cases: [string[], string][] = [
      [['--out', 'a.jsonl', '--dedupe', `redis://:s3cr3t-pw@127.0.0.1:${closed}`], `--dedupe: cannot use redis://:***@127.0.0.1:${closed}`],
      [['--out', `postgres://app:s3cr3t-pw@127.0.0.1:${closed}/db`], `--out: cannot use postgres://app:***@127.0.0.1:${closed}/db`],
      [['--out', 'a.jsonl', '--dedupe', 'http://:s3cr3t-pw@example.test/'], '--dedupe: http://:***@example.test/ is not a Redis URL'],
      [['--out', 'a.jsonl', '--dedupe', 'redis:// s3cr3t-pw'], '--dedupe: not a URL'],
      [['--out', `postgres://app@127.0.0.1:${closed}/db?table=Bad-Name`], '--out: table "Bad-Name" is not a lowercase SQL identifier'],
      [['--out', `postgres://app@127.0.0.1:${closed}/db`, '--csv'], '--csv: applies to a file'],
    ];
    for (const [args, message] of cases) {
      const run = await runInProcess(['listen', '--port', '0', ...args], { cwd: dir });
      expect(run.code, args.join(' ')).toBe(VERB_EXIT.usage);
      expect(run.stderr, args.join(' ')).toContain(`callbot listen: ${message}`);
      expect(run.stderr + run.stdout, args.join(' ')).not.toContain('s3cr3t-pw');
    }
  }, 60_000);
});

describe('callbot listen --out postgres://', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgresServer();
    pool = new pg.Pool(server.connection);
    pool.on('error', () => {}); // a test suspends the server under it
  }, 120_000);
  afterAll(async () => {
    await pool?.end().catch(() => {});
    await server?.stop();
  });
  it("the README's DDL is what a listener runs (the callbacks' table and its replay table)", () => {
    const readme = readFileSync(fromRoot('packages', 'cli', 'README.md'), 'utf8');
    const ddl = [callbackTableDdl('callbot_callbacks'), ...replayTableDdl('callbot_callbacks_replay')].map((statement) => `${statement};\n`).join('');
    expect(readme).toContain(`\`\`\`sql\n${ddl}\`\`\``);
  });

  const url = (table: string) => `postgres://postgres@127.0.0.1:${server.port}/postgres?table=${table}`;

  it('two listeners write one table: one row per requestID, the CSV columns and the payload; its replay table in the same database', async () => {
    const dir = freshDir();
    const a = await listener(dir, ['--out', url('shared_calls')]);
    const b = await listener(dir, ['--out', url('shared_calls')]);
    expect(a.live.stderr()).toContain(`writing rows to postgres://postgres@127.0.0.1:${server.port}/postgres?table=shared_calls (table shared_calls)`);
    expect(a.live.stderr()).toContain('requestIDs shared through table shared_calls_replay of the same database');

    const together = ids('pg-both', 30);
    const answers = await Promise.all(together.map((id) => Promise.all([deliver(a.url, id), deliver(b.url, id)])));
    for (const pair of answers)
      expect(
        pair.filter((x) => x.retMsg === 'success'),
        JSON.stringify(pair),
      ).toHaveLength(1);
    for (const id of ids('pg-seq', 5)) {
      expect(await deliver(b.url, id)).toEqual({ status: 200, retMsg: 'success' });
      expect(await deliver(a.url, id)).toEqual({ status: 200, retMsg: 'success (already handled)' });
    }
    const { rows } = await pool.query('SELECT request_id, count(*)::int AS n FROM shared_calls GROUP BY request_id ORDER BY request_id');
    expect(rows).toEqual([...together, ...ids('pg-seq', 5)].sort().map((id) => ({ request_id: id, n: 1 })));
    const one = await pool.query(
      "SELECT kind, order_id, call_status, call_start, user_phone, payload, received_at FROM shared_calls WHERE request_id = 'pg-seq-0'",
    );
    expect(one.rows[0]).toMatchObject({
      kind: 'call',
      order_id: 'o-pg-seq-0',
      call_status: '1',
      call_start: '2026-09-21T14:13:20Z',
      user_phone: '8615612345678',
    });
    expect(one.rows[0].payload).toEqual(payload('o-pg-seq-0'));
    expect(one.rows[0].received_at).toBeInstanceOf(Date);
    const replay = await pool.query("SELECT count(*)::int AS n FROM shared_calls_replay WHERE request_id LIKE 'pg-%'");
    expect(replay.rows[0].n).toBe(35);
  }, 60_000);

  it('with --dedupe redis:// the requestIDs are in Redis; a row already in the table is not written twice (a listener with its own memory)', async () => {
    const redis = await startRedisServer();
    try {
      const dir = freshDir();
      const a = await listener(dir, ['--out', url('calls_r'), '--dedupe', redis.url]);
      expect(a.live.stderr()).toContain(`requestIDs shared through ${redis.url}`);
      expect(await deliver(a.url, 'r-1')).toEqual({ status: 200, retMsg: 'success' });
      // Another listener whose store forgot r-1 (an empty Redis): the table's key keeps it one row.
      const other = await startRedisServer();
      try {
        const b = await listener(dir, ['--out', url('calls_r'), '--dedupe', other.url]);
        expect(await deliver(b.url, 'r-1')).toEqual({ status: 200, retMsg: 'success' });
        expect(b.live.stderr()).not.toContain('calls_r_replay');
      } finally {
        await stopAll(running);
        await other.stop();
      }
      expect((await pool.query('SELECT count(*)::int AS n FROM calls_r')).rows[0].n).toBe(1);
      expect((await pool.query("SELECT to_regclass('calls_r_replay') AS t")).rows[0].t).toBeNull();
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('with --dedupe redis://, PostgreSQL gone while listening: the vendor gets 500 (nothing written, the requestID forgotten in Redis), one line; back again: taken', async () => {
    const redis = await startRedisServer();
    try {
      const dir = freshDir();
      const a = await listener(dir, ['--out', url('calls_rows'), '--dedupe', redis.url]);
      expect((await deliver(a.url, 'w-1')).status).toBe(200);
      await server.suspend();
      try {
        expect(await deliver(a.url, 'w-2')).toMatchObject({ status: 500 });
        expect(await deliver(a.url, 'w-2')).toMatchObject({ status: 500 });
      } finally {
        await server.resume();
      }
      expect(a.live.stderr().match(/cannot write a row to postgres:\/\/\S+ \(table calls_rows\): .*answered 500/g), a.live.stderr()).toHaveLength(1);
      let answer = await deliver(a.url, 'w-2');
      for (let i = 0; i < 100 && answer.status === 500; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await deliver(a.url, 'w-2');
      }
      expect(answer).toEqual({ status: 200, retMsg: 'success' });
      const { rows } = await pool.query('SELECT request_id FROM calls_rows ORDER BY request_id');
      expect(rows).toEqual([{ request_id: 'w-1' }, { request_id: 'w-2' }]);
    } finally {
      await stopAll(running);
      await redis.stop();
    }
  }, 60_000);

  it('PostgreSQL gone while listening: the vendor gets 503 (nothing written), one line on stderr; back again: the callback is taken', async () => {
    const dir = freshDir();
    const a = await listener(dir, ['--out', url('calls_down')]);
    expect((await deliver(a.url, 'd-1')).status).toBe(200);
    await server.suspend();
    try {
      expect(await deliver(a.url, 'd-2')).toMatchObject({ status: 503 });
      expect(await deliver(a.url, 'd-2')).toMatchObject({ status: 503 });
    } finally {
      await server.resume();
    }
    expect(
      a.live.stderr().match(/the replay store \(table calls_down_replay of the same database\) failed at claim: .*answered 503/g),
      a.live.stderr(),
    ).toHaveLength(1);
    let answer = await deliver(a.url, 'd-2');
    for (let i = 0; i < 100 && answer.status === 503; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await deliver(a.url, 'd-2');
    }
    expect(answer).toEqual({ status: 200, retMsg: 'success' });
    const { rows } = await pool.query('SELECT request_id FROM calls_down ORDER BY request_id');
    expect(rows).toEqual([{ request_id: 'd-1' }, { request_id: 'd-2' }]);
    a.live.stop('SIGINT');
    expect((await a.live.done).code).toBe(0);
  }, 60_000);
});
