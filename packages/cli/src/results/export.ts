import { tmpdir } from 'node:os';
import { type CallbotClient, DEFAULT_STREAM_TIMEOUT_MS, LIST_ORDER_DETAIL_MAX_IDS } from 'callbot-contract';
import { fields, items } from '../shared/vendor-values.js';
import type { ConnectionFlags } from '../shared/credentials.js';
import { resolveApiConnection } from '../shared/credentials.js';
import { type RequestCounts, readingClient } from './connection.js';
import { type Format, rowWriter } from './csv.js';
import { type BatchOrders, streamBatchOrders } from './export-stream.js';
import { readImportReport, type ReportRow } from './import-report.js';
import { openOutput, type Output } from './output.js';
import { PageWriter } from './page-writer.js';
import { EXPORT_COLUMNS, EXPORT_REPORT_COLUMNS, exportRow, type TimeStyle } from './rows.js';
import { type ResultSummary, Tally } from './summary.js';

// `callbot export`: one row per order of the task's latest batch. exportBatchCall names the
// batch's orders (one entry per call; an order appears once per call made, or once uncalled);
// listOrderDetail, 500 orders a request, gives each order's calls, from which its status, rounds
// and last call are taken (rows.ts). Rows are written 500 orders at a time, in the order the
// export lists them; with --report, the import report's row number is joined by orderID and the
// report's orders missing from the batch follow, as `not-in-batch`. An export entry without an
// orderID (null, missing, not a string) cannot be asked about: it is written as it came, after
// the batch's orders, as `unknown`.
//
// Memory: the export answer is read as a stream (export-stream.ts), each entry reduced to one
// small record per order as it is parsed; the answer itself is never held. Rows are written only
// after the whole answer arrived and its signature verified, to a temporary file renamed to
// --out at the end (output.ts): an unverifiable or cut-off answer leaves nothing under the name.

export interface ExportRequest {
  userTaskID: string;
  /** A file, `-` for stdout, or undefined for counts only. */
  out?: string | undefined;
  format: Format;
  bom?: boolean | undefined;
  time: TimeStyle;
  report?: string | undefined;
  timeoutMs: number;
  connection: ConnectionFlags;
}

export interface ReadIO {
  env: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  /** Called after each page written (for progress). */
  onPage?: (rows: number) => void;
}

export async function runExport(request: ExportRequest, io: ReadIO): Promise<ResultSummary> {
  const started = Date.now();
  const settings = resolveApiConnection(request.connection, io.env);
  const report = request.report ? await readImportReport(request.report) : undefined;
  const { client, requests } = readingClient(settings, { timeoutMs: request.timeoutMs });

  const batch = await streamBatchOrders(client, request.userTaskID, {
    // The answer is read whole before anything else: --timeout (one request) or half an hour.
    timeoutMs: Math.max(request.timeoutMs, DEFAULT_STREAM_TIMEOUT_MS),
    tempFolder: io.env.TMPDIR || tmpdir(),
  });

  try {
    return await writeRows(request, io, { client, requests, report, batch, started });
  } finally {
    await batch.close();
  }
}

interface Reading {
  client: CallbotClient;
  requests: RequestCounts;
  report: Map<string, ReportRow> | undefined;
  batch: BatchOrders;
  started: number;
}

/** The rows of the batch's orders (listOrderDetail, 500 at a time), to --out or stdout. */
async function writeRows(request: ExportRequest, io: ReadIO, { client, requests, report, batch, started }: Reading): Promise<ResultSummary> {
  const tally = new Tally();
  const output: Output | undefined = request.out ? await openOutput(request.out, io.stdout) : undefined;
  const columns = report ? EXPORT_REPORT_COLUMNS : EXPORT_COLUMNS;
  const page = new PageWriter(output, rowWriter(request.format, columns, { bom: request.bom }));
  let pages = 0;
  try {
    await page.start();
    for await (const chunk of batch.named(LIST_ORDER_DETAIL_MAX_IDS)) {
      const answer = await client.listOrderDetails({ userTaskID: request.userTaskID, orderList: chunk.map((o) => o.orderID) });
      pages += 1;
      const details = new Map<string, unknown>();
      for (const detail of items(answer.orderDetailList)) {
        const orderID = fields(detail).orderID;
        if (typeof orderID === 'string') details.set(orderID, detail);
      }
      for (const { orderID, order } of chunk) {
        const row = exportRow(orderID, order, details.get(orderID), request.time);
        const joined = report?.get(orderID);
        if (joined) report!.delete(orderID);
        page.add(report ? withReport(row, joined) : row);
        tally.add('status', row.status);
      }
      await page.flush();
      io.onPage?.(page.rows);
    }
    for await (const order of batch.unnamed()) {
      const row = exportRow(order.orderID, order, undefined, request.time);
      page.add(report ? withReport(row, undefined) : row);
      tally.add('status', row.status);
      if (page.buffered >= LIST_ORDER_DETAIL_MAX_IDS) await page.flush();
    }
    await page.flush();
    // The report's orders the batch does not hold (refused rows, or a later import replaced it).
    if (report) {
      for (const [orderID, joined] of report) {
        const row = exportRow(orderID, undefined, undefined, request.time);
        page.add(withReport(row, joined));
        tally.add('status', row.status);
        if (page.buffered >= LIST_ORDER_DETAIL_MAX_IDS) await page.flush();
      }
      await page.flush();
    }
    await output?.commit();
  } catch (error) {
    await output?.abort();
    throw error;
  }
  return {
    verb: 'export',
    userTaskID: request.userTaskID,
    file: request.out ?? null,
    format: request.out ? request.format : null,
    rows: page.rows,
    pages,
    requests: Object.fromEntries(requests),
    durationMs: Date.now() - started,
    counts: tally.counts,
    batchID: batch.batchID,
    duplicatesSkipped: 0,
    warnings: [],
  };
}

const withReport = <T extends object>(row: T, joined: ReportRow | undefined) => ({ ...row, importRow: joined?.row, importStatus: joined?.status });
