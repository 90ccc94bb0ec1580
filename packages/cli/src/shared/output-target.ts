import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './usage-error.js';

// A file the user names for us to append to (`callbot listen --out`), opened and checked before
// anything is read or written. The checks are made on the opened file, not on its path, so what
// was checked is what is read back and written (a path replaced in between changes nothing):
// - only a regular file (created when missing). A FIFO would hold the first read (or an open for
//   writing) until another process comes, silently; a device such as /dev/zero answers every read
//   without end (the file is read back at start) and /dev/full fails every write; /dev/null would
//   take the lines and give none back. Opened with O_NONBLOCK, so opening a FIFO never waits;
// - never a file that must not be written (the config file: it holds the secret key), recognised
//   by device and inode, so another spelling, a symbolic link or a hard link is recognised too.
// Refusals are OutputTargetError (a configuration error to the verbs: exit 1, nothing done).

export class OutputTargetError extends UsageError {}

/** A file the output must never be. */
export interface ProtectedFile {
  path: string;
  /** How to name it in the message: `the config file`. */
  label: string;
}

const kindOf = (s: Awaited<ReturnType<FileHandle['stat']>>) =>
  s.isFIFO()
    ? 'a FIFO (named pipe)'
    : s.isCharacterDevice()
      ? 'a character device'
      : s.isBlockDevice()
        ? 'a block device'
        : s.isSocket()
          ? 'a socket'
          : s.isDirectory()
            ? 'a folder'
            : 'not a regular file';

/**
 * Opens `path` to be read and appended to (`a+`), creating it when missing. `flag` names the
 * option in messages (`--out`). Throws OutputTargetError when it is not a regular file, is one of
 * `protectedFiles`, or cannot be opened.
 */
export async function openAppendTarget(path: string, flag: string, protectedFiles: readonly ProtectedFile[] = []): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0), 0o666);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new OutputTargetError(`${flag} ${path} is a folder: give the path of a file`);
    throw new OutputTargetError(`cannot open ${flag} ${path} (${code ?? (error as Error).message})`);
  }
  try {
    const target = await handle.stat();
    if (!target.isFile()) {
      throw new OutputTargetError(
        `${flag} ${path} is ${kindOf(target)}: it must be a regular file (it is read back at start and each line is fsync'ed before it is acknowledged); give the path of a file`,
      );
    }
    for (const { path: other, label } of protectedFiles) {
      const protectedStat = await stat(other).catch(() => undefined);
      const same = protectedStat ? protectedStat.dev === target.dev && protectedStat.ino === target.ino : resolve(other) === resolve(path);
      if (same) throw new OutputTargetError(`${flag} ${path} is ${label} ${other}: it would be appended to; choose another ${flag} path`);
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
