import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallbackHandlerOptions,
  createCallbackHandler,
  memoryReplayStore,
  postgresReplayStore,
  type ReplayStore,
  type ReplayStoreErrorReport,
  redisReplayStore,
  replayTableDdl,
} from '../../src/index.js';
import { fromRoot } from 'callbot-test-kit/paths';
import { type PostgresServer, startPostgresServer } from 'callbot-test-kit/postgres-server';
import { type RedisServer, startRedisServer } from 'callbot-test-kit/redis-server';
import { findBinary, freePort, missing } from 'callbot-test-kit/store-servers';

// Issue 20, items 1, 2 and 4: one behavioural suite for every replay store — memory, Redis
// (node-redis 5 and 4, ioredis) and PostgreSQL (Pool and Client) — against real servers
// (Debian's redis-server and postgresql, started here on free loopback ports). Receivers are
// createCallbackHandler instances sharing one store, as replicas behind a load balancer would.

const account = { uuid: 'acct-replay', secretKey: 'REPLAY-SECRET-0123456789' };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const body = JSON.stringify(spec.components.examples.OrderFinished.value);
const second = () => Math.floor(Date.now() / 1000);

function signed(requestID: string, createTs = second()): Request {
  const ts = String(createTs);
  const base = `${account.secretKey}&body=${body}&createTs=${ts}&requestID=${requestID}&uuid=${account.uuid}`;
  const sign = createHash('md5').update(base, 'utf8').digest('hex').toUpperCase();
  return new Request('http://127.0.0.1/order', { method: 'POST', headers: { requestID, uuid: account.uuid, createTs: ts, sign }, body });
}

/** A receiver on `store` counting its handler's calls per requestID into `calls` (shared by the receivers of a test). */
function receiver(store: ReplayStore, calls: Map<string, number>, handler?: () => Promise<void> | void, extra: Partial<CallbackHandlerOptions> = {}) {
  const handle = createCallbackHandler({
    ...account,
    replayStore: store,
    ...extra,
    onOrderFinished: async (_payload, { requestID }) => {
      calls.set(requestID, (calls.get(requestID) ?? 0) + 1);
      await handler?.();
    },
  });
  return (requestID: string, createTs?: number) => handle(signed(requestID, createTs));
}

const id = (label: string) => `${label}-${randomUUID()}`;

/** One shared store per backend; `make` gives a store over the same server with other options. */
interface Backend {
  name: string;
  lease: boolean;
  make(options?: { leaseMs?: number }): ReplayStore;
}

let redis: RedisServer;
let postgres: PostgresServer;
const closers: (() => Promise<unknown>)[] = [];
const backends: Backend[] = [];

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
  const node5 = createClient({ url: redis.url });
  const node4 = createClient4({ url: redis.url });
  const io = new IORedis(redis.url);
  await Promise.all([node5.connect(), node4.connect()]);
  const pool = new pg.Pool({ ...postgres.connection, max: 4 });
  const client = new pg.Client(postgres.connection);
  await client.connect();
  closers.push(
    () => node5.quit(),
    () => node4.quit(),
    async () => io.quit(),
    () => pool.end(),
    () => client.end(),
  );
  const memory = memoryReplayStore();
  backends.push(
    { name: 'memory', lease: false, make: () => memory },
    { name: 'Redis, node-redis 5', lease: true, make: (o) => redisReplayStore(node5, o) },
    { name: 'Redis, node-redis 4', lease: true, make: (o) => redisReplayStore(node4, o) },
    { name: 'Redis, ioredis', lease: true, make: (o) => redisReplayStore(io, o) },
    { name: 'PostgreSQL, pg Pool', lease: true, make: (o) => postgresReplayStore(pool, { createTable: true, ...o }) },
    { name: 'PostgreSQL, pg Client', lease: true, make: (o) => postgresReplayStore(client, { createTable: true, ...o }) },
  );
});

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

const NAMES = ['memory', 'Redis, node-redis 5', 'Redis, node-redis 4', 'Redis, ioredis', 'PostgreSQL, pg Pool', 'PostgreSQL, pg Client'];
const backend = (name: string) => backends.find((b) => b.name === name)!;

