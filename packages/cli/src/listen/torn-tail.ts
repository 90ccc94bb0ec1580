import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

// A last line cut short in the output file (a crash, a power loss or an older version stopped
// mid-write: that callback was never acknowledged, and the vendor sends it again). New lines
// must not be glued onto it — a CSV line cut inside a quoted cell would swallow every row after
// it — so at start its bytes are copied to a file beside the output (`<out>.torn-<time>`, created
// new, never over another file) and the output is cut back to its last whole line.

const COPY_CHUNK = 64 * 1024;

/** Moves the bytes of `handle` (the file `out`) from `from` to its end into a new file beside it; returns that file and the byte count. */
export async function setAsideTornTail(handle: FileHandle, out: string, from: number): Promise<{ file: string; bytes: number }> {
  const { size } = await handle.stat();
  const file = `${out}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const copy = await open(file, 'wx');
  try {
    const buffer = Buffer.alloc(Math.min(COPY_CHUNK, Math.max(1, size - from)));
    for (let at = from; at < size; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - at), at);
      if (bytesRead === 0) break;
      await copy.write(buffer, 0, bytesRead);
      at += bytesRead;
    }
    await copy.sync();
  } finally {
    await copy.close();
  }
  await handle.truncate(from);
  await handle.sync();
  return { file, bytes: size - from };
}
