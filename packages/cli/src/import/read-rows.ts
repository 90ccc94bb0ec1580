import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { CsvError } from 'csv-parse';
import { excerpt } from './excerpt.js';

// Reads a call list one row at a time, so a 100,000-row file never sits in memory as text:
// CSV through csv-parse (quotes, embedded delimiters and line breaks, BOM), JSON Lines split
// into lines here (boundedLines). Each row comes with its number as the user sees it:
// - CSV: the spreadsheet row. The header is row 1, the first data row is row 2; a blank line
//   still counts (a spreadsheet shows it as an empty row) and a cell with a line break inside
//   stays one row. Without multi-line cells this is also the line number in a text editor.
// - JSON Lines: the line number (there is no header).
//
// Every read is bounded: a record (CSV) or line (JSON Lines) longer than `maxRowBytes` stops the
// reading with an error naming its row, long before a file that is not a call list (one line of
// 200 MB, a quote never closed) fills the memory; messages quote at most an excerpt of the data.
// A file in UTF-16 (what some spreadsheet programs call "Unicode text") is refused up front.
//
// Speed: csv-parse reads about 10 MB a second, a whole second for a 100,000-row list. A file
// without a single double quote and without a carriage return other than in \r\n (what
// spreadsheets and scripts write when no cell needs quoting) has no CSV syntax beyond "one
// record a line, cells split at the delimiter": such a file (found by one quick scan of its
// bytes) is read by splitting its lines instead, the same records at a fraction of the cost
// (test/import-fast-csv.test.ts compares the two on such files). Any quote sends the whole file
// through csv-parse.

/** The default bound of one CSV record or JSON line (`--max-row-bytes`): a call list's row is well under 1 KB. */
export const DEFAULT_MAX_ROW_BYTES = 64 * 1024;

export type InputFormat = 'csv' | 'jsonl';

export interface SourceRow {
  /** Row (CSV) or line (JSONL) number, 1-based. */
  row: number;
  /** CSV: the cells, in the header's order (kept as an array: no object per row). */
  cells?: readonly string[];
  /** JSON Lines: field name → value, whatever JSON held. */
  record?: Record<string, unknown>;
  /** Why the row could not be read as a record (too many CSV fields, not a JSON object). */
  problem?: string;
}

export class InputFileError extends Error {}

export interface RowReader {
  format: InputFormat;
  /** CSV: the header row; JSONL: undefined (each line names its fields). */
  header(): readonly string[] | undefined;
  rows(): AsyncGenerator<SourceRow>;
  /** The same rows, a few hundred at a time (one await per batch rather than per row). */
  batches(): AsyncGenerator<SourceRow[]>;
  /** How far the reading got, for progress. */
  bytesRead(): number;
  totalBytes: number;
  /** Rows with no value at all, skipped (not data). */
  blankRows(): number;
}

const isBlank = (cells: readonly string[]) => cells.every((value) => value.trim() === '');

export function detectFormat(file: string): InputFormat {
  return /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv';
}

/**
 * Comma or semicolon (spreadsheets in many European locales save CSV with `;`), decided from
 * the header line: whichever occurs more often outside quotes.
 */
export function detectDelimiter(file: string): ',' | ';' {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, length);
    let commas = 0;
    let semicolons = 0;
    let quoted = false;
    for (const char of text) {
      if (char === '"') quoted = !quoted;
      else if (!quoted && (char === '\n' || char === '\r')) break;
      else if (!quoted && char === ',') commas += 1;
      else if (!quoted && char === ';') semicolons += 1;
    }
    return semicolons > commas ? ';' : ',';
  } finally {
    closeSync(fd);
  }
}

/**
 * UTF-16 (or UTF-32) text, from its byte order mark or, without one, from the NUL bytes that
 * ASCII characters leave in every other byte; undefined for anything else. UTF-8 text never
 * holds a NUL byte.
 */
export function detectWideEncoding(file: string): string | undefined {
  const fd = openSync(file, 'r');
  let sample: Buffer;
  try {
    const buffer = Buffer.alloc(4096);
    sample = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
  const [b0, b1, b2, b3] = sample;
  if (b0 === 0xff && b1 === 0xfe) return b2 === 0 && b3 === 0 ? 'UTF-32LE' : 'UTF-16LE';
  if (b0 === 0xfe && b1 === 0xff) return 'UTF-16BE';
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return 'UTF-32BE';
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i += 1) {
    if (sample[i] === 0) {
      if (i % 2 === 0) even += 1;
      else odd += 1;
    }
  }
  if (even + odd === 0) return undefined;
  if (odd > 2 * even) return 'UTF-16LE';
  if (even > 2 * odd) return 'UTF-16BE';
  return 'a text encoding other than UTF-8 (it holds NUL bytes)';
}

