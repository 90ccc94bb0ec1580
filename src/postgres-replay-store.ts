// A replay store in the team's own PostgreSQL, through the team's own `pg` Pool or Client: this
// package depends on neither. Each requestID is one row; each step is one statement (atomic
// under concurrency: INSERT … ON CONFLICT takes the row's lock), so any number of receivers
// can share the table.
import { checkLeaseMs, newClaimToken, type ReplayStore } from './replay-store.js';

/** The one method used from `pg`'s Pool or Client (or anything with the same `query`): text and values, or a named (prepared) statement. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

export interface PostgresReplayStoreOptions {
  /** The table: a lowercase SQL identifier, optionally schema-qualified (`ops.callbot_replay`). Default `callbot_replay`. */
  table?: string;
  /** Create the table and its index (IF NOT EXISTS) before the first use. Default false: run the README's DDL yourself. */
  createTable?: boolean;
  /**
   * Send the claim and the finish (two statements per callback) as named prepared statements,
   * parsed and planned once per connection: about a third more callbacks per second. Default
   * true. Set false behind a pooler that cannot keep them (PgBouncer before 1.21 in
   * transaction mode: the store would fail, answered 503 and reported, never a duplicate).
   */
  preparedStatements?: boolean;
  /** How long a claim holds without renewal (ms, default 30,000; renewed every third of it while the handler runs). */
  leaseMs?: number;
  /** Expired rows are deleted at most this often (ms, default 60,000), by the receiver that next claims. */
  cleanupIntervalMs?: number;
  /** Rows deleted per clean-up statement (default 1,000); a clean-up runs at most 100 of them. */
  cleanupBatchSize?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The table's DDL (the README prints it for the default name). `table` must be a checked identifier. */
