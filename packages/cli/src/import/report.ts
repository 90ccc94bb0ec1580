import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RowOutcome, RowStatus } from './build-batch.js';
import { writeFileAtomic } from '../shared/atomic-file.js';
import { csvCell } from '../shared/csv-cell.js';

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

/** The report as CSV text, in chunks of 2,000 rows (a 100,000-row report is about 10 MB). */
function* reportChunks(outcomes: readonly RowOutcome[]): Generator<string> {
  yield `\ufeff${REPORT_COLUMNS.join(',')}\n`;
  // Many rows share their reason (every sent row, before the answer): quote it once.
  let lastReason = '';
  let lastReasonCell = '';
  for (let start = 0; start < outcomes.length; start += 2000) {
    let chunk = '';
    const end = Math.min(outcomes.length, start + 2000);
    for (let i = start; i < end; i += 1) {
      const o = outcomes[i]!;
      if (o.reason !== lastReason) {
        lastReason = o.reason;
        lastReasonCell = csvCell(o.reason);
      }
      chunk += `${o.row},${csvCell(o.phone)},${csvCell(o.orderID)},${o.status},${lastReasonCell}\n`;
    }
    yield chunk;
  }
}

/** The whole report as one string: for stdout, when it can be written nowhere else. */
export function reportText(outcomes: readonly RowOutcome[]): string {
  return [...reportChunks(outcomes)].join('');
}

/**
 * Writes the report to `file` so that `file` is never half-written, whatever happens to the
 * process (shared/atomic-file.ts): the text goes to a temporary file in the same folder, is
 * flushed to the disk (fsync) and then renamed over `file` (atomic), and the folder is flushed
 * too. A reader, or a run that was killed, sees the previous report or the new one, never a part.
 *
 * `exclusive`: a new report, which never replaces anything — not the report of another run of
 * the same task in the same second, nor one written at the same moment by a run beside it. The
 * finished temporary file is linked to the first name not taken of `file`, `file-2.csv`,
 * `file-3.csv`, … (link() fails when anything holds the name, a link or a folder included, also
 * when another process took it an instant before). Resolves with the path written: `file`
 * itself unless exclusive.
 *
 * A `file` that exists and is not a regular file — a character device such as /dev/null or a
 * FIFO — is written in place instead (renaming would replace the device node itself). A
 * symbolic link is never followed: the caller refuses one (report-path.ts); were one there, the
 * rename would replace the link, not its target.
 */
export async function writeReport(file: string, outcomes: readonly RowOutcome[], { exclusive = false } = {}): Promise<string> {
  if (exclusive) {
    const nextName = (n: number) => (n <= MAX_REPORT_NAME_TRIES ? numberedName(file, n) : undefined);
    try {
      return writeFileAtomic(file, reportChunks(outcomes), { nextName });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw Object.assign(new Error(`EEXIST: ${file} and ${MAX_REPORT_NAME_TRIES - 1} numbered names beside it are taken`), { code: 'EEXIST' });
    }
  }
  if (isDevice(file)) {
    await writeInPlace(file, outcomes);
    return file;
  }
  // Synchronous calls (shared/atomic-file.ts): a handful of them, each a few milliseconds, where
  // a chain of thread-pool round trips waits for the event loop at every step (on a busy machine
  // that made the report the slowest part of a small import). Signals are handled right after.
  return writeFileAtomic(file, reportChunks(outcomes), { replace: true });
}

/** The most names a new report tries (`file`, `-2` … `-1000`) before it gives up. */
export const MAX_REPORT_NAME_TRIES = 1000;

/** `callbot-report-t-20240506-070809.csv`, 2 → `callbot-report-t-20240506-070809-2.csv`. */
export const numberedName = (file: string, n: number) => (n === 1 ? file : file.replace(/(\.csv)?$/i, (ext) => `-${n}${ext}`));

/** Something at `file` that is neither a regular file nor a link: a device or a FIFO. */
function isDevice(file: string): boolean {
  try {
    const entry = lstatSync(file);
    return !entry.isFile() && !entry.isSymbolicLink();
  } catch {
    return false;
  }
}

/** A device or FIFO: written as a stream, in place. */
async function writeInPlace(file: string, outcomes: readonly RowOutcome[]): Promise<void> {
  const out = createWriteStream(file, { encoding: 'utf8', flags: 'a' });
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => {}); // raced below; this only keeps an early error from being "unhandled"
  for (const chunk of reportChunks(outcomes)) {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

/** Where a report goes when it cannot be written where it was asked for: a new file in the temp folder (the IO's TMPDIR, else the OS's). */
export function fallbackReportPath(file: string, tempFolder = tmpdir()): string {
  const stem =
    basename(file)
      .replace(/\.csv$/i, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 64) || 'report';
  return join(tempFolder, `callbot-report-${stem}-${process.pid}-${randomBytes(4).toString('hex')}.csv`);
}

/** Why a write failed, short: the errno code, or the message. */
export const writeErrorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

export interface SavedReport {
  /** Set when the report could not be written to its path: why. */
  reportError?: string | undefined;
  /** Where the report was written instead (the OS temp folder). */
  fallbackReport?: string | undefined;
  /** Why the fallback could not be written either. */
  fallbackError?: string | undefined;
  /** The report as CSV text, when it could be written nowhere: to be printed. */
  unsavedReport?: string | undefined;
}

/**
 * Writes the report to `file`; when that fails, to `fallback` (default: a new file in the OS
 * temp folder); when that fails too, hands back its text. The results are never lost.
 */
export async function saveReport(file: string, outcomes: readonly RowOutcome[], fallback = fallbackReportPath(file)): Promise<SavedReport> {
  try {
    await writeReport(file, outcomes);
    return {};
  } catch (error) {
    const reportError = writeErrorCode(error);
    try {
      await writeReport(fallback, outcomes);
      return { reportError, fallbackReport: fallback };
    } catch (fallbackError) {
      return { reportError, fallbackError: writeErrorCode(fallbackError), unsavedReport: reportText(outcomes) };
    }
  }
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
  return [
    ...ROW_STATUSES.filter((s) => counts[s] > 0 || s === 'accepted').map((s) => line(s, counts[s])),
    `  ${'-'.repeat(width + digits + 2)}`,
    line('total', total),
  ].join('\n');
}
