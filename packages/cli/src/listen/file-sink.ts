import { openAppendTarget, type ProtectedFile } from '../shared/output-target.js';
import { AppendLog } from './append-log.js';
import { CALLBACK_CSV_COLUMNS, type CallbackSink, callbackCsvHeader, callbackLine, type ExistingFile, readRequestIDs } from './records.js';
import { SeenIds } from './seen-ids.js';
import { setAsideTornTail } from './torn-tail.js';

// `callbot listen --out FILE`: an append-only file (JSON Lines, or CSV with --csv). A requestID
// already in the file (SeenIds, filled from the file at start: the newest `dedupeWindow` of them)
// is not written again, also across a restart and whatever the replay store says; otherwise one
// line is appended and fsync'ed (AppendLog) before the write resolves (and the vendor is answered).
//
// The file is opened first (shared/output-target.ts: a regular file, never the config file), read
// back through the same handle, and a last line cut short is set aside (torn-tail.ts).

export interface FileSink extends CallbackSink {
  /** requestIDs read back from the file at start, and lines that could not be read. */
  existing: ExistingFile & {
    /** A last line cut short was moved to `file` (`bytes` of it) and the output cut back to its last whole line. */
    setAside?: { file: string; bytes: number };
  };
  /** The `count` requestIDs written last (read back at start, then written), oldest first. */
  newest(count: number): string[];
  /** CSV only: false when the file's header (an earlier version's) has no deviations column, so they are counted but not written. */
  writesDeviations: boolean;
}

export async function openFileSink(options: {
  out: string;
  format: 'jsonl' | 'csv';
  dedupeWindow: number;
  protectedFiles?: readonly ProtectedFile[] | undefined;
}): Promise<FileSink> {
  const seen = new SeenIds(options.dedupeWindow);
  const handle = await openAppendTarget(options.out, '--out', options.protectedFiles);
  let existing: FileSink['existing'];
  let log: AppendLog;
  try {
    existing = await readRequestIDs(handle, options.format, (id) => seen.add(id));
    let { size } = await handle.stat();
    if (existing.tornFrom !== undefined) {
      existing.setAside = await setAsideTornTail(handle, options.out, existing.tornFrom);
      existing.unreadable = Math.max(0, existing.unreadable - 1); // that line is no longer in the file
      size = existing.tornFrom;
    }
    log = AppendLog.over(handle, size);
  } catch (error) {
    await handle.close();
    throw error;
  }
  // A CSV file begun by an earlier version keeps its own columns (every one of them ours).
  const known: readonly string[] = CALLBACK_CSV_COLUMNS;
  const columns =
    existing.columns?.includes('requestID') && existing.columns.every((column) => known.includes(column)) ? existing.columns : CALLBACK_CSV_COLUMNS;
  try {
    if (options.format === 'csv' && log.initialSize === 0) await log.append(callbackCsvHeader(columns));
  } catch (error) {
    await log.close();
    throw error;
  }
  return {
    existing,
    writesDeviations: options.format === 'jsonl' || columns.includes('deviations'),
    newest: (count) => seen.newest(count),
    holds: (requestID) => seen.has(requestID),
    async write(record) {
      if (seen.has(record.requestID)) return 'duplicate';
      await log.append(callbackLine(options.format, record, columns));
      seen.add(record.requestID);
      return 'written';
    },
    close: () => log.close(),
  };
}
