import { type CallbotClient, LIST_ORDER_DETAIL_MAX_IDS } from 'callbot-contract';
import { asText, fields, items } from '../shared/vendor-values.js';
import type { ConnectionFlags } from '../import/credentials.js';
import { resolveApiConnection } from '../import/credentials.js';
import { readingClient } from './connection.js';
import { type Cell, cell, type Format, rowWriter } from './csv.js';
import { readImportReport, type ReportRow } from './import-report.js';
import { openOutput, type Output } from './output.js';
import { PageWriter } from './page-writer.js';
import { EXPORT_COLUMNS, EXPORT_REPORT_COLUMNS, type ExportedOrder, exportRow, type TimeStyle } from './rows.js';
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
// Memory: the export answer is read whole (the vendor sends it as one document), reduced to one
// small entry per order and dropped before the details are read.

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

  const { orders, unnamed, batchID } = await batchOrders(client, request.userTaskID);

  const tally = new Tally();
  const output: Output | undefined = request.out ? await openOutput(request.out, io.stdout) : undefined;
  const columns = report ? EXPORT_REPORT_COLUMNS : EXPORT_COLUMNS;
  const page = new PageWriter(output, rowWriter(request.format, columns, { bom: request.bom }));
  let pages = 0;
  try {
    await page.start();
    const ids = [...orders.keys()];
    for (let from = 0; from < ids.length; from += LIST_ORDER_DETAIL_MAX_IDS) {
      const chunk = ids.slice(from, from + LIST_ORDER_DETAIL_MAX_IDS);
      const answer = await client.listOrderDetails({ userTaskID: request.userTaskID, orderList: chunk });
      pages += 1;
      const details = new Map<string, unknown>();
      for (const detail of items(answer.orderDetailList)) {
        const orderID = fields(detail).orderID;
        if (typeof orderID === 'string') details.set(orderID, detail);
      }
      for (const orderID of chunk) {
        const row = exportRow(orderID, orders.get(orderID), details.get(orderID), request.time);
        const joined = report?.get(orderID);
        if (joined) report!.delete(orderID);
        page.add(report ? withReport(row, joined) : row);
        tally.add('status', row.status);
      }
      await page.flush();
      io.onPage?.(page.rows);
    }
    for (const order of unnamed) {
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
    batchID,
    duplicatesSkipped: 0,
    warnings: [],
  };
}

/**
 * The orders of the latest batch, in the export's order, each with what the export says of it.
 * A function of its own so that the export answer (the largest object of a run: about 30 MB of
 * JSON for 100,000 orders) is garbage as soon as it returns, not kept by runExport's frame.
 */
async function batchOrders(
  client: CallbotClient,
  userTaskID: string,
): Promise<{ orders: Map<string, ExportedOrder>; unnamed: (ExportedOrder & { orderID: Cell })[]; batchID: string | undefined }> {
  const exported = await client.exportBatchCall({ userTaskID });
  const orders = new Map<string, ExportedOrder>();
  const unnamed: (ExportedOrder & { orderID: Cell })[] = [];
  for (const entry of items(exported.callList)) {
    const call = fields(entry);
    const order = { phone: cell(call.userPhone), other: cell(call.other), called: Boolean(call.callID) };
    if (typeof call.orderID !== 'string' || call.orderID === '') {
      unnamed.push({ ...order, orderID: cell(call.orderID) });
      continue;
    }
    const known = orders.get(call.orderID);
    if (known) known.called ||= order.called;
    else orders.set(call.orderID, order);
  }
  return { orders, unnamed, batchID: exported.batchID === undefined || exported.batchID === null ? undefined : asText(exported.batchID) };
}

const withReport = <T extends object>(row: T, joined: ReportRow | undefined) => ({ ...row, importRow: joined?.row, importStatus: joined?.status });
