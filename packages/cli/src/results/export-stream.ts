import type { CallbotClient } from 'callbot-contract';
import { asText, fields } from '../shared/vendor-values.js';
import { type Cell, cell } from './csv.js';
import type { ExportedOrder } from './rows.js';

// The export answer (exportBatchCall: the whole batch in one JSON document, one entry per call;
// about 300 bytes a call, so 300 MB for a million calls) read as a stream: the contract's
// exportBatchCallStream parses it as it arrives, hashing its bytes for the signature, and hands
// over one callList entry at a time, which is reduced here to what the export needs of it
// (phone, other, called) and dropped. Memory holds the reduced entries, never the answer. The
// entries are used only once the stream ended with the signature verified: the orders are
// returned only then, so no row of an unverified answer is ever written.

export interface BatchOrders {
  /** By orderID, in the order of the export's first entry for each. */
  orders: Map<string, ExportedOrder>;
  /** Entries without a usable orderID, as they came. */
  unnamed: (ExportedOrder & { orderID: Cell })[];
  batchID: string | undefined;
}

export interface StreamOptions {
  /** The whole answer read within this many ms (its size is bounded by the contract's default: disk, not memory). */
  timeoutMs: number;
}

/** The latest batch's orders, from exportBatchCall's answer read as a stream. */
export async function streamBatchOrders(client: CallbotClient, userTaskID: string, options: StreamOptions): Promise<BatchOrders> {
  const orders = new Map<string, ExportedOrder>();
  const unnamed: (ExportedOrder & { orderID: Cell })[] = [];
  const stream = client.exportBatchCallStream({ userTaskID }, { timeoutMs: options.timeoutMs });
  // An order appears once per call made: the first entry names it, any entry with a callID marks it called.
  for await (const entry of stream) {
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
  const batchID = stream.answer?.batchID;
  return { orders, unnamed, batchID: batchID === undefined || batchID === null ? undefined : asText(batchID) };
}
