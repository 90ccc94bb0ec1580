import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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

/** Temporary files being written (removed if the process has to stop at once). */
const pendingTemps = new Set<string>();

/** Removes the temporary files of reports being written; for a process about to exit at once. */
export function removePendingTempFiles(): void {
  for (const temp of pendingTemps) rmSync(temp, { force: true });
  pendingTemps.clear();
}

/** A name for a temporary file beside `file` (same folder, so a rename replaces `file` at once). */
export const tempPathBeside = (file: string) => join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes the report to `file` so that `file` is never half-written, whatever happens to the
 * process: the text goes to a temporary file in the same folder, is flushed to the disk (fsync)
 * and then renamed over `file` (atomic), and the folder is flushed too. A reader, or a run that
 * was killed, sees the previous report or the new one, never a part.
 *
 * `exclusive`: a new report, which never replaces anything — not the report of another run of
 * the same task in the same second, nor one written at the same moment by a run beside it. The
 * finished temporary file is renamed to the first name not taken of `file`, `file-2.csv`,
 * `file-3.csv`, …, each name claimed first with O_EXCL (claimName). Resolves with the path
 * written: `file` itself unless exclusive.
 *
 * A `file` that exists and is not a regular file — a character device such as /dev/null or a
 * FIFO — is written in place instead (renaming would replace the device node itself). A
 * symbolic link is never followed: the caller refuses one (report-path.ts); were one there, the
 * rename would replace the link, not its target.
 */
export async function writeReport(file: string, outcomes: readonly RowOutcome[], { exclusive = false } = {}): Promise<string> {
  let existing: Stats | undefined;
  try {
    existing = exclusive ? undefined : lstatSync(file);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile() && !existing.isSymbolicLink()) {
    await writeInPlace(file, outcomes);
    return file;
  }

  // Synchronous calls: a handful of them, each a few milliseconds, where a chain of
  // thread-pool round trips waits for the event loop at every step (on a busy machine that
  // made the report the slowest part of a small import). Signals are handled right after.
  const temp = tempPathBeside(file);
  pendingTemps.add(temp);
  let fd: number | undefined;
  let written = file;
  try {
    fd = openSync(temp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    for (const chunk of reportChunks(outcomes)) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (exclusive) written = claimName(file, temp);
    else renameSync(temp, file);
    pendingTemps.delete(temp);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    try {
      rmSync(temp, { force: true });
    } catch {
      // left behind in the report's folder, named as a temporary file
    }
    pendingTemps.delete(temp);
    throw error;
  }
  syncFolder(dirname(written));
  return written;
}

/** The most names claimName tries (`-2` … `-1000`) before it gives up. */
export const MAX_REPORT_NAME_TRIES = 1000;

/** `callbot-report-t-20240506-070809.csv`, 2 → `callbot-report-t-20240506-070809-2.csv`. */
export const numberedName = (file: string, n: number) => (n === 1 ? file : file.replace(/(\.csv)?$/i, (ext) => `-${n}${ext}`));

/**
 * Moves the finished `temp` to the first free name of `file`, `file-2.csv`, …: each name is
 * first created empty with O_EXCL ('wx': it fails when anything is there, a link or a folder
 * included, also when another process created it an instant before), and only the name so
 * claimed is renamed over. Returns the name taken.
 */
function claimName(file: string, temp: string): string {
  for (let n = 1; n <= MAX_REPORT_NAME_TRIES; n += 1) {
    const name = numberedName(file, n);
    try {
      closeSync(openSync(name, 'wx'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      renameSync(temp, name);
    } catch (error) {
      rmSync(name, { force: true }); // our own empty claim
      throw error;
    }
    return name;
  }
  throw Object.assign(new Error(`EEXIST: ${file} and ${MAX_REPORT_NAME_TRIES - 1} numbered names beside it are taken`), { code: 'EEXIST' });
}

/**
 * Writes `text` to `fd` as UTF-8, all of it. A whole text is written without making a Buffer
 * of it first (no garbage the size of the report left for the collector); when the system
 * writes only part of it, the rest goes as bytes.
 */
function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text, null, 'utf8');
  const total = Buffer.byteLength(text);
  if (written === total) return;
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = written; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}

/** Makes a rename in `folder` durable (best effort: not every platform can open a folder). */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here; the rename itself is still atomic
  } finally {
    try {
      if (fd !== undefined) closeSync(fd);
    } catch {
      // nothing more to do
    }
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

/** Where a report goes when it cannot be written where it was asked for: a new file in the OS temp folder. */
export function fallbackReportPath(file: string): string {
  const stem =
    basename(file)
      .replace(/\.csv$/i, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 64) || 'report';
  return join(tmpdir(), `callbot-report-${stem}-${process.pid}-${randomBytes(4).toString('hex')}.csv`);
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
