import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Options } from 'csv-parse';

/**
 * The line on which the record with a quote never closed begins. csv-parse reports the line
 * where it gave up (the end of the file), not where the quote opened, and counts a CRLF inside
 * a quoted cell as two lines. So a second pass, on this error's path only, notes the byte at
 * which each record ends (`on_record`'s context, an object per record: too costly for every
 * import), and the line breaks before the last complete record's end are counted here. Undefined
 * if the second pass does not fail the same way.
 */
export async function unclosedQuoteLine(file: string, options: Options): Promise<number | undefined> {
  const { parse } = await import('csv-parse');
  let lastEnd = 0;
  const parser = parse({
    ...options,
    on_record: (_record, context) => {
      lastEnd = context.bytes;
      return null; // counted, not kept
    },
  });
  const discard = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(file), parser, discard);
    return undefined;
  } catch (error) {
    if ((error as { code?: string }).code !== 'CSV_QUOTE_NOT_CLOSED') return undefined;
  }
  return 1 + (await lineBreaksBefore(file, lastEnd));
}

/** How many LF bytes the first `end` bytes of `file` hold (read a chunk at a time). */
async function lineBreaksBefore(file: string, end: number): Promise<number> {
  let count = 0;
  if (end === 0) return count;
  for await (const chunk of createReadStream(file, { end: end - 1 }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count += 1;
  }
  return count;
}
