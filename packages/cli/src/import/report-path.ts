import { accessSync, closeSync, constants, lstatSync, openSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../shared/credentials.js';
import type { RowOutcome } from './build-batch.js';
import { tempPathBeside } from '../shared/atomic-file.js';
import { fallbackReportPath, writeReport } from './report.js';

// Where the report goes, settled before anything is read or sent. The report is written twice
// when a batch is sent: before the first byte leaves (every row it sends listed `unknown` with
// the requestID) and after the answer (the real outcome), each time to a temporary file beside
// it that is renamed over it (report.ts). So the folder must let a file be created there, and
// the check must not harm what is there: an existing file is left as it is until a report
// replaces it, and nothing that must not be replaced is accepted as the report:
// - the input file or the config file (which holds the secret key), under any name: the same
//   file is recognised by device and inode, so another spelling, a hard link or a path through a
//   linked folder is recognised too;
// - a symbolic link: the report never writes through one (whatever it points to);
// - a folder.
// A character device or a FIFO (`/dev/null`, `/dev/stdout`) is written in place at the end; the
// pre-send copy then goes to a file in the OS temp folder (`journal`), since a device cannot be
// renamed over and a second report on a stream would only be appended to the first.
//
// A report without --report (its default name, beside the input) is a new file: it never
// replaces anything, not even another run's report of the same task written in the same second
// or at the same moment. It takes its name on its first write — the default name, or the first
// free one of `-2`, `-3`, … (report.ts, writeReport) — and keeps it for the rest of the run.

export interface ReportTarget {
  /** The report's absolute path (for a new report: once written, the name it took). */
  path: string;
  /** A new report (the default name): its first write takes a name nothing holds (see above). */
  exclusive?: boolean;
  /** A new report whose first write has taken its name (`path`). */
  named?: boolean;
  /** `file`: a regular file (or none yet), replaced by rename; `device`: written in place. */
  kind: 'file' | 'device';
  /** Where the pre-send copy goes: `path` itself, or for a device a file in the OS temp folder. */
  journal: string;
  /** Where the report goes if it cannot be written to `path` (for a device: `journal`). */
  fallback: string;
  /** Whether something was at `path` already (a run stopped before sending removes a report it created, and only that). */
  existed: boolean;
}

/** A file the report must never replace. */
export interface ProtectedFile {
  path: string;
  /** How to name it in the message: `the input file`, `the config file`. */
  label: string;
}

const lstatOrUndefined = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};
const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

const cannotWrite = (path: string) => (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new ConfigError(`cannot write the report ${path} (${code === 'ENOENT' ? `ENOENT: no folder ${dirname(path)}` : code})`);
};

/** Whether a file can be created beside `path`: creates an empty temporary one and removes it. */
function probeFolder(path: string, cannot: (error: unknown) => Error): void {
  const probe = tempPathBeside(path);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    throw cannot(error);
  }
  rmSync(probe, { force: true });
}

/** `tempFolder`: where the fallback (and a device's journal) go, the IO's TMPDIR. */
export function prepareReportPath(reportPath: string, protectedFiles: readonly ProtectedFile[], tempFolder?: string): ReportTarget {
  const path = resolve(reportPath);
  const report = statOrUndefined(path); // through links: what a write would reach
  for (const { path: other, label } of protectedFiles) {
    const input = statOrUndefined(resolve(other));
    // dev + inode: the same file under another spelling, a symlink or a hard link.
    const same = report && input ? report.dev === input.dev && report.ino === input.ino : path === resolve(other);
    if (same) throw new ConfigError(`--report ${reportPath} is ${label} ${other}: the report would overwrite it; choose another --report path`);
  }

  const cannot = cannotWrite(path);
  const entry = lstatOrUndefined(path);
  if (entry?.isSymbolicLink()) {
    throw new ConfigError(
      `--report ${reportPath} is a symbolic link: the report is never written through a link (it would replace what the link points to); give the path of a file`,
    );
  }
  if (entry?.isDirectory()) throw new ConfigError(`--report ${reportPath} is a folder: give the path of a file`);
  if (entry && !entry.isFile()) {
    // A device or a FIFO: written in place, at the end. Checked without opening (a FIFO's open waits for a reader).
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw cannot(error);
    }
    const journal = fallbackReportPath(path, tempFolder);
    return { path, kind: 'device', journal, fallback: journal, existed: true };
  }
  if (entry) {
    // A read-only report file is not replaced, though renaming over it would work.
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw cannot(error);
    }
  }
  probeFolder(path, cannot);
  return { path, kind: 'file', journal: path, fallback: fallbackReportPath(path, tempFolder), existed: entry !== undefined };
}

/**
 * The target of a new report at `reportPath` (the default name): nothing there is ever
 * replaced, so only the folder is checked (a file can be created there); the name itself is
 * taken on the first write (writeToTarget).
 */
export function prepareNewReportPath(reportPath: string, tempFolder?: string): ReportTarget {
  const path = resolve(reportPath);
  probeFolder(path, cannotWrite(path));
  return { path, kind: 'file', journal: path, fallback: fallbackReportPath(path, tempFolder), existed: false, exclusive: true };
}

/**
 * Writes the report to the target's `path` (`journal`: its pre-send copy). A new report's first
 * write takes its name, which becomes its `path` and `journal` from then on.
 */
export async function writeToTarget(target: ReportTarget, outcomes: readonly RowOutcome[], where: 'path' | 'journal' = 'path'): Promise<void> {
  if (target.exclusive && !target.named) {
    const written = await writeReport(target.path, outcomes, { exclusive: true });
    target.path = written;
    target.journal = written;
    target.named = true;
    return;
  }
  await writeReport(where === 'journal' ? target.journal : target.path, outcomes);
}
