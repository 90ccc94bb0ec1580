import { once } from 'node:events';
import { createWriteStream, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { type AtomicFile, openAtomicFile } from '../shared/atomic-file.js';
import { UsageError } from '../shared/usage-error.js';

// Where a reading verb's rows go. Text arrives in chunks (a page at a time, at most CHUNK_BYTES
// each) and each chunk is written before the next page is asked for, so memory holds one page.
//
// A file is written the way of shared/atomic-file.ts (a temporary name beside it, flushed, then
// renamed over the target): an export that fails or is interrupted never leaves a half file
// under the final name (its temporary file is removed, or kept under its own name when asked:
// keep()). `-` is stdout, written as the pages come, with its backpressure respected. A target
// that exists and is not a regular file (/dev/null, a FIFO) is written in place; a symbolic link
// is refused (the rename would replace the link, not its target).

export class OutputError extends UsageError {}

export interface Output {
  /** Writes `text`; resolves when it has been handed to the file or stdout (backpressure). */
  write(text: string): Promise<void>;
  /** Makes the output final: flush, fsync, rename. */
  commit(): Promise<void>;
  /** Drops what was written (the temporary file is removed); never throws. */
  abort(): Promise<void>;
  /**
   * Stops writing and keeps what was written under its temporary name, flushed to the disk (the
   * target is not touched): that name, or undefined for stdout or a device. Never throws.
   */
  keep(): Promise<string | undefined>;
  /** What to call the output in messages: the target path, or "stdout". */
  readonly name: string;
}

/** `stdout`: the verb's (VerbIo), where `-` writes. */
export async function openOutput(target: string, stdout?: NodeJS.WritableStream): Promise<Output> {
  if (target === '-') {
    if (!stdout) throw new OutputError('--out -: this run has no stdout to write to');
    return streamOutput(stdout, 'stdout', false);
  }
  let existing: Stats | undefined;
  try {
    existing = await lstat(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink()) throw new OutputError(`--out ${target} is a symbolic link: give the real path`);
  if (existing?.isDirectory()) throw new OutputError(`--out ${target} is a folder: give a file name`);
  if (existing && !existing.isFile()) return streamOutput(createWriteStream(target, { flags: 'a' }), target, true);

  let file: AtomicFile;
  try {
    file = await openAtomicFile(target, { mode: existing ? existing.mode & 0o777 : 0o666, ending: '.partial' });
  } catch (error) {
    throw new OutputError(`cannot write beside ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return {
    name: target,
    write: (text) => file.write(Buffer.from(text, 'utf8')),
    commit: () => file.commit(),
    abort: () => file.abort(),
    keep: () => file.keep(),
  };
}

/** stdout, or a device or FIFO: written as a stream. `end` closes it when done (never stdout). */
function streamOutput(stream: NodeJS.WritableStream, name: string, end: boolean): Output {
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    // `on`, not `once`: a stream may report more than one error (EPIPE per write after the reader left).
    stream.on('error', (error: Error) => {
      failure ??= error;
      reject(error);
    });
  });
  failed.catch(() => {}); // raced below; this only keeps an early error from being "unhandled"
  return {
    name,
    async write(text) {
      if (failure) throw failure;
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
    },
    async commit() {
      if (failure) throw failure;
      if (end) {
        stream.end();
        await Promise.race([once(stream, 'finish'), failed]);
      }
    },
    async abort() {
      if (end) stream.end();
    },
    async keep() {
      if (end) stream.end();
      return undefined;
    },
  };
}