// Each backend's tests run concurrently (unique requestIDs, their own receivers; mostly waiting),
// but those with second-boundary timing, and the lease suites, one at a time.
describe.concurrent.each(NAMES)('replay store: %s', (name) => {
  it('two receivers sharing it: concurrent deliveries of one requestID reach one handler; the others get 409, later ones 200 "already handled"', async () => {
    const store = backend(name).make();
    const calls = new Map<string, number>();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const [a, b] = [receiver(store, calls, () => gate), receiver(store, calls, () => gate)];
    const requestID = id('once');
    const first = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b)(requestID));
    // The nine that lose the claim are answered 409 while the winner's handler still waits.
    const settled: number[] = [];
    for (const answer of first) void answer.then((r) => settled.push(r.status));
    for (let i = 0; i < 100 && settled.length < 9; i += 1) await sleep(20);
    expect(settled).toEqual(Array(9).fill(409));
    expect(calls.get(requestID)).toBe(1);
    release();
    expect((await Promise.all(first)).filter((r) => r.status === 200)).toHaveLength(1);
    for (const deliver of [a, b]) {
      const again = await deliver(requestID);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ retCode: 0, retMsg: 'success (already handled)' });
    }
    expect(calls.get(requestID)).toBe(1);
  });

  it("a handler that fails is forgotten: the vendor's retry, on the other receiver, is handled", async () => {
    const store = backend(name).make();
    const calls = new Map<string, number>();
    const a = receiver(store, calls, () => {
      throw new Error('downstream is down');
    });
    const b = receiver(store, calls);
    const requestID = id('flaky');
    expect((await a(requestID)).status).toBe(500);
    const retry = await b(requestID);
    expect(await retry.json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(calls.get(requestID)).toBe(2);
    expect((await a(requestID)).status).toBe(200); // and now done, for both
    expect(calls.get(requestID)).toBe(2);
  });

  // Second-boundary timing (a 1 s tolerance): run alone, not beside the concurrent tests.
  it.sequential('a done entry lasts as long as its createTs window, then a new delivery is handled', async () => {
    const store = backend(name).make();
    const calls = new Map<string, number>();
    const deliver = receiver(store, calls, undefined, { toleranceSeconds: 1 });
    const requestID = id('window');
    const createTs = second();
    expect((await deliver(requestID, createTs)).status).toBe(200);
    // (No repeat meanwhile: a repeat extends the entry, which would hide an entry kept forever.)
    // Done until the end of (the second it finished + 1 s): a delivery created after that is new.
    const finished = second();
    await sleep((finished + 2) * 1000 + 100 - Date.now());
    const late = await deliver(requestID);
    expect(await late.json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(calls.get(requestID)).toBe(2);
  });

  it.sequential("a repeat with a later createTs extends a done entry to that delivery's window", async () => {
    const store = backend(name).make();
    const calls = new Map<string, number>();
    const deliver = receiver(store, calls, undefined, { toleranceSeconds: 1 });
    const requestID = id('extend');
    await sleep(1000 - (Date.now() % 1000) + 20); // at the start of a second s0
    const s0 = second();
    expect((await deliver(requestID, s0)).status).toBe(200); // done until (s0 + 2) s
    await sleep((s0 + 1) * 1000 + 100 - Date.now());
    expect(await (await deliver(requestID, s0 + 1)).json()).toMatchObject({ retMsg: 'success (already handled)' }); // now until (s0 + 3) s
    await sleep((s0 + 2) * 1000 + 200 - Date.now());
    // A replay of the retry still passes the createTs check: it must still be recognised.
    expect(await (await deliver(requestID, s0 + 1)).json()).toMatchObject({ retMsg: 'success (already handled)' });
    expect(calls.get(requestID)).toBe(1);
  });

  it('a repeat of a payload refused after the claim is not remembered: the claim is given back', async () => {
    const store = backend(name).make();
    const calls = new Map<string, number>();
    const strict = createCallbackHandler({ ...account, replayStore: store, strict: true, onOrderFinished: () => {} });
    const requestID = id('refused');
    const broken = JSON.stringify({ callbackType: '2', finish: 'not a boolean' });
    const ts = String(second());
    const sign = createHash('md5')
      .update(`${account.secretKey}&body=${broken}&createTs=${ts}&requestID=${requestID}&uuid=${account.uuid}`)
      .digest('hex')
      .toUpperCase();
    const refused = await strict(new Request('http://x/', { method: 'POST', headers: { requestID, uuid: account.uuid, createTs: ts, sign }, body: broken }));
    expect(refused.status).toBe(400);
    expect(await receiver(store, calls)(requestID).then((r) => r.json())).toEqual({ retCode: 0, retMsg: 'success' });
  });
});

