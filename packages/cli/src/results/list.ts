import { CallbotPagingError, type ListCallInput, type ListOrderInput, type PagingCountMismatch } from 'callbot-contract';
import { fields } from '../shared/vendor-values.js';
import type { ConnectionFlags } from '../shared/credentials.js';
import { resolveApiConnection } from '../shared/credentials.js';
import { readingClient } from './connection.js';
import { cellText } from '../shared/csv-cell.js';
import { type Format, rowWriter } from './csv.js';
import type { ReadIO } from './export.js';
import { IdBudgetError, IdDigestSet } from './id-digests.js';
import { openOutput, type Output } from './output.js';
import { PageWriter } from './page-writer.js';
import { ORDER_CALL_COLUMNS, orderCallRow, type TimeStyle } from './rows.js';
import { type ResultSummary, Tally } from './summary.js';

// `callbot orders` (listOrder: each order with its last call) and `callbot calls` (listCall:
// every call), every page: the client's iterators read one page at a time; the rows of each
// page are written before the next is asked for. An item listed twice (paging that shifted
// while it was read) is written once: the ids written are remembered as 16-byte digests
// (id-digests.ts), at most 64 MiB of them, whatever the ids' length.
//
// The vendor's paging is checked, not trusted. The run stops — exit 3, the rows read so far
// kept under the temporary name, the target untouched — when the pages never end: more
// distinct items than the digests can hold, PAGES_OF_REPEATS pages' worth of items in a row
// that were all written already (a vendor cycling through its pages), or the client's own
// checks (a full page repeating one before it; more pages than the items could fill).
// Pages that end away from the vendor's totalCount are a warning (and exit 2 when fewer).

/** Items in a row already written, in pages, after which the paging is not trusted. */
export const PAGES_OF_REPEATS = 10;

/** Items in a row that were all written already (found inside the loop; reported as UntrustedPagingError). */
class RepeatingPagesError extends Error {}

/** The vendor's paging cannot be trusted; the rows read before it are kept in `keptFile`. */
export class UntrustedPagingError extends Error {
  constructor(
    message: string,
    readonly rows: number,
    readonly keptFile: string | undefined,
  ) {
    super(message);
  }
}

export type ListRequest = {
  userTaskID: string;
  out?: string | undefined;
  format: Format;
  bom?: boolean | undefined;
  time: TimeStyle;
  pageSize: number;
  timeoutMs: number;
  connection: ConnectionFlags;
  /** The most bytes the ids written may take (tests make it small). */
  maxIdBytes?: number | undefined;
} & ({ verb: 'orders'; options: ListOrderInput['options'] } | { verb: 'calls'; options: ListCallInput['options'] });

/** An id to deduplicate on: a string or number the vendor gave; '' (never deduplicated) for anything else. */
const idText = (id: unknown): string => (typeof id === 'string' || typeof id === 'number' ? String(id) : '');

export async function runList(request: ListRequest, io: ReadIO): Promise<ResultSummary> {
  const started = Date.now();
  const settings = resolveApiConnection(request.connection, io.env);
  const { client, requests } = readingClient(settings, { timeoutMs: request.timeoutMs });
  const seen = new IdDigestSet(request.maxIdBytes);
  let mismatch: PagingCountMismatch | undefined;
  const paging = {
    // Enough pages for every item the digests can hold, and a few more to find the end.
    maxPages: Math.ceil(seen.capacity / request.pageSize) + PAGES_OF_REPEATS,
    onCountMismatch: (found: PagingCountMismatch) => {
      mismatch = found;
    },
  };
  const query = { userTaskID: request.userTaskID, size: request.pageSize };
  // Items are read as they came (rows.ts): one without an id (null, `{}`) is written, never deduplicated.
  const items: AsyncGenerator<unknown> =
    request.verb === 'orders' ? client.orders({ ...query, options: request.options }, paging) : client.calls({ ...query, options: request.options }, paging);
  const idOf =
    request.verb === 'orders' ? (item: unknown) => idText(fields(item).orderID) : (item: unknown) => idText(fields(fields(item).callInfoDetail).callID);

  const tally = new Tally();
  const output: Output | undefined = request.out ? await openOutput(request.out, io.stdout) : undefined;
  const page = new PageWriter(output, rowWriter(request.format, ORDER_CALL_COLUMNS, { bom: request.bom }));
  let duplicatesSkipped = 0;
  let repeatsInARow = 0;
  try {
    await page.start();
    for await (const item of items) {
      const id = cellText(idOf(item)); // an id of another type than the string expected is still an id
      if (id && !seen.add(id)) {
        duplicatesSkipped += 1;
        repeatsInARow += 1;
        if (repeatsInARow >= PAGES_OF_REPEATS * request.pageSize) {
          throw new RepeatingPagesError(`${repeatsInARow} items in a row (${PAGES_OF_REPEATS} pages) were all written already: its pages repeat`);
        }
        continue;
      }
      repeatsInARow = 0;
      const row = orderCallRow(item, request.time);
      page.add(row);
      if (request.verb === 'orders') tally.add('finished', row.finished);
      tally.add('callStatus', row.callStatus);
      if (page.buffered >= request.pageSize) {
        await page.flush();
        io.onPage?.(page.rows);
      }
    }
    await page.flush();
    await output?.commit();
  } catch (error) {
    const why = untrustedPaging(error, paging.maxPages);
    if (why === undefined) {
      await output?.abort();
      throw error;
    }
    // The rows read are real answers: kept (not under the target's name) for the user to look at.
    await page.flush().catch(() => {});
    const keptFile = await (output?.keep() ?? Promise.resolve(undefined));
    throw new UntrustedPagingError(`the vendor's paging cannot be trusted: ${why}; stopped`, page.rows, keptFile);
  }
  const operation = request.verb === 'orders' ? 'listOrder' : 'listCall';
  // Items listed twice explain pages that ran past the count: only a real difference is reported.
  const warnings = mismatch && !(mismatch.kind === 'more' && page.rows <= mismatch.totalCount) ? [mismatch.message] : [];
  return {
    verb: request.verb,
    userTaskID: request.userTaskID,
    file: request.out ?? null,
    format: request.out ? request.format : null,
    rows: page.rows,
    pages: requests.get(operation) ?? 0,
    requests: Object.fromEntries(requests),
    durationMs: Date.now() - started,
    counts: tally.counts,
    duplicatesSkipped,
    warnings,
    ...(mismatch && warnings.length > 0 ? { countMismatch: { kind: mismatch.kind, totalCount: mismatch.totalCount, listed: mismatch.listed } } : {}),
  };
}

/** Why the paging cannot be trusted, for the message; undefined for any other error. */
function untrustedPaging(error: unknown, maxPages: number): string | undefined {
  if (error instanceof RepeatingPagesError) return error.message;
  if (error instanceof IdBudgetError) return `it listed ${error.message} without its pages coming to an end`;
  if (error instanceof CallbotPagingError) {
    return error.reason === 'repeated-page' ? `page ${error.page} repeats an earlier page item for item` : `its pages did not end within ${maxPages} pages`;
  }
  return undefined;
}
