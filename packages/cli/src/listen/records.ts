import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { CallbackKind, SignAlgorithm, ValidationIssue } from 'callbot-contract';
import { parse } from 'csv-parse';
import { type Cell, cell, rowWriter } from '../results/csv.js';
import { intentsCell, timeCell } from '../results/rows.js';
import { fields } from '../shared/vendor-values.js';

// What `callbot listen` writes per callback, and how it finds the requestIDs already written.
//
// JSON Lines (default): `{"receivedAt","kind","requestID","payload"}`, the payload as the
// vendor sent it (parsed without prototype keys), and `"deviations"` (`[{"path","message"}]`, as
// the receiver lists them: at most 50) with `"deviationCount"` (all of them) when the payload
// departs from the contract's schema. CSV (--csv): one row of key fields per callback, the
// columns below (the same cell rules as `callbot export`: formula-safe cells; times ISO 8601
// UTC; a field the payload lacks or holds null is empty), a header when the file is new; the
// deviations as `path: message` joined with ` | `. A callback is written whatever its shape.
//
// The requestID cell must read back as the requestID, or a repeat after a restart is written
// again: the formula guard writes `=x` as `'=x`, so a requestID that itself starts with `'` is
// written with one more `'` (`'a` as `''a`), and reading strips one leading `'` from every
// requestID cell (requestIdCell / requestIdFromCell).

export const CALLBACK_CSV_COLUMNS = [
  'receivedAt',
  'kind',
  'requestID',
  'userTaskID',
  'orderID',
  'userPhone',
  'userName',
  'other',
  'finish',
  'callID',
  'callStatus',
  'callStart',
  'callAnswer',
  'callEnd',
  'callDuration',
  'hangupCause',
  'intents',
  'taskStatus',
  'finishOrderCount',
  'totalOrderCount',
  'deviations',
] as const;

export interface CallbackRecord {
  receivedAt: string;
  kind: CallbackKind;
  requestID: string;
  payload: unknown;
  /** Where the payload departs from the contract (the receiver's `meta`: listed, bounded, and counted); none when not given. */
  deviations?: readonly ValidationIssue[];
  deviationCount?: number;
  /** The body as verified (inflated), byte for byte: what `--forward-to` passes on (not written). */
  body?: Uint8Array;
  /** The algorithm the callback was signed with (told by its signature's length): what a forward is signed with. */
  signAlgorithm?: SignAlgorithm;
}

/** Where `callbot listen` puts each callback it handles: a file (file-sink.ts) or a PostgreSQL table (postgres-sink.ts). */
export interface CallbackSink {
  /** Writes one callback, durably, unless its requestID is already there: resolves with which. */
  write(record: CallbackRecord): Promise<'written' | 'duplicate'>;
  /** Whether the requestID is already there (a file's remembered window); absent where it cannot be told cheaply. */
  holds?(requestID: string): boolean;
  close(): Promise<void>;
}

export const callbackCsvHeader = (columns: readonly string[] = CALLBACK_CSV_COLUMNS) => rowWriter('csv', columns).header();

/** The requestID as its CSV cell holds it before the formula guard: one more `'` when it starts with one. */
export const requestIdCell = (id: string) => (id.startsWith("'") ? `'${id}` : id);
/** The requestID a CSV cell holds: without the one leading `'` that the guard or requestIdCell put there. */
export const requestIdFromCell = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);

/** The key fields of one callback as cells, one per CSV column (values as read, before any CSV quoting or formula guard). */
export function callbackCells(record: CallbackRecord): Record<(typeof CALLBACK_CSV_COLUMNS)[number], Cell> {
  const { deviations = [], deviationCount = deviations.length } = record;
  const p = fields(record.payload);
  const call = fields(p.callInfoDetail);
  const stat = fields(p.taskStat);
  const omitted = deviationCount - deviations.length;
  const listed = deviations.map((d) => `${d.path || '(body)'}: ${d.message}`).concat(omitted > 0 ? [`… and ${omitted} more`] : []);
  return {
    receivedAt: record.receivedAt,
    kind: record.kind,
    requestID: record.requestID,
    userTaskID: cell(p.userTaskID),
    orderID: cell(p.orderID),
    userPhone: cell(p.userPhone),
    userName: cell(p.userName),
    other: cell(p.other),
    finish: cell(p.finish),
    callID: cell(call.callID),
    callStatus: cell(call.callStatus),
    callStart: timeCell(call.callStartTs, 'iso'),
    callAnswer: timeCell(call.callAnswerTs, 'iso'),
    callEnd: timeCell(call.callEndTs, 'iso'),
    callDuration: cell(call.callDuration),
    hangupCause: cell(call.hangupCause),
    intents: p.callInfoDetail ? intentsCell(call.intents) : undefined,
    taskStatus: cell(p.taskStatus),
    finishOrderCount: cell(stat.finishOrderCount),
    totalOrderCount: cell(stat.totalOrderCount),
    deviations: listed.length > 0 ? listed.join(' | ') : undefined,
  };
}

/**
 * The text of one callback. `columns`: the CSV columns to write, in order (those of the file's
 * own header when it has one: a file begun by an earlier version keeps its columns).
 */
