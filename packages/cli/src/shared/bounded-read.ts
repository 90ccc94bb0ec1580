import type { Readable } from 'node:stream';
import { FileReadError } from 'callbot-contract/internal';

// Every file a `callbot` command reads because a user named it goes through here (or through
// callbot-contract/internal, whose bounded reader `--config` uses): only a regular file — a
// device or FIFO is refused with a message naming it, never waited on — and never more bytes
// than a bound counted as they are read. `--settings` and `sign --body` read whole files;
// `import` and `export --report` stream theirs, opened through openRegularFile.

export { FileReadError, openRegularFile, readBoundedFile } from 'callbot-contract/internal';

/** The largest body `callbot sign` reads (file or stdin): the client's default answer bound, twice the largest request. */
export const MAX_SIGN_BODY_BYTES = 64 * 1024 * 1024;

/** Reads a stream (stdin) to its end, at most `maxBytes` bytes: FileReadError past that, the stream left unread. */
export async function readBoundedStream(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new FileReadError(`has more than ${maxBytes} bytes: is it the right input?`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}
