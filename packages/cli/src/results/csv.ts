import { asText } from '../shared/vendor-values.js';

// The two output formats of the reading verbs, one row at a time.
//
// CSV: UTF-8, comma-separated, a header row, `\n` line ends (optionally a BOM so spreadsheet
// programs read UTF-8). A text cell that a spreadsheet would run as a formula — it starts with
// `=`, `+`, `-`, `@`, a tab or a carriage return — is written with a leading `'` (the OWASP
// advice), so `=cmd|' /C calc'!A0` arrives as text. Phone numbers are written as the vendor
// stores them, digits without a `+` (8615612345678), so they need no prefix; one the vendor
// gives with a `+` shows as `'+86…`, which spreadsheets display as +86… text. Numbers and
// booleans are never prefixed (a negative number stays a number).
//
// The vendor's answers are not checked for shape, so a cell may get any JSON value where a
// string was expected: an array, an object (`{"toString": null}`, which String() cannot
// convert). Such a value is written as its JSON text, and the guard is applied to the text that
// is written, whatever the value was.
//
// JSON Lines: one JSON object per line with the same fields, typed (numbers stay numbers);
// nothing is prefixed (it is not a spreadsheet format).

export type Cell = string | number | boolean | undefined;
export type Row = Record<string, Cell>;
export type Format = 'csv' | 'jsonl';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A vendor value as a cell, whatever its shape: null or missing is an empty cell; a string,
 * number or boolean stays as it is (an enum value the spec does not list, too); an object or
 * an array is written as its JSON text.
 */
export function cell(value: unknown): Cell {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return value === undefined || value === null ? undefined : asText(value);
}

/** Any value as text, never throwing: a string as it is, null and undefined empty, numbers and booleans as String() writes them, anything else as JSON. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return json;
  } catch {
    // a BigInt inside, a cycle, a toJSON that throws: none comes out of JSON.parse
  }
  return Object.prototype.toString.call(value);
}

export function csvCell(value: unknown): string {
  const number = (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint';
  const text = cellText(value);
  const guarded = !number && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",;\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
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