export interface RowReaderOptions {
  format?: InputFormat;
  delimiter?: string;
  /** The longest CSV record or JSON line, in bytes (default 64 KiB). */
  maxRowBytes?: number;
  /** Called with the CSV header before the first data row; may throw to stop reading. */
  onHeader?: (header: readonly string[]) => void;
}

export function openRowReader(file: string, options: RowReaderOptions = {}): RowReader {
  let totalBytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new InputFileError(`${file} is not a file`);
    totalBytes = stat.size;
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const format = options.format ?? detectFormat(file);
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const wide = totalBytes > 0 ? detectWideEncoding(file) : undefined;
  if (wide) {
    const as = format === 'csv' ? '"CSV UTF-8" (in Excel: Save As → CSV UTF-8 (Comma delimited))' : 'UTF-8';
    throw new InputFileError(`${file} is ${wide.startsWith('UTF') ? `${wide}, not UTF-8` : wide}: save it as ${as}`);
  }
  let bytesRead = 0;
  let blankRows = 0;
  let header: string[] | undefined;
  const stream = () => {
    const input = createReadStream(file, { highWaterMark: 256 * 1024 });
    input.on('data', (chunk) => {
      bytesRead += chunk.length;
    });
    return input;
  };

  /**
   * The file in 1 MiB chunks read synchronously, the event loop given a turn between two (so
   * a signal is seen while reading): a call list sits in the page cache, and a chain of
   * thread-pool reads only waited for the event loop at every chunk.
   */
  function syncChunks(): AsyncIterable<Buffer> & { destroy(): void } {
    const fd = openSync(file, 'r');
    let closed = false;
    const destroy = () => {
      if (!closed) closeSync(fd);
      closed = true;
    };
    return {
      destroy,
      async *[Symbol.asyncIterator]() {
        // One buffer, filled again for each chunk: the reader uses a chunk before asking for the next.
        const buffer = Buffer.allocUnsafe(1024 * 1024);
        try {
          for (;;) {
            const length = readSync(fd, buffer, 0, buffer.length, bytesRead);
            if (length === 0) return;
            bytesRead += length;
            yield length === buffer.length ? buffer : buffer.subarray(0, length);
            await new Promise((resolve) => setImmediate(resolve));
          }
        } finally {
          destroy();
        }
      },
    };
  }

  /** The checks and numbering every CSV record goes through, whichever reader produced it. */
  function csvRecord(cells: string[], row: number): SourceRow | undefined {
    if (!header) {
      if (isBlank(cells)) return undefined;
      header = cells.map((name) => name.trim());
      const seen = new Set<string>();
      for (const name of header) {
        const key = name.toLowerCase();
        if (name && seen.has(key)) throw new InputFileError(`the header names the column "${excerpt(name)}" twice`);
        seen.add(key);
      }
      options.onHeader?.(header);
      return undefined;
    }
    if (isBlank(cells)) {
      blankRows += 1;
      return undefined;
    }
    return cells.length > header.length && !isBlank(cells.slice(header.length))
      ? { row, cells, problem: `has ${cells.length} fields but the header has ${header.length} (a delimiter inside an unquoted value?)` }
      : { row, cells };
  }

  const tooLongRow = (row: number) =>
    new InputFileError(`${file}: row ${row} is longer than ${maxRowBytes} bytes (--max-row-bytes): a quote that is never closed, or not a call list?`);

  /** A file without quotes or lone carriage returns: one record a line, split at the delimiter. */
  async function* plainCsvBatches(delimiter: string): AsyncGenerator<SourceRow[]> {
    let row = 0;
    try {
      for await (const records of boundedRecordBatches(syncChunks(), delimiter, maxRowBytes, tooLongRow)) {
        const batch: SourceRow[] = [];
        for (const cells of records) {
          row += 1;
          if (row === 1 && cells[0]!.charCodeAt(0) === 0xfeff) cells[0] = cells[0]!.slice(1);
          const record = csvRecord(cells, row);
          if (record) batch.push(record);
        }
        if (batch.length > 0) yield batch;
      }
    } catch (error) {
      if (typeof (error as NodeJS.ErrnoException).syscall === 'string') throw new InputFileError(`cannot read ${file}: ${(error as Error).message}`);
      throw error;
    }
  }

  async function* csvBatches(): AsyncGenerator<SourceRow[]> {
    const delimiter = options.delimiter ?? detectDelimiter(file);
    if (delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80 && isPlainCsv(file)) {
      yield* plainCsvBatches(delimiter);
      return;
    }
    // No `info` and no `skip_empty_lines`: csv-parse's per-record info objects cost more than the
    // parsing itself on 100,000 rows, and counting records here gives the spreadsheet row
    // directly (a blank line is a record of one empty cell, a multi-line cell is one record).
    // Loaded only for a file that needs it (one with quotes): a quote-free list never pays for it.
    const { parse, CsvError: CsvErrorClass } = await import('csv-parse');
    const parser = parse({ delimiter, bom: true, relax_column_count: true, max_record_size: maxRowBytes });
    const piping = pipeline(stream(), parser);
    piping.catch(() => {}); // the same error surfaces from the iteration below
    let row = 0;
    let batch: SourceRow[] = [];
    try {
      for await (const cells of parser as AsyncIterable<string[]>) {
        row += 1;
        const record = csvRecord(cells, row);
        if (record) batch.push(record);
        if (batch.length >= BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      if (error instanceof CsvErrorClass) {
        const { lines, records } = error as CsvError & { lines?: number; records?: number };
        if (error.code === 'CSV_MAX_RECORD_SIZE') {
          // Every record counts as a row (the header, blank lines): the one that failed is the next.
          throw tooLongRow((records ?? row) + 1);
        }
        throw new InputFileError(`${file} is not readable CSV${lines ? ` (near line ${lines})` : ''}: ${excerpt(error.message, 200)}`);
      }
      if (typeof (error as NodeJS.ErrnoException).syscall === 'string') throw new InputFileError(`cannot read ${file}: ${(error as Error).message}`);
      throw error;
    }
    await piping;
    if (batch.length > 0) yield batch;
  }

  async function* jsonlBatches(): AsyncGenerator<SourceRow[]> {
    let batch: SourceRow[] = [];
    for await (const row of jsonlRows()) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  const batches = format === 'csv' ? csvBatches : jsonlBatches;
  async function* rows(): AsyncGenerator<SourceRow> {
    for await (const batch of batches()) yield* batch;
  }

  async function* jsonlRows(): AsyncGenerator<SourceRow> {
    let row = 0;
    for await (let line of boundedLines(
      stream(),
      maxRowBytes,
      (n) => new InputFileError(`${file}: line ${n} is longer than ${maxRowBytes} bytes (--max-row-bytes): not a JSON Lines file?`),
    )) {
      row += 1;
      if (row === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.trim() === '') {
        blankRows += 1;
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        yield { row, record: {}, problem: `is not valid JSON (${excerpt((error as Error).message)})` };
        continue;
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        yield { row, record: {}, problem: 'is not a JSON object' };
        continue;
      }
      yield { row, record: value as Record<string, unknown> };
    }
  }

  return {
    format,
    header: () => header,
    rows,
    batches,
    bytesRead: () => bytesRead,
    totalBytes,
    blankRows: () => blankRows,
  };
}

/** Rows handed over per batch by csv-parse and JSON Lines reading. */
const BATCH_ROWS = 512;

/**
 * The lines of a byte stream (split at `\n`, a `\r` before it dropped), decoded as UTF-8 and
 * handed over as one array per chunk, none longer than `maxBytes`: a longer one stops the
 * reading with `tooLong(lineNumber)` as soon as it passes the bound, so no more than `maxBytes`
 * plus one chunk is ever held. (boundedLines below, a line at a time, is for JSON Lines.)
 */
export async function* boundedLineBatches(
  input: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string[]> {
  for await (const region of boundedLineRegions(input, maxBytes, tooLong)) {
    const lines = region.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i += 1) {
      const text = lines[i]!;
      if (text.charCodeAt(text.length - 1) === 0x0d) lines[i] = text.slice(0, -1);
    }
    yield lines;
  }
}

/**
 * The records of a quote-free CSV byte stream, as boundedLineBatches bounds its lines: each line
 * split at `delimiter` (one ASCII character) where it lies, and each cell decoded on its own. A
 * cell is then a string of its own, one byte a character when it is ASCII (phones, ids,
 * amounts), rather than a slice that keeps the whole decoded chunk alive as long as any order
 * holds one of its cells.
 */
export async function* boundedRecordBatches(
  input: AsyncIterable<Buffer> & { destroy(): void },
  delimiter: string,
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string[][]> {
  const separator = delimiter.charCodeAt(0);
  for await (const region of boundedLineRegions(input, maxBytes, tooLong)) {
    const records: string[][] = [];
    for (let start = 0; start <= region.length; ) {
      let end = region.indexOf(0x0a, start);
      if (end === -1) end = region.length;
      const last = end > start && region[end - 1] === 0x0d ? end - 1 : end;
      const cells: string[] = [];
      let from = start;
      for (let at = region.indexOf(separator, from); at !== -1 && at < last; at = region.indexOf(separator, from)) {
        cells.push(region.toString('utf8', from, at));
        from = at + 1;
      }
      cells.push(region.toString('utf8', from, last));
      records.push(cells);
      start = end + 1;
    }
    yield records;
  }
}

/**
 * The byte stream as pieces of whole lines (without their final `\n`); a line that spans chunks
 * is put together in a piece of its own. Every line's length (without its `\r`) is checked
 * against `maxBytes` where it lies. A piece may be a view of the chunk it came from: it is to be
 * used before asking for the next one (the chunk's buffer may then be filled again); the part
 * of a line carried over to the next chunk is copied.
 */
async function* boundedLineRegions(
  input: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let line = 0;
  try {
    for await (const chunk of input) {
      let start = 0;
      let held = carry?.length ?? 0;
      for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
        line += 1;
        const end = newline > 0 && chunk[newline - 1] === 0x0d ? newline - 1 : newline === 0 && carry?.at(-1) === 0x0d ? -1 : newline;
        if (held + end - start > maxBytes) throw tooLong(line);
        held = 0;
        start = newline + 1;
      }
      if (start === 0) {
        // No line ends in this chunk: it all belongs to the line being read.
        carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
        if (carry.length > maxBytes + 1) throw tooLong(line + 1); // + 1: the line may still end in \r\n
        continue;
      }
      let from = 0;
      if (carry) {
        // The line begun in an earlier chunk, completed by this one's first line end.
        const first = chunk.indexOf(0x0a);
        yield Buffer.concat([carry, chunk.subarray(0, first)]);
        carry = undefined;
        from = first + 1;
      }
      const rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
      if (rest && rest.length > maxBytes + 1) throw tooLong(line + 1);
      if (from < start) yield chunk.subarray(from, start - 1);
      carry = rest;
    }
    if (carry && carry.length > 0) yield carry;
  } finally {
    input.destroy();
  }
}

/**
 * Whether the file holds no CSV syntax but delimiters and line ends: no double quote, and no
 * carriage return except right before a line feed. Read in 1 MiB chunks (one pass over bytes
 * the reading will find in the page cache).
 */
export function isPlainCsv(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    let position = 0;
    let carriageReturnAtEnd = false;
    for (;;) {
      const length = readSync(fd, buffer, 0, buffer.length, position);
      if (length === 0) return !carriageReturnAtEnd;
      const chunk = length === buffer.length ? buffer : buffer.subarray(0, length);
      if (carriageReturnAtEnd && chunk[0] !== 0x0a) return false;
      if (chunk.indexOf(0x22) !== -1) return false;
      for (let cr = chunk.indexOf(0x0d); cr !== -1; cr = chunk.indexOf(0x0d, cr + 1)) {
        if (cr + 1 < length && chunk[cr + 1] !== 0x0a) return false;
      }
      carriageReturnAtEnd = chunk[length - 1] === 0x0d;
      position += length;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines of a byte stream (split at `\n`, a `\r` before it dropped), decoded as UTF-8, none
 * longer than `maxBytes`: a longer one stops the reading with `tooLong(lineNumber)` as soon as
 * it passes the bound, so no more than `maxBytes` plus one chunk is ever held.
 */
export async function* boundedLines(
  input: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let held = 0;
  let line = 0;
  const text = (last: Buffer) => {
    const bytes = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    parts = [];
    held = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    return bytes.toString('utf8', 0, end);
  };
  try {
    for await (const chunk of input) {
      let start = 0;
      for (let newline = chunk.indexOf(0x0a, start); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
        line += 1;
        const last = newline > start ? chunk[newline - 1] : parts.at(-1)?.at(-1);
        if (held + newline - start - (last === 0x0d ? 1 : 0) > maxBytes) throw tooLong(line);
        yield text(chunk.subarray(start, newline));
        start = newline + 1;
      }
      if (start < chunk.length) {
        held += chunk.length - start;
        if (held > maxBytes + 1) throw tooLong(line + 1); // + 1: the line may still end in \r\n
        parts.push(chunk.subarray(start));
      }
    }
    if (held > 0) {
      line += 1;
      yield text(Buffer.alloc(0));
    }
  } finally {
    input.destroy();
  }
}
