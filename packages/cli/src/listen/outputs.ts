import { type ReplayStore, replayTableDdl } from 'callbot-contract';
import type { ProtectedFile } from '../shared/output-target.js';
import { type FileSink, openFileSink } from './file-sink.js';
import { callbackTableDdl, createTables, openPostgresSink } from './postgres-sink.js';
import type { CallbackSink } from './records.js';
import { isPostgresUrl, postgresTarget, REPLAY_TABLE_SUFFIX, redisTarget, StoreUrlError, shown, withoutSecret } from './store-urls.js';
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

export async function openOutputs(
  flags: OutputFlags,
  env: Readonly<Record<string, string | undefined>>,
  protectedFiles: readonly ProtectedFile[],
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
      sink = openPostgresSink(pool, table.table);
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