// Leases of a few hundred ms: one test at a time (their margins are timing).
describe.each(NAMES.filter((n) => n !== 'memory'))('replay store leases: %s', (name) => {
  it('a claim whose receiver died runs out with its lease: another receiver handles the retry, and the dead one cannot undo it', async () => {
    const store = backend(name).make({ leaseMs: 300 });
    const calls = new Map<string, number>();
    const requestID = id('crash');
    const now = Date.now();
    // A receiver claims it and dies (its handler never finishes, nothing renews the lease).
    const dead = await store.claim({ requestID, keepUntil: (second() + 301) * 1000, now });
    expect(dead.state).toBe('claimed');
    const other = receiver(store, calls);
    expect((await other(requestID)).status).toBe(409); // still within the lease
    await sleep(400);
    expect(await (await other(requestID)).json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(calls.get(requestID)).toBe(1);
    // The dead receiver's late "failed" cannot forget the other's done entry.
    if (dead.state === 'claimed') await store.finish({ requestID, token: dead.token, ok: false, keepUntil: 0, now: Date.now() });
    expect(await (await other(requestID)).json()).toMatchObject({ retMsg: 'success (already handled)' });
    expect(calls.get(requestID)).toBe(1);
  });

  it('tells a takeover: a claim after a dead claim ran out says so; a first claim, a repeat and a claim after a failed handler do not', async () => {
    const store = backend(name).make({ leaseMs: 400 });
    const keepUntil = (second() + 301) * 1000;
    const requestID = id('takeover');
    const first = await store.claim({ requestID, keepUntil, now: Date.now() });
    expect(first).toMatchObject({ state: 'claimed', takeover: false });
    expect((await store.claim({ requestID, keepUntil, now: Date.now() })).state).toBe('handling');
    await sleep(500); // its receiver died: nothing renews, nothing finishes
    const retry = await store.claim({ requestID, keepUntil, now: Date.now() });
    expect(retry).toMatchObject({ state: 'claimed', takeover: true });
    // That claim's handler fails: forgotten, so the vendor's retry is a first claim again.
    if (retry.state === 'claimed') await store.finish({ requestID, token: retry.token, ok: false, keepUntil, now: Date.now() });
    const third = await store.claim({ requestID, keepUntil, now: Date.now() });
    expect(third).toMatchObject({ state: 'claimed', takeover: false });
    // A renewed claim is not taken over.
    if (third.state === 'claimed') {
      await sleep(200);
      await store.renew?.({ requestID, token: third.token, now: Date.now() });
      await sleep(200);
      expect((await store.claim({ requestID, keepUntil, now: Date.now() })).state).toBe('handling');
    }
  });

  it('on a takeover the receiver asks alreadyHandled: true → 200 "already handled" without the handler; false → the handler runs; a throw → 503', async () => {
    const store = backend(name).make({ leaseMs: 200 });
    const calls = new Map<string, number>();
    const asked: string[] = [];
    let answer: boolean | Error = true;
    const alreadyHandled = (requestID: string) => {
      asked.push(requestID);
      if (answer instanceof Error) throw answer;
      return answer;
    };
    const other = receiver(store, calls, undefined, { alreadyHandled });
    const keepUntil = (second() + 301) * 1000;
    const dies = async (requestID: string) => {
      expect((await store.claim({ requestID, keepUntil, now: Date.now() })).state).toBe('claimed');
      await sleep(300);
    };
    // A first delivery is not a takeover: not asked.
    const fresh = id('fresh');
    expect((await other(fresh)).status).toBe(200);
    expect(asked).toEqual([]);
    // The dead receiver's side effect was done: recorded, the handler not called, repeats done.
    const done = id('done');
    await dies(done);
    expect(await (await other(done)).json()).toEqual({ retCode: 0, retMsg: 'success (already handled)' });
    expect(await (await other(done)).json()).toEqual({ retCode: 0, retMsg: 'success (already handled)' });
    expect([asked, calls.get(done)]).toEqual([[done], undefined]);
    // Not done: the handler runs.
    answer = false;
    const notDone = id('not-done');
    await dies(notDone);
    expect((await other(notDone)).status).toBe(200);
    expect(calls.get(notDone)).toBe(1);
    // alreadyHandled fails: 503, nothing handled; asked again once the lease has run out.
    answer = new Error('database down');
    const unknown = id('unknown');
    await dies(unknown);
    const refused = await other(unknown);
    expect([refused.status, (await refused.json()).retCode]).toEqual([503, 7]);
    expect(calls.get(unknown)).toBeUndefined();
    expect((await other(unknown)).status).toBe(409); // the 503's claim holds its lease
    await sleep(300);
    answer = false;
    expect((await other(unknown)).status).toBe(200);
    expect(calls.get(unknown)).toBe(1);
    expect(asked.filter((r) => r === unknown)).toHaveLength(2);
  });

  it('settle: a receiver that finds a requestID in its own output after a crash records it done; no receiver handles it again, also after the lease', async () => {
    const store = backend(name).make({ leaseMs: 300 });
    const calls = new Map<string, number>();
    const requestID = id('settled');
    const keepUntil = (second() + 301) * 1000;
    // Its handler wrote the row, then the receiver died before `finish`; started again, it settles it.
    expect((await store.claim({ requestID, keepUntil, now: Date.now() })).state).toBe('claimed');
    await store.settle!({ requestID, keepUntil, now: Date.now() });
    const other = receiver(store, calls);
    expect(await (await other(requestID)).json()).toMatchObject({ retMsg: 'success (already handled)' });
    await sleep(400);
    expect(await (await other(requestID)).json()).toMatchObject({ retMsg: 'success (already handled)' });
    // Unknown or already done: recorded done too (and a done entry stays done).
    const fresh = id('settled-fresh');
    await store.settle!({ requestID: fresh, keepUntil, now: Date.now() });
    await store.settle!({ requestID: fresh, keepUntil, now: Date.now() });
    expect(await (await other(fresh)).json()).toMatchObject({ retMsg: 'success (already handled)' });
    expect(calls.size).toBe(0);
  });

  it('a handler running for several leases keeps its claim: the receiver renews it', async () => {
    // Three leases long; renewed every 200 ms, so a loaded machine's event-loop stall of up to
    // 400 ms does not let the lease run out (a 200 ms lease failed at a load average of 17).
    const store = backend(name).make({ leaseMs: 600 });
    const calls = new Map<string, number>();
    const slow = receiver(store, calls, () => sleep(2000));
    const other = receiver(store, calls);
    const requestID = id('slow');
    const first = slow(requestID);
    for (const wait of [700, 700]) {
      await sleep(wait);
      expect((await other(requestID)).status).toBe(409);
    }
    expect((await first).status).toBe(200);
    expect((await other(requestID)).status).toBe(200);
    expect(calls.get(requestID)).toBe(1);
  });
});

describe('a replay store that fails: 503, no handler call, reported once a minute', () => {
  async function expectUnavailable(store: ReplayStore) {
    const calls = new Map<string, number>();
    const reports: ReplayStoreErrorReport[] = [];
    const deliver = receiver(store, calls, undefined, { onReplayStoreError: (r) => void reports.push(r) });
    for (const requestID of [id('down'), id('down')]) {
      const answer = await deliver(requestID);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ retCode: 7 });
    }
    expect(calls.size).toBe(0);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ operation: 'claim', suppressed: 0 });
    expect(inspect(reports, { depth: 5 })).not.toContain(account.secretKey);
  }

  it('Redis stopped under connected node-redis 5 and ioredis clients (no offline queue), then started again: handled', async () => {
    const server = await startRedisServer();
    const node5 = createClient({ url: server.url, disableOfflineQueue: true });
    node5.on('error', () => {});
    const io = new IORedis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    io.on('error', () => {});
    await node5.connect();
    await io.connect();
    await server.stop();
    await sleep(100);
    let again: RedisServer | undefined;
    try {
      await expectUnavailable(redisReplayStore(node5));
      await expectUnavailable(redisReplayStore(io));
      // The clients reconnect on their own; the receiver needs nothing done to recover.
      again = await startRedisServer({ port: server.port });
      for (let i = 0; i < 100 && !(node5.isReady && io.status === 'ready'); i += 1) await sleep(50);
      for (const client of [node5, io]) {
        const calls = new Map<string, number>();
        expect(await (await receiver(redisReplayStore(client), calls)(id('back'))).json()).toEqual({ retCode: 0, retMsg: 'success' });
      }
    } finally {
      node5.destroy();
      io.disconnect();
      await again?.stop();
    }
  });

  it('PostgreSQL unreachable (a Pool) or its connection killed (a Client)', async () => {
    const pool = new pg.Pool({ ...postgres.connection, port: await freePort(), connectionTimeoutMillis: 2000 });
    await expectUnavailable(postgresReplayStore(pool));
    await pool.end();
    const client = new pg.Client(postgres.connection);
    client.on('error', () => {});
    await client.connect();
    const admin = new pg.Client(postgres.connection);
    await admin.connect();
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await admin.end();
    await sleep(100);
    await expectUnavailable(postgresReplayStore(client));
  });

  it('a store whose finish fails after a handler succeeded: 200 (a 5xx would invite the duplicate), reported', async () => {
    const calls = new Map<string, number>();
    const reports: ReplayStoreErrorReport[] = [];
    const store: ReplayStore = {
      claim: async () => ({ state: 'claimed', token: 't' }),
      finish: async () => {
        throw new Error('connection reset');
      },
    };
    const deliver = receiver(store, calls, undefined, { onReplayStoreError: (r) => void reports.push(r) });
    expect(await (await deliver('finish-fails')).json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(reports).toMatchObject([{ operation: 'finish', requestID: 'finish-fails' }]);
  });
});

