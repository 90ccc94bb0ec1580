import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, rmSync, type Stats, writeFileSync, writeSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// The one way the command writes a whole file: under a temporary name in the same folder (so the
// rename is atomic), flushed to the disk, then renamed over the target, and the folder flushed.
// A reader, or a run that was killed, sees the previous file or the new one, never a part. A
// file that exists is replaced only when the caller says so (`replace`); otherwise it is kept and
// the write fails with EEXIST, or takes the next free name the caller gives (import's reports:
// `-2`, `-3`, …). A target being replaced that is not a regular file (/dev/null, a FIFO) is
// written in place (renaming would replace the device node). Symbolic links are the caller's
// to refuse: a rename replaces the link, not its target.
//
// Temporary files still being written are remembered, so that a process about to exit on a
// signal removes them (removePendingTempFiles) and leaves nothing half-written behind.

const pendingTemps = new Set<string>();

/** Removes every temporary file still being written, synchronously: for a process about to exit. */
export function removePendingTempFiles(): void {
  for (const temp of pendingTemps) rmSync(temp, { force: true });
  pendingTemps.clear();
}

/** A name for a temporary file beside `file` (same folder, so a rename replaces `file` at once): `.NAME.PID-RANDOM<ending>`. */
export const tempPathBeside = (file: string, ending = '.tmp') =>
  join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}${ending}`);

/** What is at `file` (not following a link), or undefined. */
function existingAt(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

export interface AtomicWriteOptions {
  /** An existing regular file (or link) at the target is replaced. */
  replace?: boolean;
  /**
   * Without `replace`: the name to try when the one before is taken (n = 2, 3, …), or undefined
   * to give up (the EEXIST is thrown). The file takes the first name free.
   */
  nextName?: (n: number) => string | undefined;
}

/**
 * Writes `chunks` to `file` atomically and returns the name written. `replace`: an existing
 * regular file (or link) is replaced (a new file gets its mode), a device or FIFO written in
 * place; without it, anything already at the name is left alone and the write fails with EEXIST
 * or, with `nextName`, goes to the first free name it gives (the new file is published with
 * link(), which fails when the name is taken, also by another process an instant before).
 */
export function writeFileAtomic(file: string, chunks: Iterable<string>, { replace = false, nextName }: AtomicWriteOptions = {}): string {
  const existing = replace ? existingAt(file) : undefined;
  if (existing && !existing.isFile() && !existing.isSymbolicLink()) {
    for (const chunk of chunks) writeFileSync(file, chunk, { flag: 'a' });
    return file;
  }
  const temp = tempPathBeside(file);
  pendingTemps.add(temp);
  let fd: number | undefined;
  let written = file;
  try {
    fd = openSync(temp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    for (const chunk of chunks) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (replace) renameSync(temp, file);
    else {
      written = linkFirstFree(temp, file, nextName);
      rmSync(temp, { force: true });
    }
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    rmSync(temp, { force: true });
    throw error;
  } finally {
    pendingTemps.delete(temp);
  }
  syncFolder(dirname(written));
  return written;
}

/** Links `temp` to `file`, or when that is taken to the first free name `nextName` gives: the name linked. */
function linkFirstFree(temp: string, file: string, nextName: AtomicWriteOptions['nextName']): string {
  let name = file;
  for (let n = 2; ; n += 1) {
    try {
      linkSync(temp, name);
      return name;
    } catch (error) {
      const next = (error as NodeJS.ErrnoException).code === 'EEXIST' ? nextName?.(n) : undefined;
      if (next === undefined) throw error;
      name = next;
    }
  }
}

/** Writes `text` to `fd` as UTF-8, all of it (the system may take only part of it at a time). */
function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text, null, 'utf8');
  if (written === Buffer.byteLength(text)) return;
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = written; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}

/** Makes a rename in `folder` durable (best effort: not every platform can open a folder). */
export function syncFolder(folder: string): void {
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

/** A file being written a chunk at a time (a page of rows at a time), published by commit(). */
export interface AtomicFile {
  /** The temporary file's path (readable while it is written: what was written is there). */
  readonly path: string;
  /** Writes `bytes`, all of them. */
  write(bytes: Buffer): Promise<void>;
  /** Flush, fsync, rename over the target (it is replaced: the caller decided so), fsync the folder. */
  commit(): Promise<void>;
  /** Drops what was written (the temporary file is removed); never throws. */
  abort(): Promise<void>;
  /** Stops writing and keeps what was written under its temporary name, flushed: that name (undefined if even that failed). Never throws. */
  keep(): Promise<string | undefined>;
}

/** Opens a temporary file beside `target` (named `…<ending>`, with `mode`) for writeFileAtomic's way, a chunk at a time. */
export async function openAtomicFile(target: string, { mode = 0o666, ending = '.tmp' }: { mode?: number; ending?: string } = {}): Promise<AtomicFile> {
  const temp = tempPathBeside(target, ending);
  const handle: FileHandle = await open(temp, 'wx', mode);
  pendingTemps.add(temp);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const abort = async () => {
    await close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    pendingTemps.delete(temp);
  };
  return {
    path: temp,
    async write(bytes) {
      for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset)).bytesWritten;
    },
    async commit() {
      await handle.sync();
      await close();
      await rename(temp, target);
      pendingTemps.delete(temp);
      syncFolder(dirname(target));
    },
    abort,
    async keep() {
      try {
        await handle.sync();
        await close();
      } catch {
        await abort();
        return undefined;
      }
      pendingTemps.delete(temp);
      return temp;
    },
  };
}
