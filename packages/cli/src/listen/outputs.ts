import { type ReplayStore, replayTableDdl } from 'callbot-contract';
import type { ProtectedFile } from '../shared/output-target.js';
import { type FileSink, openFileSink } from './file-sink.js';
import { callbackTableDdl, createTables, openPostgresSink } from './postgres-sink.js';
import type { CallbackSink } from './records.js';
import { isPostgresUrl, postgresTarget, REPLAY_TABLE_SUFFIX, type RedisTarget, redisTarget, StoreUrlError, shown, withoutSecret } from './store-urls.js';
import { connectPostgres, connectRedisReplayStore, failure, postgresTableReplayStore, type StoreConnection } from './stores.js';

// Where `callbot listen` writes and what it asks about repeats, from --out and --dedupe:
//   --out FILE                      the file; requestIDs in this process's memory (the default)
//   --out FILE --dedupe redis://…   the file; requestIDs in Redis, shared with other listeners
//   --out postgres://…              a table; requestIDs in `<table>_replay` of the same database
//   --out postgres://… --dedupe redis://…   a table; requestIDs in Redis
// The URLs are read before anything connects (a usage error first); what was opened is closed
// again when a later step fails.

export interface ListenOutputs {
  sink: CallbackSink;
  /** The file, when --out is one (its read-back counts, its columns). */
  file?: FileSink;
  /** --out as every message shows it (a URL's password as ***). */
  outName: string;
  /** Where the replay store is, for the start line (undefined: this process's memory). */
  replayStoreName?: string;
  replayStore?: ReplayStore;
  /** Closes the stores' clients, after the receiver has closed the sink. */
  closeStores(): Promise<void>;
  /** `text` without the stores' passwords (for the clients' errors at run time). */
  mask(text: string): string;
}

export interface OutputFlags {
  out: string;
  dedupe?: string | undefined;
  csv?: boolean | undefined;
  dedupeWindow: number;
  /** How long a claim in a shared store holds without renewal (the contract's default: 30 s). */
  leaseMs?: number | undefined;
}

/**
 * How many of the file's last requestIDs are recorded done in the shared store at start: more
 * than the callbacks one listener handles at once (LISTEN_LIMITS.maxConnections), so every one
 * that a killed listener had written but not yet recorded done is among them.
 */
export const SETTLED_AT_START = 1024;
/** The receiver's createTs tolerance (the contract's default): a settled entry is kept until no repeat can pass it. */
const TOLERANCE_MS = 301_000;

/**
 * A listener killed between appending a callback and recording it done in the shared store
 * leaves a claim that runs out with its lease; the vendor's retry would then be handled by
 * another listener and written to another file. Started again (within the lease), it records
 * the requestIDs it last wrote as done: the retry is answered "already handled" everywhere.
 */
async function settleNewest(file: FileSink, store: ReplayStore, out: string, redis: RedisTarget): Promise<void> {
  if (!store.settle) return;
  const now = Date.now();
  const keepUntil = Math.floor(now / 1000) * 1000 + TOLERANCE_MS;
  try {
    await Promise.all(file.newest(SETTLED_AT_START).map((requestID) => store.settle!({ requestID, keepUntil, now })));
  } catch (error) {
    await file.close();
    throw new StoreUrlError(`--dedupe: cannot record the last requestIDs of ${out} as handled in ${shown(redis.url)}: ${failure(error, redis.password)}`);
  }
}

export async function openOutputs(
  flags: OutputFlags,
  env: Readonly<Record<string, string | undefined>>,
  protectedFiles: readonly ProtectedFile[],
  /** A row of --out postgres:// that could not be written (at most once a minute), its message without passwords. */
  onRowError?: (reason: string, suppressed: number) => void,
): Promise<ListenOutputs> {
  const toTable = isPostgresUrl(flags.out);
  if (toTable && flags.csv) throw new StoreUrlError('--csv: applies to a file; --out postgres://… writes rows of the CSV columns');
  const table = toTable ? postgresTarget(flags.out, env) : undefined;
  const redis = flags.dedupe === undefined ? undefined : redisTarget(flags.dedupe, env);
  const mask = (text: string) => withoutSecret(withoutSecret(text, redis?.password), table?.connection.password);
  const opened: StoreConnection<unknown>[] = [];
  const closeStores = async () => {
    for (const connection of opened.splice(0).reverse()) await connection.close().catch(() => {});
  };
  try {
    let replayStore: ReplayStore | undefined;
    let replayStoreName: string | undefined;
    if (redis) {
      const connection = await connectRedisReplayStore(redis, flags.leaseMs);
      opened.push(connection);
      replayStore = connection.value;
      replayStoreName = shown(redis.url);
    }
    if (!table) {
      const file = await openFileSink({ out: flags.out, format: flags.csv ? 'csv' : 'jsonl', dedupeWindow: flags.dedupeWindow, protectedFiles });
      if (replayStore && redis) await settleNewest(file, replayStore, flags.out, redis);
      return { sink: file, file, outName: flags.out, replayStore, replayStoreName, closeStores, mask };
    }
    const connection = await connectPostgres(table);
    opened.push(connection);
    const pool = connection.value;
    const outName = `${shown(table.url)} (table ${table.table})`;
    let sink: CallbackSink;
    try {
      // Its requestIDs in `<table>_replay` beside it, unless --dedupe named a Redis.
      const replayTable = replayStore ? undefined : `${table.table}${REPLAY_TABLE_SUFFIX}`;
      await createTables(pool, table.table, [callbackTableDdl(table.table), ...(replayTable ? replayTableDdl(replayTable) : [])]);
      sink = openPostgresSink(pool, table.table, (error, suppressed) => onRowError?.(mask(failure(error, undefined)), suppressed));
      if (replayTable) {
        replayStore = postgresTableReplayStore(pool, table.table, flags.leaseMs);
        replayStoreName = `table ${replayTable} of the same database`;
      }
    } catch (error) {
      throw new StoreUrlError(`--out: cannot create or use table ${table.table} in ${shown(table.url)}: ${failure(error, table.connection.password)}`);
    }
    return { sink, outName, replayStore, replayStoreName, closeStores, mask };
  } catch (error) {
    await closeStores();
    throw error;
  }
}