describe('Redis keys', () => {
  it('a key prefix separates stores on one server; keys hold the prefix and requestID, values no secret', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const calls = new Map<string, number>();
      const requestID = id('prefixed');
      for (const keyPrefix of ['teamA:', 'teamB:']) {
        const deliver = receiver(redisReplayStore(client, { keyPrefix }), calls);
        expect((await deliver(requestID)).status).toBe(200);
      }
      expect(calls.get(requestID)).toBe(2); // each prefix is a store of its own
      expect(await client.keys(`team*${requestID}`)).toEqual(expect.arrayContaining([`teamA:${requestID}`, `teamB:${requestID}`]));
      expect(await client.get(`teamA:${requestID}`)).toBe('d');
      const ttl = await client.pTTL(`teamA:${requestID}`);
      expect(ttl).toBeGreaterThan(290_000); // done: kept for the createTs window (300 s + the second)
      expect(ttl).toBeLessThanOrEqual(302_000);
      expect(await client.exists(`callbot:replay:${requestID}`)).toBe(0); // the default prefix was not used
    } finally {
      await client.quit();
    }
  });
});

describe('PostgreSQL table', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ ...postgres.connection, max: 2 });
  });
  afterAll(() => pool.end());

  it("the README's DDL is the one createTable runs", () => {
    const readme = readFileSync(fromRoot('README.md'), 'utf8');
    const sql = /```sql\n(CREATE TABLE IF NOT EXISTS callbot_replay[\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const normal = (text: string) =>
      text
        .replace(/--.*$/gm, '')
        .replace(/\s+/g, ' ')
        .replace(/ ?([(),;]) ?/g, '$1')
        .trim();
    expect(normal(sql)).toBe(normal(`${replayTableDdl('callbot_replay').join(';\n')};`));
  });

  it('refuses a table name that is not a plain (optionally schema-qualified) lowercase identifier', () => {
    const bad = ['', 'Replay', '1replay', 'replay-table', 'a.b.c', '"replay"', 'replay; DROP TABLE x', 'r'.repeat(64), '.replay', 'replay.'];
    for (const table of bad) expect(() => postgresReplayStore(pool, { table }), table).toThrow(/lowercase SQL identifier/);
    for (const table of ['_r1', 'ops.callbot_replay', 'r'.repeat(63)]) expect(() => postgresReplayStore(pool, { table })).not.toThrow();
  });

  it('claims and finishes as named prepared statements on each connection, or as plain ones with preparedStatements: false', async () => {
    const prepared = async (preparedStatements?: boolean) => {
      const client = new pg.Client(postgres.connection);
      await client.connect();
      try {
        const store = postgresReplayStore(client, { table: 'replay_prepared', createTable: true, preparedStatements });
        const calls = new Map<string, number>();
        for (const requestID of [id('p1'), id('p2')]) expect((await receiver(store, calls)(requestID)).status).toBe(200);
        expect(calls.size).toBe(2);
        const { rows } = await client.query('SELECT name FROM pg_prepared_statements ORDER BY name');
        return rows.map((r) => r.name);
      } finally {
        await client.end();
      }
    };
    expect(await prepared()).toEqual(['callbot_replay_replay_prepared_claim', 'callbot_replay_replay_prepared_finish']);
    expect(await prepared(false)).toEqual([]);
  });

  it('creates a named (schema-qualified) table on demand; rows hold the requestID, times and a token, no secret', async () => {
    await pool.query('CREATE SCHEMA IF NOT EXISTS ops');
    const store = postgresReplayStore(pool, { table: 'ops.replay_named', createTable: true });
    const calls = new Map<string, number>();
    const requestID = id('table');
    expect((await receiver(store, calls)(requestID)).status).toBe(200);
    const { rows } = await pool.query('SELECT * FROM ops.replay_named');
    expect(rows).toEqual([{ request_id: requestID, token: null, expires_at: expect.any(String), keep_until: expect.any(String) }]);
    expect(Number(rows[0].expires_at)).toBeGreaterThan(Date.now() + 290_000);
    expect(JSON.stringify(rows)).not.toContain(account.secretKey);
    // Without createTable, a missing table is a store error: 503, nothing handled.
    const missing = receiver(postgresReplayStore(pool, { table: 'not_created' }), calls);
    expect((await missing(id('none'))).status).toBe(503);
  });

  it('receivers starting together each create the table on demand: every first claim answers (no catalogue race)', async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ ...postgres.connection, max: 1 }));
    try {
      for (const round of [1, 2, 3]) {
        const table = `together_${round}_${randomUUID().slice(0, 8)}`;
        const stores = pools.map((pool) => postgresReplayStore(pool, { table, createTable: true }));
        const claims = await Promise.all(stores.map((store, i) => store.claim({ requestID: `t-${i}`, keepUntil: Date.now() + 60_000, now: Date.now() })));
        expect(claims.map((claim) => claim.state)).toEqual(['claimed', 'claimed', 'claimed', 'claimed']);
      }
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('deletes expired rows in bounded batches, at most once per interval, and never a live one', async () => {
    const table = 'replay_cleanup';
    // This store cleans up at its first claim, then not for a minute. That first claim is dated
    // 10 s back and given up: its clean-up, however late it runs (it is not awaited), looks
    // 10 s back and can delete none of the rows below (it ran after them once, in CI).
    const store = postgresReplayStore(pool, { table, createTable: true });
    const count = async () => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    const now = Date.now();
    const warmUp = await store.claim({ requestID: 'warm-up', keepUntil: now, now: now - 10_000 });
    if (warmUp.state === 'claimed') await store.finish({ requestID: 'warm-up', token: warmUp.token, ok: false, keepUntil: now, now: now - 10_000 });
    // Five done rows already past their window, one done row inside it, one claim under a live
    // lease, one claim whose lease ran out inside its window (kept: a takeover is told by it).
    for (let i = 0; i < 5; i += 1) {
      const claim = await store.claim({ requestID: `old-${i}`, keepUntil: now - 1000, now });
      if (claim.state === 'claimed') await store.finish({ requestID: `old-${i}`, token: claim.token, ok: true, keepUntil: now - 1000, now });
    }
    const live = await store.claim({ requestID: 'live-done', keepUntil: now + 300_000, now });
    if (live.state === 'claimed') await store.finish({ requestID: 'live-done', token: live.token, ok: true, keepUntil: now + 300_000, now });
    await store.claim({ requestID: 'live-claim', keepUntil: now + 300_000, now: now + 5 });
    await postgresReplayStore(pool, { table, leaseMs: 100 }).claim({ requestID: 'dead-claim', keepUntil: now + 300_000, now: now - 60_000 });
    await sleep(200);
    expect(await count()).toBe(8); // within the interval: no clean-up
    // Another receiver's first claim cleans up, two rows per statement, until a batch comes back short.
    const other = postgresReplayStore(pool, { table, cleanupBatchSize: 2 });
    expect((await other.claim({ requestID: 'live-claim', keepUntil: now + 300_000, now: now + 10 })).state).toBe('handling');
    for (let i = 0; i < 50 && (await count()) > 3; i += 1) await sleep(50);
    const { rows } = await pool.query(`SELECT request_id FROM ${table} ORDER BY request_id`);
    expect(rows.map((r) => r.request_id)).toEqual(['dead-claim', 'live-claim', 'live-done']);
  });
});

describe('the test servers', () => {
  it('a developer without them gets one line saying how to install them (the suites fail with it, never skip)', () => {
    expect(findBinary('callbot-no-such-server', ['/nonexistent'])).toBeUndefined();
    expect(missing('redis-server').message).toBe('redis-server not found: install the test servers with `apt-get install -y redis-server postgresql`');
  });
});