export function replayTableDdl(table: string): string[] {
  const bare = table.slice(table.lastIndexOf('.') + 1);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  request_id text PRIMARY KEY,
  token text,
  expires_at bigint NOT NULL,
  keep_until bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${bare}_expires_at ON ${table} (expires_at)`,
  ];
}

function checkTable(table: string): string {
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError('table must be a lowercase SQL identifier (letters, digits, _; at most 63), optionally schema.table');
  }
  return table;
}

function checkPositive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new TypeError(`${name} must be a positive integer`);
  return n;
}

/** What PostgreSQL answers to the losers of concurrent CREATE … IF NOT EXISTS of one name. */
const CREATE_RACE_CODES = new Set(['23505', '42P07', '42710']);

/**
 * A replay store shared by every receiver given the same table: each requestID reaches one
 * handler between them. Columns: `token` is the claim's random token while a handler runs
 * (NULL once done), `expires_at` the epoch ms at which the row may go (the lease's end while
 * handled, the end of the createTs window once done), `keep_until` how long a done row is kept
 * (repeats extend it). A row whose `expires_at` has passed counts as absent: a claim takes it
 * over (the receiver holding the lease died; the claim says `takeover`). Rows past both times are
 * deleted in batches, at most once per `cleanupIntervalMs` per receiver. Times come from the receivers' clocks: keep them in sync.
 * Rows hold the requestID, a time and a random token only.
 */
export function postgresReplayStore(pool: PgQueryable, options: PostgresReplayStoreOptions = {}): ReplayStore {
  const table = checkTable(options.table ?? 'callbot_replay');
  const leaseMs = checkLeaseMs(options.leaseMs);
  const cleanupIntervalMs = checkPositive('cleanupIntervalMs', options.cleanupIntervalMs, 60_000);
  const batch = checkPositive('cleanupBatchSize', options.cleanupBatchSize, 1000);
  // Named per table: one connection may serve stores of several tables (pg refuses one name for two texts).
  const prepared = options.preparedStatements !== false;
  const run = (name: string, text: string, values: unknown[]) =>
    prepared ? pool.query({ name: `callbot_replay_${table}_${name}`, text, values }) : pool.query(text, values);
  // `previous`: the row as this statement found it, to tell a takeover (a claim that ran out
  // unfinished) from a first claim. Read from the statement's snapshot: a row changed meanwhile
  // can make it say takeover where there was none (alreadyHandled is asked once more), never
  // the other way round (an expired claim is not renewed or finished by anyone).
  const claimSql = `WITH previous AS (SELECT token IS NOT NULL AND expires_at <= $5 AS expired_claim FROM ${table} WHERE request_id = $1)
INSERT INTO ${table} AS r (request_id, token, expires_at, keep_until) VALUES ($1, $2, $3, $4)
ON CONFLICT (request_id) DO UPDATE SET
  token = CASE WHEN r.expires_at <= $5 THEN excluded.token ELSE r.token END,
  expires_at = CASE WHEN r.expires_at <= $5 THEN excluded.expires_at
    WHEN r.token IS NULL THEN greatest(r.expires_at, excluded.keep_until) ELSE r.expires_at END,
  keep_until = CASE WHEN r.expires_at <= $5 THEN excluded.keep_until ELSE greatest(r.keep_until, excluded.keep_until) END
RETURNING token, coalesce((SELECT expired_claim FROM previous), false) AS takeover`;
  // An UPDATE of the claim's own row: a claim that ran out is kept until its keep_until (the
  // clean-up skips it), and once that has passed no repeat can need the done entry.
  const finishSql = `UPDATE ${table} SET token = NULL,
  expires_at = greatest(keep_until, $3), keep_until = greatest(keep_until, $3)
WHERE request_id = $1 AND token = $2`;
  const settleSql = `INSERT INTO ${table} AS r (request_id, token, expires_at, keep_until) VALUES ($1, NULL, $2, $2)
ON CONFLICT (request_id) DO UPDATE SET token = NULL,
  expires_at = greatest(r.expires_at, r.keep_until, excluded.keep_until), keep_until = greatest(r.keep_until, excluded.keep_until)`;
  const forgetSql = `DELETE FROM ${table} WHERE request_id = $1 AND token = $2`;
  const renewSql = `UPDATE ${table} SET expires_at = $3 WHERE request_id = $1 AND token = $2`;
  // The outer condition is checked again on a row claimed meanwhile, so a fresh claim is never
  // deleted. A claim that ran out stays until its keep_until: a takeover is told by it.
  const cleanupSql = `DELETE FROM ${table} WHERE request_id IN
  (SELECT request_id FROM ${table} WHERE expires_at <= $1 AND keep_until <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
  AND expires_at <= $1 AND keep_until <= $1`;

  let ready: Promise<void> | undefined;
  const prepare = (): Promise<void> => {
    if (!options.createTable) return Promise.resolve();
    ready ??= (async () => {
      for (const statement of replayTableDdl(table)) {
        // Receivers starting together race on IF NOT EXISTS: PostgreSQL refuses all but one
        // with a unique violation in its catalogue (23505) or "already exists" (42P07 a
        // relation, 42710 its row type); run again, the statement sees the winner's table.
        for (let attempt = 0; ; attempt += 1) {
          try {
            await pool.query(statement);
            break;
          } catch (error) {
            const code = (error as { code?: unknown }).code;
            if (attempt >= 2 || !CREATE_RACE_CODES.has(code as string)) throw error;
          }
        }
      }
    })().catch((error: unknown) => {
      ready = undefined; // tried again on the next claim
      throw error;
    });
    return ready;
  };

  let lastCleanup = Number.NEGATIVE_INFINITY;
  let cleaning = false;
  const cleanup = async (now: number) => {
    try {
      for (let i = 0; i < 100; i += 1) {
        const { rows } = await pool.query(`${cleanupSql} RETURNING 1`, [now, batch]);
        if (rows.length < batch) break;
      }
    } catch {
      // A failed clean-up only leaves expired rows (absent to claims) for the next one.
    } finally {
      cleaning = false;
    }
  };

  return {
    async claim({ requestID, keepUntil, now }) {
      await prepare();
      const token = newClaimToken();
      const { rows } = await run('claim', claimSql, [requestID, token, now + leaseMs, keepUntil, now]);
      if (!cleaning && now - lastCleanup >= cleanupIntervalMs) {
        cleaning = true;
        lastCleanup = now;
        void cleanup(now);
      }
      const row = rows[0] as { token: string | null; takeover: boolean } | undefined;
      const held = row?.token;
      if (held === token) return { state: 'claimed', token, renewEveryMs: Math.floor(leaseMs / 3), takeover: row?.takeover === true };
      return held === null ? { state: 'done' } : { state: 'handling' };
    },
    async renew({ requestID, token, now }) {
      await pool.query(renewSql, [requestID, token, now + leaseMs]);
    },
    async finish({ requestID, token, ok, keepUntil }) {
      if (ok) await run('finish', finishSql, [requestID, token, keepUntil]);
      else await pool.query(forgetSql, [requestID, token]);
    },
    async settle({ requestID, keepUntil }) {
      await prepare();
      await pool.query(settleSql, [requestID, keepUntil]);
    },
  };
}
