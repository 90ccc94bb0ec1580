import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { CsvError } from 'csv-parse';
import { BATCH_ROWS, boundedLines, boundedRecordBatches, isPlainCsv } from './bounded-lines.js';
import { unclosedQuoteLine } from './csv-quote-line.js';
import { excerpt } from './excerpt.js';

// Reads a call list one row at a time, so a 100,000-row file never sits in memory as text:
// CSV through csv-parse (quotes, embedded delimiters and line breaks, BOM), JSON Lines split
// into lines by bounded-lines.ts. Each row comes with its number as the user sees it:
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
    const parserOptions = { delimiter, bom: true, relax_column_count: true, max_record_size: maxRowBytes };
    const parser = parse(parserOptions);
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
        if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
          const opened = await unclosedQuoteLine(file, parserOptions);
          if (opened !== undefined) throw new InputFileError(`${file} is not readable CSV: the quote opened on line ${opened} is never closed`);
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
