import { cellText } from '../shared/csv-cell.js';
import { count } from '../shared/count.js';
import type { Format } from './csv.js';

// What a reading verb reports at the end: printed as a table without --out, as one JSON
// document with --json.

export type Verb = 'export' | 'orders' | 'calls';

export interface ResultSummary {
  verb: Verb;
  userTaskID: string;
  /** The file written, `"-"` for stdout, null when no file was asked for (counts only). */
  file: string | null;
  format: Format | null;
  /** Rows written (or counted, without --out). */
  rows: number;
  /** Pages read: listOrder/listCall pages, or for export the listOrderDetail requests (≤ 500 orders each). */
  pages: number;
  /** Requests sent per operation, retries included. */
  requests: Record<string, number>;
  durationMs: number;
  /** Rows per value of each counted column, e.g. `{ status: { finished: 10 } }`. */
  counts: Record<string, Record<string, number>>;
  /** export: the exported batch's id, when the vendor gave one. */
  batchID?: string | undefined;
  /** Items the vendor listed twice (paging shifted under the reader): written once. */
  duplicatesSkipped: number;
  /** Where the vendor's pages and its counts disagree (also on stderr). */
  warnings: string[];
  /** orders/calls: the pages ended away from the vendor's totalCount (`fewer`: rows may be missing; exit 2). */
  countMismatch?: { kind: 'fewer' | 'more'; totalCount: number; listed: number } | undefined;
}

export class Tally {
  readonly counts: Record<string, Record<string, number>> = {};
  add(group: string, value: unknown): void {
    const bucket = (this.counts[group] ??= {});
    const text = cellText(value); // any value the vendor sent, never throwing
    const key = text === '' ? '(none)' : text;
    bucket[key] = (bucket[key] ?? 0) + 1;
  }
}

/** The counts as a table: one block per counted column. */
export function summaryTable(summary: ResultSummary): string {
  const lines = [
    `${summary.verb} of task ${summary.userTaskID}: ${count(summary.rows, 'row')} (${count(summary.pages, 'page')}, ${(summary.durationMs / 1000).toFixed(1)} s)`,
  ];
  for (const [group, bucket] of Object.entries(summary.counts)) {
    const entries = Object.entries(bucket).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    const width = Math.max(group.length, ...entries.map(([k]) => k.length));
    const digits = String(summary.rows).length;
    lines.push(`  ${group}`);
    for (const [value, n] of entries) lines.push(`    ${value.padEnd(width)}  ${String(n).padStart(digits)}`);
  }
  if (summary.duplicatesSkipped > 0) lines.push(`  listed twice by the vendor, written once: ${summary.duplicatesSkipped}`);
  return lines.join('\n');
}
