import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

// Reading a file a user named (`--config`, `--settings`, `sign --body`, an import list): only a
// regular file, and never more than a bound counted in bytes actually read. The size a file
// reports is no bound: a device says 0 (`/dev/zero` then reads forever), a file may grow while
// it is read. A FIFO or device is refused before anything is read; it is opened without waiting
// (O_NONBLOCK), because opening a FIFO that has no writer blocks the process, silently.

/** Why a file was not read: a phrase that completes `--config FILE: …`, never quoting the file. */
export class FileReadError extends Error {}

/** What a file that is not a regular one is, for a message; undefined for a regular file. */
export function notARegularFile(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Opens `file` for reading, refusing anything but a regular file (FileReadError). The caller
 * closes the descriptor.
 */
export function openRegularFile(file: string): number {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO opens at once (and is then refused); a regular file reads as ever. Not on Windows (no FIFOs there).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new FileReadError(`cannot read it (${errorCode(error)})`);
  }
  try {
    const kind = notARegularFile(fstatSync(fd));
    if (kind) throw new FileReadError(`is ${kind}, not a file: give the path of a regular file`);
  } catch (error) {
    closeSync(fd);
    throw error instanceof FileReadError ? error : new FileReadError(`cannot read it (${errorCode(error)})`);
  }
  return fd;
}

/** The bytes of a regular file of at most `maxBytes` bytes, counted as they are read; FileReadError otherwise. */
export function readBoundedFile(file: string, maxBytes: number): Buffer {
  const fd = openRegularFile(file);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // One byte more than the bound can hold: reading it proves the file is over.
    const buffer = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1));
    for (;;) {
      let length: number;
      try {
        length = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        throw new FileReadError(`cannot read it (${errorCode(error)})`);
      }
      if (length === 0) return Buffer.concat(chunks, total);
      total += length;
      if (total > maxBytes) throw new FileReadError(`has more than ${maxBytes} bytes: is it the right file?`);
      chunks.push(Buffer.from(buffer.subarray(0, length)));
    }
  } finally {
    closeSync(fd);
  }
}
