import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { RowOutcome, RowStatus } from './build-batch.js';

// The report: one CSV line per input row (blank rows excepted), in file order, so every row is
// accounted for: `row,phone,orderID,status,reason`. UTF-8 with a BOM, so spreadsheet programs
// show Chinese reasons and names correctly.

export const REPORT_COLUMNS = ['row', 'phone', 'orderID', 'status', 'reason'] as const;
export const ROW_STATUSES: readonly RowStatus[] = ['accepted', 'rejected-locally', 'rejected-by-server', 'not-sent', 'unknown'];

export function defaultReportName(userTaskID: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const task = userTaskID.replace(/[^\w.-]+/g, '_').slice(0, 64);
  return `callbot-report-${task}-${stamp}.csv`;
}

/**
 * A cell as CSV: quoted when it holds a delimiter, quote or line break. A cell that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`: the phone
 * column shows what people typed when it could not be read as a number.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function writeReport(file: string, outcomes: readonly RowOutcome[]): Promise<void> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([error]) => { throw error; });
  failed.catch(() => {}); // raced below; this only keeps an early error from being "unhandled"
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  await write(`\ufeff${REPORT_COLUMNS.join(',')}\n`);
  for (let start = 0; start < outcomes.length; start += 2000) {
    let chunk = '';
    for (const o of outcomes.slice(start, start + 2000)) {
      chunk += `${o.row},${csvCell(o.phone)},${csvCell(o.orderID)},${o.status},${csvCell(o.reason)}\n`;
    }
    await write(chunk);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

export type StatusCounts = Record<RowStatus, number>;

export function countStatuses(outcomes: readonly RowOutcome[]): StatusCounts {
  const counts = Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const o of outcomes) counts[o.status] += 1;
  return counts;
}

/** The summary table printed at the end. */
export function summaryTable(counts: StatusCounts): string {
  const total = ROW_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  const width = Math.max(...ROW_STATUSES.map((s) => s.length), 'total'.length);
  const digits = String(total).length;
  const line = (label: string, n: number) => `  ${label.padEnd(width)}  ${String(n).padStart(digits)}`;
  return [...ROW_STATUSES.filter((s) => counts[s] > 0 || s === 'accepted').map((s) => line(s, counts[s])), `  ${'-'.repeat(width + digits + 2)}`, line('total', total)].join('\n');
}