export function callbackLine(format: 'jsonl' | 'csv', record: CallbackRecord, columns: readonly string[] = CALLBACK_CSV_COLUMNS): string {
  // The verified body and its algorithm are for a forward, not for the file.
  const { deviations = [], deviationCount = deviations.length, body: _forwarded, signAlgorithm: _signedWith, ...line } = record;
  if (format === 'jsonl') return `${JSON.stringify(deviationCount > 0 ? { ...line, deviations, deviationCount } : line)}\n`;
  return rowWriter('csv', columns).line({ ...callbackCells(record), requestID: requestIdCell(record.requestID) });
}

/** The longest line (JSON Lines) or record (CSV) read back: bigger ones are skipped and counted. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export interface ExistingFile {
  /** Lines or records whose requestID was read. */
  records: number;
  /** Lines that could not be read (not JSON, no requestID, too long). */
  unreadable: number;
  /**
   * The file's last line (CSV: record) was cut short (a crash mid-write): it does not end with a
   * line break, or (CSV) it ends inside a quoted cell. Its requestID is not taken as written.
   */
  endsMidLine: boolean;
  /** When `endsMidLine`: the byte offset where that last, cut line begins (the end of the last whole one). */
  tornFrom?: number;
  /** CSV: the columns of the file's header row, when it has one. */
  columns?: string[];
}

/**
 * Calls `onId` with each requestID in `file` (missing file: nothing), reading it as a stream from
 * its start. `file` is a path or a handle opened for reading (read from offset 0, left open).
 */
export async function readRequestIDs(file: string | FileHandle, format: 'jsonl' | 'csv', onId: (id: string) => void): Promise<ExistingFile> {
  const result: ExistingFile = { records: 0, unreadable: 0, endsMidLine: false };
  let stream: NodeJS.ReadableStream & AsyncIterable<Buffer>;
  if (typeof file === 'string') {
    try {
      const fromPath = createReadStream(file);
      await new Promise((resolve, reject) => fromPath.once('open', resolve).once('error', reject));
      stream = fromPath;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
      throw error;
    }
  } else stream = file.createReadStream({ start: 0, autoClose: false });
  // Bytes read, and the last one: a file that does not end with a line break ends mid-line.
  let size = 0;
  let lastByte = -1;
  const count = (chunk: Buffer) => {
    size += chunk.length;
    if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
  };

  if (format === 'csv') {
    stream.on('data', count);
    const parser = stream.pipe(
      parse({
        bom: true,
        info: true,
        relax_column_count: true,
        relax_quotes: true,
        max_record_size: MAX_RECORD_BYTES,
        skip_records_with_error: true,
      }),
    );
    let quoteOpen = false;
    parser.on('skip', (error: { code?: string }) => {
      result.unreadable += 1;
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') quoteOpen = true; // the file ends inside a quoted cell
    });
    // Where the last two records parsed end (info.bytes counts through the record's line break).
    let lastEnd = 0;
    let previousEnd = 0;
    let at = -1;
    let first = true;
    // Each id is taken once the next record has begun: the last record counts only when it is whole.
    let pending: string | undefined;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      previousEnd = lastEnd;
      lastEnd = info.bytes;
      if (first) {
        first = false;
        at = record.indexOf('requestID');
        result.columns = record;
        continue;
      }
      if (pending) onId(pending);
      const cell = at >= 0 ? record[at] : undefined;
      pending = cell ? requestIdFromCell(cell) : undefined;
      if (pending) result.records += 1;
      else result.unreadable += 1;
    }
    result.endsMidLine = size > 0 && (lastByte !== 0x0a || quoteOpen);
    // The last record parsed reaches the end of the file: it is the one cut short. Otherwise what
    // follows it (a quoted cell never closed, a record skipped) is.
    const lastIsCut = result.endsMidLine && lastEnd === size;
    if (result.endsMidLine) result.tornFrom = lastIsCut ? previousEnd : lastEnd;
    if (pending && !lastIsCut) onId(pending);
    else if (pending) {
      result.records -= 1;
      result.unreadable += 1;
    }
    return result;
  }
  // JSON Lines, split here on line-break bytes so that one enormous line is skipped, not held.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let skipping = false;
  /** Byte offset where the line being read begins. */
  let lineStart = 0;
  const take = (bytes: Buffer) => {
    const text = bytes.toString('utf8');
    if (!text.trim()) return;
    try {
      const id = (JSON.parse(text) as { requestID?: unknown }).requestID;
      if (typeof id === 'string' && id) {
        onId(id);
        result.records += 1;
        return;
      }
    } catch {
      // counted below
    }
    result.unreadable += 1;
  };
  for await (const chunk of stream) {
    const offset = size;
    count(chunk);
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      if (!skipping) take(parts.length === 0 ? chunk.subarray(from, nl) : Buffer.concat([...parts, chunk.subarray(from, nl)]));
      parts = [];
      partBytes = 0;
      skipping = false;
      from = nl + 1;
      lineStart = offset + from;
    }
    if (!skipping && from < chunk.length) {
      parts.push(chunk.subarray(from));
      partBytes += chunk.length - from;
    }
    if (partBytes > MAX_RECORD_BYTES) {
      parts = [];
      partBytes = 0;
      skipping = true;
      result.unreadable += 1;
    }
  }
  if (partBytes > 0 || skipping) {
    result.endsMidLine = true;
    result.tornFrom = lineStart;
    if (partBytes > 0) result.unreadable += 1;
  }
  return result;
}
