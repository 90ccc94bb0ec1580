import { type FileHandle, open } from 'node:fs/promises';

// The output file of `callbot listen`, appended to. `append(text)` resolves only once the text
// is on the disk (written and fsync'ed): the receiver answers the vendor 200 after that, so an
// acknowledged callback is never lost. Callbacks that arrive while a write is under way are
// written together with one fsync (group commit); their number is bounded by the server's
// connection limit.

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class AppendLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(
    private readonly handle: FileHandle,
    /** Bytes in the file when it was opened. */
    readonly initialSize: number,
  ) {}

  static async open(file: string): Promise<AppendLog> {
    const handle = await open(file, 'a');
    const { size } = await handle.stat();
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
        const bytes = Buffer.from(batch.map((p) => p.text).join(''), 'utf8');
        for (let offset = 0; offset < bytes.length; ) offset += (await this.handle.write(bytes, offset)).bytesWritten;
        await this.handle.sync();
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    }
  }

  /** Waits for the writes under way, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}
