import { closeSync, openSync, readSync } from 'node:fs';

// Part of reading a call list (read-rows.ts): the bounded splitting of a byte stream into lines
// and CSV records — no line or record held past `maxBytes`, so a file that is not a call list
// (one line of 200 MB, a quote never closed) cannot fill the memory — and the quick scan that
// tells a plain CSV (no quotes, no stray carriage returns) from one that needs csv-parse.

/** Rows handed over per batch by csv-parse and JSON Lines reading. */
export const BATCH_ROWS = 512;

/**
 * The lines of a byte stream (split at `\n`, a `\r` before it dropped), decoded as UTF-8 and
 * handed over as one array per chunk, none longer than `maxBytes`: a longer one stops the
 * reading with `tooLong(lineNumber)` as soon as it passes the bound, so no more than `maxBytes`
 * plus one chunk is ever held. (boundedLines below, a line at a time, is for JSON Lines.)
 */
export async function* boundedLineBatches(
  input: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string[]> {
  for await (const region of boundedLineRegions(input, maxBytes, tooLong)) {
    const lines = region.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i += 1) {
      const text = lines[i]!;
      if (text.charCodeAt(text.length - 1) === 0x0d) lines[i] = text.slice(0, -1);
    }
    yield lines;
  }
}

/**
 * The records of a quote-free CSV byte stream, as boundedLineBatches bounds its lines: each line
 * split at `delimiter` (one ASCII character) where it lies. (Cells longer than a few characters
 * are then slices of their region's text, which stays alive while an order holds one: about
 * 8 MB more at the peak of a 100,000-row list than a string per cell, for a third of the
 * reading's time.)
 */
export async function* boundedRecordBatches(
  input: AsyncIterable<Buffer> & { destroy(): void },
  delimiter: string,
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string[][]> {
  for await (const region of boundedLineRegions(input, maxBytes, tooLong)) {
    // Decoded once per region, then split as text: the line end and the delimiter are ASCII, so
    // no UTF-8 sequence spans them and splitting the text gives the same cells as decoding each
    // cell's bytes (an invalid sequence still ends at them, one U+FFFD as before) — at a
    // fraction of the cost of a toString per cell.
    const lines = region.toString('utf8').split('\n');
    const records: string[][] = new Array(lines.length);
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i]!;
      records[i] = (line.endsWith('\r') ? line.slice(0, -1) : line).split(delimiter);
    }
    yield records;
  }
}

/**
 * The byte stream as pieces of whole lines (without their final `\n`); a line that spans chunks
 * is put together in a piece of its own. Every line's length (without its `\r`) is checked
 * against `maxBytes` where it lies. A piece may be a view of the chunk it came from: it is to be
 * used before asking for the next one (the chunk's buffer may then be filled again); the part
 * of a line carried over to the next chunk is copied.
 */
async function* boundedLineRegions(
  input: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let line = 0;
  try {
    for await (const chunk of input) {
      let start = 0;
      let held = carry?.length ?? 0;
      for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
        line += 1;
        const end = newline > 0 && chunk[newline - 1] === 0x0d ? newline - 1 : newline === 0 && carry?.at(-1) === 0x0d ? -1 : newline;
        if (held + end - start > maxBytes) throw tooLong(line);
        held = 0;
        start = newline + 1;
      }
      if (start === 0) {
        // No line ends in this chunk: it all belongs to the line being read.
        carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
        if (carry.length > maxBytes + 1) throw tooLong(line + 1); // + 1: the line may still end in \r\n
        continue;
      }
      let from = 0;
      if (carry) {
        // The line begun in an earlier chunk, completed by this one's first line end.
        const first = chunk.indexOf(0x0a);
        yield Buffer.concat([carry, chunk.subarray(0, first)]);
        carry = undefined;
        from = first + 1;
      }
      const rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
      if (rest && rest.length > maxBytes + 1) throw tooLong(line + 1);
      if (from < start) yield chunk.subarray(from, start - 1);
      carry = rest;
    }
    if (carry && carry.length > 0) yield carry;
  } finally {
    input.destroy();
  }
}

/**
 * Whether the file holds no CSV syntax but delimiters and line ends: no double quote, and no
 * carriage return except right before a line feed. Read in 1 MiB chunks (one pass over bytes
 * the reading will find in the page cache).
 */
export function isPlainCsv(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    let position = 0;
    let carriageReturnAtEnd = false;
    for (;;) {
      const length = readSync(fd, buffer, 0, buffer.length, position);
      if (length === 0) return !carriageReturnAtEnd;
      const chunk = length === buffer.length ? buffer : buffer.subarray(0, length);
      if (carriageReturnAtEnd && chunk[0] !== 0x0a) return false;
      if (chunk.indexOf(0x22) !== -1) return false;
      for (let cr = chunk.indexOf(0x0d); cr !== -1; cr = chunk.indexOf(0x0d, cr + 1)) {
        if (cr + 1 < length && chunk[cr + 1] !== 0x0a) return false;
      }
      carriageReturnAtEnd = chunk[length - 1] === 0x0d;
      position += length;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines of a byte stream (split at `\n`, a `\r` before it dropped), decoded as UTF-8, none
 * longer than `maxBytes`: a longer one stops the reading with `tooLong(lineNumber)` as soon as
 * it passes the bound, so no more than `maxBytes` plus one chunk is ever held.
 */
export async function* boundedLines(
  input: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let held = 0;
  let line = 0;
  const text = (last: Buffer) => {
    const bytes = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    parts = [];
    held = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    return bytes.toString('utf8', 0, end);
  };
  try {
    for await (const chunk of input) {
      let start = 0;
      for (let newline = chunk.indexOf(0x0a, start); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
        line += 1;
        const last = newline > start ? chunk[newline - 1] : parts.at(-1)?.at(-1);
        if (held + newline - start - (last === 0x0d ? 1 : 0) > maxBytes) throw tooLong(line);
        yield text(chunk.subarray(start, newline));
        start = newline + 1;
      }
      if (start < chunk.length) {
        held += chunk.length - start;
        if (held > maxBytes + 1) throw tooLong(line + 1); // + 1: the line may still end in \r\n
        parts.push(chunk.subarray(start));
      }
    }
    if (held > 0) {
      line += 1;
      yield text(Buffer.alloc(0));
    }
  } finally {
    input.destroy();
  }
}
