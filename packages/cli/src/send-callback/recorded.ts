import { createReadStream } from 'node:fs';
import { type CallbackKind, callbackKind } from 'callbot-contract';
import { Callbacks } from 'callbot-contract/facts';
import { openRegularFile } from '../shared/bounded-read.js';
import { fields } from '../shared/vendor-values.js';

// `callbot resend REQUEST_ID --from FILE`: the callback as `callbot listen` wrote it to a JSON
// Lines file ({receivedAt, kind, requestID, payload, …}, one per line). The file is read as a
// stream, one line at a time, and only until the requestID is found; a line longer than
// MAX_LINE_BYTES is skipped, never held whole, and counted (the "not found" message says so).

/** Above the longest line listen writes: a body of its largest --max-body-bytes (64 MiB), escaped, with its deviations. */
export const MAX_LINE_BYTES = 160 * 1024 * 1024;

export interface RecordedCallback {
  kind: CallbackKind;
  requestID: string;
  payload: unknown;
  receivedAt?: string;
  /** 1-based line of the file. */
  line: number;
}

/** The file is not one `callbot listen` wrote as JSON Lines (a message naming why). */
export class NotACallbackFile extends Error {}

/** The callback recorded with `requestID` in `file`, or how many lines were too long to read when none holds it. */
export async function findRecordedCallback(file: string, requestID: string): Promise<RecordedCallback | { tooLong: number }> {
  const stream = createReadStream('', { fd: openRegularFile(file) });
  let line = 0;
  let tooLong = 0;
  try {
    for await (const text of lines(stream)) {
      line += 1;
      if (line === 1 && text?.startsWith('receivedAt,')) {
        throw new NotACallbackFile('is a CSV file (listen --csv), which keeps key fields only: resend needs the JSON Lines file (listen without --csv)');
      }
      if (text === undefined) tooLong += 1;
      // Cheap before JSON.parse: only a line that holds the id can be its record.
      if (text === undefined || !text.includes(requestID)) continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        continue;
      }
      const r = fields(record);
      if (r.requestID !== requestID || !('payload' in r)) continue;
      const kind = typeof r.kind === 'string' && r.kind in Callbacks ? (r.kind as CallbackKind) : callbackKind(r.payload);
      return { kind, requestID, payload: r.payload, line, ...(typeof r.receivedAt === 'string' ? { receivedAt: r.receivedAt } : {}) };
    }
  } finally {
    stream.destroy();
  }
  return { tooLong };
}

/** The file's lines as text; undefined for a line over MAX_LINE_BYTES (skipped, not held). */
async function* lines(stream: AsyncIterable<Buffer>): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  for await (const chunk of stream) {
    let from = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, from)) {
      const piece = chunk.subarray(from, end);
      yield tooLong || size + piece.length > MAX_LINE_BYTES ? undefined : Buffer.concat([...parts, piece]).toString('utf8');
      parts = [];
      size = 0;
      tooLong = false;
      from = end + 1;
    }
    const rest = chunk.subarray(from);
    if (tooLong || size + rest.length > MAX_LINE_BYTES) {
      tooLong = true;
      parts = [];
    } else if (rest.length > 0) {
      parts.push(rest);
      size += rest.length;
    }
  }
  // A last line without its line break (a write cut short) is still read.
  if (size > 0 && !tooLong) yield Buffer.concat(parts).toString('utf8');
}
