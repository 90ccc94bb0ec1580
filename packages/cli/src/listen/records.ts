import { createReadStream } from 'node:fs';
import type { CallbackKind } from 'callbot-contract';
import { parse } from 'csv-parse';
import { rowWriter } from '../results/csv.js';
import { intentsCell, timeCell } from '../results/rows.js';

// What `callbot listen` writes per callback, and how it finds the requestIDs already written.
//
// JSON Lines (default): `{"receivedAt","kind","requestID","payload"}`, the payload as the
// vendor sent it (parsed without prototype keys). CSV (--csv): one row of key fields per
// callback, the columns below (the same cell rules as `callbot export`: formula-safe cells;
// times ISO 8601 UTC), a header when the file is new.

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
] as const;

const csv = rowWriter('csv', CALLBACK_CSV_COLUMNS);
export const callbackCsvHeader = () => csv.header();

// biome-ignore lint/suspicious/noExplicitAny: the three callback payloads, read field by field
type Payload = Record<string, any>;

export function callbackLine(format: 'jsonl' | 'csv', record: { receivedAt: string; kind: CallbackKind; requestID: string; payload: unknown }): string {
  if (format === 'jsonl') return `${JSON.stringify(record)}\n`;
  const p = record.payload as Payload;
  const call = (p.callInfoDetail ?? {}) as Payload;
  const stat = (p.taskStat ?? {}) as Payload;
  return csv.line({
    receivedAt: record.receivedAt,
    kind: record.kind,
    requestID: record.requestID,
    userTaskID: p.userTaskID,
    orderID: p.orderID,
    userPhone: p.userPhone,
    userName: p.userName,
    other: p.other,
    finish: p.finish,
    callID: call.callID,
    callStatus: call.callStatus,
    callStart: timeCell(call.callStartTs, 'iso'),
    callAnswer: timeCell(call.callAnswerTs, 'iso'),
    callEnd: timeCell(call.callEndTs, 'iso'),
    callDuration: call.callDuration,
    hangupCause: call.hangupCause,
    intents: p.callInfoDetail ? intentsCell(call.intents) : undefined,
    taskStatus: p.taskStatus,
    finishOrderCount: stat.finishOrderCount,
    totalOrderCount: stat.totalOrderCount,
  });
}

/** The longest line (JSON Lines) or record (CSV) read back: bigger ones are skipped and counted. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export interface ExistingFile {
  /** Lines or records whose requestID was read. */
  records: number;
  /** Lines that could not be read (not JSON, no requestID, too long). */
  unreadable: number;
  /** The file does not end with a line break: its last line was cut short (a crash mid-write). */
  endsMidLine: boolean;
}

/** Calls `onId` with each requestID in `file` (missing file: nothing), reading it as a stream. */
export async function readRequestIDs(file: string, format: 'jsonl' | 'csv', onId: (id: string) => void): Promise<ExistingFile> {
  const result: ExistingFile = { records: 0, unreadable: 0, endsMidLine: false };
  let stream: ReturnType<typeof createReadStream>;
  try {
    stream = createReadStream(file);
    await new Promise((resolve, reject) => stream.once('open', resolve).once('error', reject));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw error;
  }
  if (format === 'csv') {
    let at = -1;
    let first = true;
    const parser = stream.pipe(
      parse({ bom: true, relax_column_count: true, relax_quotes: true, max_record_size: MAX_RECORD_BYTES, skip_records_with_error: true }),
    );
    parser.on('skip', () => {
      result.unreadable += 1;
    });
    let last = '';
    stream.on('data', (chunk: Buffer | string) => {
      last = String(chunk).slice(-1);
    });
    // Each id is taken once the next record has begun: the last record counts only when the
    // file ends with a line break (a record cut short was never acknowledged: its retry must be written).
    let pending: string | undefined;
    for await (const record of parser as AsyncIterable<string[]>) {
      if (first) {
        first = false;
        at = record.indexOf('requestID');
        continue;
      }
      if (pending) onId(pending);
      pending = at >= 0 ? record[at] : undefined;
      if (pending) result.records += 1;
      else result.unreadable += 1;
    }
    result.endsMidLine = last !== '' && last !== '\n';
    if (pending && !result.endsMidLine) onId(pending);
    else if (pending) {
      result.records -= 1;
      result.unreadable += 1;
    }
    return result;
  }
  // JSON Lines, split here so that one enormous line is skipped, not held.
  let line = '';
  let skipping = false;
  const take = (text: string) => {
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
  for await (const chunk of stream.setEncoding('utf8') as AsyncIterable<string>) {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      if (!skipping) take(line + chunk.slice(from, nl));
      line = '';
      skipping = false;
      from = nl + 1;
    }
    if (!skipping) line += chunk.slice(from);
    if (line.length > MAX_RECORD_BYTES) {
      line = '';
      skipping = true;
      result.unreadable += 1;
    }
  }
  if (line || skipping) {
    result.endsMidLine = true;
    if (line) result.unreadable += 1;
  }
  return result;
}
