import { closeSync, openSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './credentials.js';

// The report is written last, after sending, so whether it can be written is checked before
// anything is sent. The check must not harm what is there: an existing file named by --report
// is kept as it is until the report replaces it at the end (a usage error leaves it alone), and
// the input file itself is never accepted as the report.

export interface ReportTarget {
  path: string;
  /** Whether this check created the (empty) file: only then may a usage error remove it again. */
  created: boolean;
}

const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

export function prepareReportPath(reportPath: string, inputPath: string): ReportTarget {
  const path = resolve(reportPath);
  const report = statOrUndefined(path);
  const input = statOrUndefined(resolve(inputPath));
  // dev + inode: the same file under another spelling, a symlink or a hard link.
  const sameFile = report && input ? report.dev === input.dev && report.ino === input.ino : path === resolve(inputPath);
  if (sameFile) throw new ConfigError(`--report ${reportPath} is the input file ${inputPath}: the report would overwrite it; choose another --report path`);

  const cannot = (error: unknown) => new ConfigError(`cannot write the report ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  try {
    // 'wx' creates the file only if it is not there: nothing existing is emptied.
    closeSync(openSync(path, 'wx'));
    return { path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannot(error);
  }
  try {
    // Exists: opening for appending proves it can be written, and changes nothing.
    closeSync(openSync(path, 'a'));
  } catch (error) {
    throw cannot(error);
  }
  return { path, created: false };
}
