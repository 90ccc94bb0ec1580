import { csvCell } from '../shared/csv-cell.js';
import { asText } from '../shared/vendor-values.js';

// The two output formats of the reading verbs, one row at a time.
//
// CSV: UTF-8, comma-separated, a header row, `\n` line ends (optionally a BOM so spreadsheet
// programs read UTF-8), each cell written by shared/csv-cell.ts (quoted when needed, guarded
// against formulas). Phone numbers are written as the vendor stores them, digits without a `+`
// (8615612345678), so they need no prefix; one the vendor gives with a `+` shows as `'+86…`,
// which spreadsheets display as +86… text.
//
// JSON Lines: one JSON object per line with the same fields, typed (numbers stay numbers);
// nothing is prefixed (it is not a spreadsheet format).

export type Cell = string | number | boolean | undefined;
export type Row = Record<string, Cell>;
export type Format = 'csv' | 'jsonl';

/**
 * A vendor value as a cell, whatever its shape: null or missing is an empty cell; a string,
 * number or boolean stays as it is (an enum value the spec does not list, too); an object or
 * an array is written as its JSON text.
 */
export function cell(value: unknown): Cell {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return value === undefined || value === null ? undefined : asText(value);
}

export interface RowWriter {
  /** The text before the first row: a CSV header (and BOM), nothing for JSON Lines. */
  header(): string;
  line(row: Row): string;
}

export function rowWriter(format: Format, columns: readonly string[], options: { bom?: boolean } = {}): RowWriter {
  if (format === 'jsonl') {
    return {
      header: () => (options.bom ? '\ufeff' : ''),
      line: (row) => `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])))}\n`,
    };
  }
  return {
    header: () => `${options.bom ? '\ufeff' : ''}${columns.join(',')}\n`,
    line: (row) => `${columns.map((c) => csvCell(row[c])).join(',')}\n`,
  };
}

/** The format asked for, else the one the file name says (`.jsonl`/`.ndjson`), else CSV. */
export function formatFor(out: string | undefined, asked: Format | undefined): Format {
  if (asked) return asked;
  return out && /\.(jsonl|ndjson)$/i.test(out) ? 'jsonl' : 'csv';
}
