import type { ListCallInput, ListOrderInput } from 'callbot-contract';
import { fields } from '../shared/vendor-values.js';
import type { ConnectionFlags } from '../import/credentials.js';
import { resolveApiConnection } from '../import/credentials.js';
import { readingClient } from './connection.js';
import { type Format, rowWriter } from './csv.js';
import type { ReadIO } from './export.js';
import { openOutput, type Output } from './output.js';
import { PageWriter } from './page-writer.js';
import { ORDER_CALL_COLUMNS, orderCallRow, type TimeStyle } from './rows.js';
import { type ResultSummary, Tally } from './summary.js';

// `callbot orders` (listOrder: each order with its last call) and `callbot calls` (listCall:
// every call), every page: the client's iterators read one page at a time; the rows of each
// page are written before the next is asked for. An item listed twice (paging that shifted
// while it was read) is written once: the ids seen are kept (one string per row: about 10 MB
// for 100,000 rows).

/**
 * The most items one run reads: the iterators stop at a short page or at `totalCount`, and a
 * vendor that sent full pages forever would otherwise grow the set of ids seen without end.
 */
export const MAX_LIST_ITEMS = 5_000_000;

export class ListTooLongError extends Error {}

export type ListRequest = {
  userTaskID: string;
  out?: string | undefined;
  format: Format;
  bom?: boolean | undefined;
  time: TimeStyle;
  pageSize: number;
  timeoutMs: number;
  connection: ConnectionFlags;
} & ({ verb: 'orders'; options: ListOrderInput['options'] } | { verb: 'calls'; options: ListCallInput['options'] });

/** An id to deduplicate on: a string or number the vendor gave; '' (never deduplicated) for anything else. */
const idText = (id: unknown): string => (typeof id === 'string' || typeof id === 'number' ? String(id) : '');

export async function runList(request: ListRequest, io: ReadIO): Promise<ResultSummary> {
  const started = Date.now();
  const settings = resolveApiConnection(request.connection, io.env);
  const { client, requests } = readingClient(settings, { timeoutMs: request.timeoutMs });
  const query = { userTaskID: request.userTaskID, size: request.pageSize };
  // Items are read as they came (rows.ts): one without an id (null, `{}`) is written, never deduplicated.
  const items: AsyncGenerator<unknown> =
    request.verb === 'orders' ? client.orders({ ...query, options: request.options }) : client.calls({ ...query, options: request.options });
  const idOf =
    request.verb === 'orders' ? (item: unknown) => idText(fields(item).orderID) : (item: unknown) => idText(fields(fields(item).callInfoDetail).callID);

  const tally = new Tally();
  const output: Output | undefined = request.out ? await openOutput(request.out, io.stdout) : undefined;
  const page = new PageWriter(output, rowWriter(request.format, ORDER_CALL_COLUMNS, { bom: request.bom }));
  const seen = new Set<string>();
  let duplicatesSkipped = 0;
  try {
    await page.start();
    for await (const item of items) {
      if (page.rows + duplicatesSkipped >= MAX_LIST_ITEMS) {
        throw new ListTooLongError(`the vendor listed more than ${MAX_LIST_ITEMS} items without the pages coming to an end; stopped`);
      }
      const id = idOf(item);
      if (id && seen.has(id)) {
        duplicatesSkipped += 1;
        continue;
      }
      if (id) seen.add(id);
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
    await output?.abort();
    throw error;
  }
  const operation = request.verb === 'orders' ? 'listOrder' : 'listCall';
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
  };
}
