import type { PgQueryable } from 'callbot-contract';
import { CALLBACK_CSV_COLUMNS, type CallbackSink, callbackCells } from './records.js';

// `callbot listen --out postgres://…`: each callback a row of one table, which several listeners
// share. `request_id` is the primary key and each row is written with INSERT … ON CONFLICT DO
// NOTHING: a requestID already there (written by this listener or another, before a restart or
// not) is not written again, whatever the replay store says. The columns are the CSV output's
// (snake_case), as text holding what the CSV cells hold (times ISO 8601 UTC, `intents` and
// `deviations` as the CSV writes them; no formula guard: it is not a spreadsheet), and the raw
// payload as `payload jsonb`. Text rather than typed columns, because a verified callback is
// kept whatever its shape (a callDuration of "abc" must not make its row impossible); the typed
// values are in `payload`. The table is created on demand (IF NOT EXISTS, createTables) under a name checked
// as a plain identifier (store-urls.ts): names are the only thing put into SQL, values are parameters.

/** camelCase (requestID, userTaskID) → snake_case (request_id, user_task_id). */
const snake = (column: string) => column.replace(/ID$/, 'Id').replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

const CELL_COLUMNS = CALLBACK_CSV_COLUMNS.filter((column) => column !== 'receivedAt' && column !== 'requestID' && column !== 'kind');

/** The table's DDL (README "Several listeners"). `table` must be a checked identifier. */
export function callbackTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  request_id text PRIMARY KEY,
  received_at timestamptz NOT NULL,
  kind text NOT NULL,
${CELL_COLUMNS.map((column) => `  ${snake(column)} text,`).join('\n')}
  payload jsonb NOT NULL
)`;
}

/** What is used of a pg Pool: queries, and one connection for the DDL's transaction. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgQueryable & { release(): void }>;
}

/**
 * Runs the tables' DDL (IF NOT EXISTS) in one transaction, under an advisory lock named after
 * the table: two listeners starting together would otherwise both create it, and PostgreSQL
 * refuses the second (23505 on pg_type_typname_nsp_index, test/listen-crash.test.ts).
 */
export async function createTables(pool: PgPool, table: string, statements: readonly string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`callbot-cli:${table}`]);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A row that could not be written (at most once a minute; `suppressed`: the failures left out since the last report). */
export type RowErrorReport = (error: unknown, suppressed: number) => void;

/** The sink on a table created by createTables with callbackTableDdl. A failed write is answered 500 (the vendor retries) and reported. */
export function openPostgresSink(pool: PgQueryable, table: string, onError?: RowErrorReport, now: () => number = Date.now): CallbackSink {
  const names = ['request_id', 'received_at', 'kind', ...CELL_COLUMNS.map(snake), 'payload'];
  const insert = `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})
ON CONFLICT (request_id) DO NOTHING RETURNING 1`;
  let lastReport = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  const report = (error: unknown) => {
    const t = now();
    if (t - lastReport < 60_000) {
      suppressed += 1;
      return;
    }
    lastReport = t;
    onError?.(error, suppressed);
    suppressed = 0;
  };
  return {
    async write(record) {
      const cells = callbackCells(record);
      const values = [
        record.requestID,
        record.receivedAt,
        record.kind,
        ...CELL_COLUMNS.map((column) => (cells[column] === undefined ? null : String(cells[column]))),
        JSON.stringify(record.payload),
      ];
      try {
        const { rows } = await pool.query(insert, values);
        return rows.length > 0 ? 'written' : 'duplicate';
      } catch (error) {
        report(error);
        throw error;
      }
    },
    // The pool is the store connection's (stores.ts): it closes it.
    close: async () => {},
  };
}
