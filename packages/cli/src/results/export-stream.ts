import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { CallbotClient } from 'callbot-contract';
import { type AtomicFile, openAtomicFile } from '../shared/atomic-file.js';
import { asText, fields } from '../shared/vendor-values.js';
import { type Cell, cell } from './csv.js';
import { IdDigestSet } from './id-digests.js';
import type { ExportedOrder } from './rows.js';

// The export answer (exportBatchCall: the whole batch in one JSON document, one entry per call;
// about 300 bytes a call, so 300 MB for a million calls) read as a stream: the contract's
// exportBatchCallStream parses it as it arrives, hashing its bytes for the signature, and hands
// over one callList entry at a time. Each is reduced to what the export needs of it (orderID,
// phone, other) and spooled to a temporary file (the temp folder; removed at the end, or on a
// signal), never held: memory keeps only 128-bit digests of the orderIDs (an order appears once
// per call made: its first entry is spooled, a later one skipped), so the bound is disk and
// time, not memory (IdDigestSet: 64 MiB at most, about 3.3 million orders). The spool is read back only once the stream ended with the
// signature verified: no row of an unverified answer is ever written.

/** Spooled lines: `[NAMED, orderID, phone, other]` or `[UNNAMED, orderID as it came, phone, other]`. */
const NAMED = 0;
const UNNAMED = 1;
type SpoolLine = [typeof NAMED | typeof UNNAMED, Cell, Cell, Cell];

/** Spooled text is written in pieces of about this many characters. */
const SPOOL_PIECE = 64 * 1024;

export interface BatchOrders {
  /** The orders with an orderID, each once, in the order of their first entry, `size` at a time. */
  named(size: number): AsyncGenerator<{ orderID: string; order: ExportedOrder }[]>;
  /** The entries without a usable orderID (null, missing, not a string), as they came. */
  unnamed(): AsyncGenerator<ExportedOrder & { orderID: Cell }>;
  batchID: string | undefined;
  /** Removes the spool. Never throws. */
  close(): Promise<void>;
}

export interface StreamOptions {
  /** The whole answer read within this many ms (its size is bounded by the contract's default: disk, not memory). */
  timeoutMs: number;
  /** Where the spool goes (the IO's TMPDIR). */
  tempFolder: string;
}

/** The latest batch's orders, from exportBatchCall's answer read as a stream, spooled to disk. */
export async function streamBatchOrders(client: CallbotClient, userTaskID: string, options: StreamOptions): Promise<BatchOrders> {
  const spool = await openAtomicFile(join(options.tempFolder, 'callbot-export.jsonl'), { mode: 0o600, ending: '.spool' });
  try {
    const seen = new IdDigestSet();
    let text = '';
    const stream = client.exportBatchCallStream({ userTaskID }, { timeoutMs: options.timeoutMs });
    for await (const entry of stream) {
      const call = fields(entry);
      const id = call.orderID;
      if (typeof id !== 'string' || id === '') {
        text += `${JSON.stringify([UNNAMED, cell(id), cell(call.userPhone), cell(call.other)] satisfies SpoolLine)}\n`;
      } else if (seen.add(id)) {
        text += `${JSON.stringify([NAMED, id, cell(call.userPhone), cell(call.other)] satisfies SpoolLine)}\n`;
      }
      if (text.length >= SPOOL_PIECE) {
        await spool.write(Buffer.from(text, 'utf8'));
        text = '';
      }
    }
    await spool.write(Buffer.from(text, 'utf8'));
    const batchID = stream.answer?.batchID;
    return {
      batchID: batchID === undefined || batchID === null ? undefined : asText(batchID),
      async *named(size) {
        let chunk: { orderID: string; order: ExportedOrder }[] = [];
        for await (const [kind, orderID, phone, other] of spooled(spool)) {
          if (kind !== NAMED) continue;
          chunk.push({ orderID: orderID as string, order: { phone, other } });
          if (chunk.length >= size) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length > 0) yield chunk;
      },
      async *unnamed() {
        for await (const [kind, orderID, phone, other] of spooled(spool)) {
          if (kind === UNNAMED) yield { orderID, phone, other };
        }
      },
      close: () => spool.abort(),
    };
  } catch (error) {
    await spool.abort();
    throw error;
  }
}

/**
 * The spool's lines, read back from the start (JSON's `null` is a cell that was undefined). Read
 * a chunk at a time as they are asked for: readline's async iterator would queue every line of
 * the file ahead of a slow consumer (listOrderDetail, 500 orders a request).
 */
async function* spooled(spool: AtomicFile): AsyncGenerator<SpoolLine> {
  let rest = '';
  for await (const chunk of createReadStream(spool.path, { encoding: 'utf8' }) as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line !== '') yield parsed(line);
  }
  if (rest !== '') yield parsed(rest);
}

function parsed(line: string): SpoolLine {
  const [kind, orderID, phone, other] = JSON.parse(line) as [SpoolLine[0], Cell | null, Cell | null, Cell | null];
  return [kind, orderID ?? undefined, phone ?? undefined, other ?? undefined];
}
