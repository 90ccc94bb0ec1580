import { type PgQueryable, postgresReplayStore, type ReplayStore, redisReplayStore } from 'callbot-contract';
import type { PgPool } from './postgres-sink.js';
import type { PostgresTarget, RedisTarget } from './store-urls.js';
import { REPLAY_TABLE_SUFFIX, shown, StoreUrlError, withoutSecret } from './store-urls.js';

// The clients of `callbot listen`'s shared stores: node-redis for `--dedupe redis://…`, pg for
// `--out postgres://…`. Each is imported here, when its flag is given: `callbot listen --help`
// and a listener writing a file load neither (test/help.test.ts).
//
// At start each connects once, with a deadline, and is checked with a first command; failing
// that is a StoreUrlError naming the flag (exit 1), its password never shown. Once started, an
// outage is the receiver's business: a command that fails (node-redis: at once, its offline
// queue off, rather than waiting for the reconnection; pg: the connection deadline) makes it
// answer 503, and the clients reconnect by themselves.

const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 10_000;

export interface StoreConnection<T> {
  value: T;
  close(): Promise<void>;
}

/** Why a connection failed, in one line: the client's code or message, any password cut out. */
export function failure(error: unknown, password: string | undefined): string {
  const e = error as { code?: string; message?: string; errors?: unknown[] };
  const inner = Array.isArray(e.errors) && e.errors.length > 0 ? (e.errors[0] as { code?: string; message?: string }) : undefined;
  const text = [e.code ?? inner?.code, e.message || inner?.message].filter(Boolean).join(': ');
  return withoutSecret(text || String(error), password);
}

/** A replay store in the Redis of `--dedupe`, shared by every listener given it. */
export async function connectRedisReplayStore(target: RedisTarget, leaseMs?: number): Promise<StoreConnection<ReplayStore>> {
  const { createClient } = await import('redis');
  let started = false;
  const client = createClient({
    url: target.url.href,
    ...(target.password ? { password: target.password } : {}),
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Not at start (a wrong URL fails at once); then again and again, at most every 2 s.
      reconnectStrategy: (retries: number, cause: Error) => (started ? Math.min(50 * 2 ** Math.min(retries, 6), 2_000) : cause),
    },
  });
  // Connection errors are also thrown by the commands, which the receiver reports (once a minute).
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    try {
      client.destroy();
    } catch {
      // never connected: nothing to close
    }
    throw new StoreUrlError(`--dedupe: cannot use ${shown(target.url)}: ${failure(error, target.password)}`);
  }
  started = true;
  return {
    value: redisReplayStore(client, leaseMs ? { leaseMs } : {}),
    async close() {
      started = false;
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}

/** A pg Pool on the database of `--out`, checked with a first query (the callback table's DDL runs next). */
export async function connectPostgres(target: PostgresTarget): Promise<StoreConnection<PgPool>> {
  const { default: pg } = await import('pg');
  // query_timeout: a server that stops answering (not one that refuses) fails the callback (503 or 500) rather than holding it.
  const pool = new pg.Pool({ ...target.connection, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, max: 10 });
  // An idle client's lost connection: the pool replaces it; the next query reports any outage.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreUrlError(`--out: cannot use ${shown(target.url)}: ${failure(error, target.connection.password)}`);
  }
  return { value: pool, close: () => pool.end() };
}

/** The replay store that goes with `--out postgres://…` unless --dedupe names another: `<table>_replay` beside the callbacks' table (created by outputs.ts). */
export function postgresTableReplayStore(pool: PgQueryable, table: string, leaseMs?: number): ReplayStore {
  return postgresReplayStore(pool, { table: `${table}${REPLAY_TABLE_SUFFIX}`, ...(leaseMs ? { leaseMs } : {}) });
}
