import { type FileHandle, open } from 'node:fs/promises';

// The output file of `callbot listen`, appended to. `append(text)` resolves only once the text
// is on the disk (written and fsync'ed): the receiver answers the vendor 200 after that, so an
// acknowledged callback is never lost. Callbacks that arrive while a write is under way are
// written together with one fsync (group commit); their number is bounded by the server's
// connection limit.
//
// A batch is on the disk whole or not at all. When its write or its fsync fails (disk full, a
// file-size limit, an I/O error), every callback of the batch is refused (its append rejects:
// the vendor is answered 500 and sends it again), so the file is cut back to where the batch
// began: lines of the batch already written whole would otherwise be written a second time by
// the retry, and a line cut short would glue the next append onto it. If the cut fails too, the
// log remembers it and cuts before its next write (refusing that batch when it still cannot).

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class AppendLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  /** Where the acknowledged lines end: the file's length as the answers describe it. */
  private end: number;
  /** A failed write left bytes past `end` that could not be cut yet. */
  private dirty = false;

  private constructor(
    private readonly handle: FileHandle,
    /** Bytes in the file when it was opened. */
    readonly initialSize: number,
  ) {
    this.end = initialSize;
  }

  static async open(file: string): Promise<AppendLog> {
    const handle = await open(file, 'a');
    const { size } = await handle.stat();
    return new AppendLog(handle, size);
  }

  /** A log over a handle opened for appending (see shared/output-target.ts) whose file is `size` bytes long. */
  static over(handle: FileHandle, size: number): AppendLog {
    return new AppendLog(handle, size);
  }

  append(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (this.dirty) await this.cutBack();
        const bytes = Buffer.from(batch.map((p) => p.text).join(''), 'utf8');
        try {
          for (let offset = 0; offset < bytes.length; ) {
            const { bytesWritten } = await this.handle.write(bytes, offset);
            if (bytesWritten === 0) throw Object.assign(new Error('the file takes no more bytes'), { code: 'ENOSPC' });
            offset += bytesWritten;
          }
          await this.handle.sync();
        } catch (error) {
          this.dirty = true;
          await this.cutBack().catch(() => undefined); // still dirty: cut before the next write
          throw error;
        }
        this.end += bytes.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    }
  }

  /** Cuts the file back to its acknowledged lines (and makes that durable). */
  private async cutBack(): Promise<void> {
    await this.handle.truncate(this.end);
    await this.handle.sync();
    this.dirty = false;
  }

  /** Waits for the writes under way, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}
