import { accessSync, closeSync, constants, lstatSync, openSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './credentials.js';
import { fallbackReportPath, tempPathBeside } from './report.js';

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

export interface ReportTarget {
  /** The report's absolute path. */
  path: string;
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

export function prepareReportPath(reportPath: string, protectedFiles: readonly ProtectedFile[]): ReportTarget {
  const path = resolve(reportPath);
  const report = statOrUndefined(path); // through links: what a write would reach
  for (const { path: other, label } of protectedFiles) {
    const input = statOrUndefined(resolve(other));
    // dev + inode: the same file under another spelling, a symlink or a hard link.
    const same = report && input ? report.dev === input.dev && report.ino === input.ino : path === resolve(other);
    if (same) throw new ConfigError(`--report ${reportPath} is ${label} ${other}: the report would overwrite it; choose another --report path`);
  }

  const cannot = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return new ConfigError(`cannot write the report ${path} (${code === 'ENOENT' ? `ENOENT: no folder ${dirname(path)}` : code})`);
  };
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
    const journal = fallbackReportPath(path);
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
  // Whether a file can be created in the folder: create an empty temporary one, remove it.
  const probe = tempPathBeside(path);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    throw cannot(error);
  }
  rmSync(probe, { force: true });
  return { path, kind: 'file', journal: path, fallback: fallbackReportPath(path), existed: entry !== undefined };
}
