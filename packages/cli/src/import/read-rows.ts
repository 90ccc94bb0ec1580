import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';

// Reads a call list one row at a time, so a 100,000-row file never sits in memory as text:
// CSV through csv-parse (quotes, embedded delimiters and line breaks, BOM), JSON Lines through
// readline. Each row comes with its number as the user sees it:
// - CSV: the spreadsheet row. The header is row 1, the first data row is row 2; a blank line
//   still counts (a spreadsheet shows it as an empty row) and a cell with a line break inside
//   stays one row. Without multi-line cells this is also the line number in a text editor.
// - JSON Lines: the line number (there is no header).

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

export interface RowReaderOptions {
  format?: InputFormat;
  delimiter?: string;
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
  let bytesRead = 0;
  let blankRows = 0;
  let header: string[] | undefined;
  const stream = () => {
    const input = createReadStream(file, { highWaterMark: 256 * 1024 });
    input.on('data', (chunk) => { bytesRead += chunk.length; });
    return input;
  };

  async function* csvRows(): AsyncGenerator<SourceRow> {
    const delimiter = options.delimiter ?? detectDelimiter(file);
    // No `info` and no `skip_empty_lines`: csv-parse's per-record info objects cost more than the
    // parsing itself on 100,000 rows, and counting records here gives the spreadsheet row
    // directly (a blank line is a record of one empty cell, a multi-line cell is one record).
    const parser = parse({ delimiter, bom: true, relax_column_count: true });
    const piping = pipeline(stream(), parser);
    piping.catch(() => {}); // the same error surfaces from the iteration below
    let row = 0;
    try {
      for await (const cells of parser as AsyncIterable<string[]>) {
        row += 1;
        if (!header) {
          if (isBlank(cells)) continue;
          header = cells.map((name) => name.trim());
          const seen = new Set<string>();
          for (const name of header) {
            const key = name.toLowerCase();
            if (name && seen.has(key)) throw new InputFileError(`the header names the column "${name}" twice`);
            seen.add(key);
          }
          options.onHeader?.(header);
          continue;
        }
        if (isBlank(cells)) {
          blankRows += 1;
          continue;
        }
        yield cells.length > header.length && !isBlank(cells.slice(header.length))
          ? { row, cells, problem: `has ${cells.length} fields but the header has ${header.length} (a delimiter inside an unquoted value?)` }
          : { row, cells };
      }
    } catch (error) {
      if (error instanceof CsvError) {
        const lines = (error as CsvError & { lines?: number }).lines;
        throw new InputFileError(`${file} is not readable CSV${lines ? ` (near line ${lines})` : ''}: ${error.message}`);
      }
      if (typeof (error as NodeJS.ErrnoException).syscall === 'string') throw new InputFileError(`cannot read ${file}: ${(error as Error).message}`);
      throw error;
    }
    await piping;
  }

  async function* jsonlRows(): AsyncGenerator<SourceRow> {
    const lines = createInterface({ input: stream(), crlfDelay: Infinity });
    let row = 0;
    for await (let line of lines) {
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
        yield { row, record: {}, problem: `is not valid JSON (${(error as Error).message})` };
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
    rows: format === 'csv' ? csvRows : jsonlRows,
    bytesRead: () => bytesRead,
    totalBytes,
    blankRows: () => blankRows,
  };
}
