import { JSONParser } from '@streamparser/json';
import { CallbotError, CallbotUnknownOutcomeError, openAnswerStream } from 'callbot-contract';
import type { ApiConnectionSettings } from '../shared/credentials.js';
import { asText, fields } from '../shared/vendor-values.js';
import type { RequestCounts } from './connection.js';
import { type Cell, cell } from './csv.js';
import type { ExportedOrder } from './rows.js';

// The export answer (exportBatchCall: the whole batch in one JSON document, one entry per call;
// about 300 bytes a call, so 300 MB for a million calls) read as a stream: the contract hands
// over its bytes as they arrive, hashing them for the signature (openAnswerStream), and
// @streamparser/json parses them as they pass, emitting one callList entry at a time, which is
// reduced to what the export needs of it (phone, other, called) and dropped. Memory holds the
// reduced entries, never the answer: the answer's bound is the stream's (time, bytes read), not
// the heap. Nothing read is used before the stream ended with the signature verified: the
// orders are returned only then, so no row of an unverified answer is ever written.

export interface BatchOrders {
  /** By orderID, in the order of the export's first entry for each. */
  orders: Map<string, ExportedOrder>;
  /** Entries without a usable orderID, as they came. */
  unnamed: (ExportedOrder & { orderID: Cell })[];
  batchID: string | undefined;
}

/** Collects the export's entries, one at a time (an order appears once per call made). */
export class BatchCollector {
  readonly orders = new Map<string, ExportedOrder>();
  readonly unnamed: (ExportedOrder & { orderID: Cell })[] = [];

  add(entry: unknown): void {
    const call = fields(entry);
    const order = { phone: cell(call.userPhone), other: cell(call.other), called: Boolean(call.callID) };
    if (typeof call.orderID !== 'string' || call.orderID === '') {
      this.unnamed.push({ ...order, orderID: cell(call.orderID) });
      return;
    }
    const known = this.orders.get(call.orderID);
    if (known) known.called ||= order.called;
    else this.orders.set(call.orderID, order);
  }
}

export const batchIdOf = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : asText(value));

export interface StreamOptions {
  timeoutMs: number;
  requests: RequestCounts;
  /** The most bytes of the answer read (after gzip is inflated); the contract's default otherwise. */
  maxBytes?: number | undefined;
}

/** The latest batch's orders, from exportBatchCall's answer read as a stream. */
export async function streamBatchOrders(settings: ApiConnectionSettings, userTaskID: string, options: StreamOptions): Promise<BatchOrders> {
  const collector = new BatchCollector();
  const answer: { retCode?: unknown; retMsg?: unknown; responseID?: unknown; batchID?: unknown } = {};
  const parser = new JSONParser({ paths: ['$.callList.*', '$.retCode', '$.retMsg', '$.responseID', '$.batchID'], keepStack: false });
  let ended = false;
  parser.onEnd = () => {
    ended = true;
  };
  parser.onValue = ({ value, key, stack }) => {
    // Depth 1: a field of the answer; depth 2: an entry of callList (keepStack false: not kept there).
    if (stack.length === 2) collector.add(value);
    else if (typeof key === 'string') (answer as Record<string, unknown>)[key] = value;
  };
  options.requests.set('exportBatchCall', (options.requests.get('exportBatchCall') ?? 0) + 1);
  const stream = await openAnswerStream(
    {
      baseUrl: settings.baseUrl,
      uuid: settings.uuid,
      secretKey: settings.secretKey,
      algorithm: settings.algorithm,
      timeoutMs: options.timeoutMs,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    },
    'exportBatchCall',
    { userTaskID },
  );
  let unreadable: unknown;
  // The whole answer is read (and its signature checked) even when it is not JSON: a tampered
  // answer is reported as such, not as a parse error.
  for await (const chunk of stream) {
    if (unreadable !== undefined || ended) {
      if (ended && unreadable === undefined && chunk.some((byte) => !isJsonSpace(byte))) unreadable = new Error('text after the JSON document');
      continue;
    }
    try {
      parser.write(chunk);
    } catch (error) {
      unreadable = error;
    }
  }
  if (unreadable === undefined && !ended) unreadable = new Error('the JSON document ends early');
  if (unreadable !== undefined) {
    throw new CallbotUnknownOutcomeError(`the export answer is signed but not one JSON document (${(unreadable as Error).message})`, {
      requestID: stream.requestID,
      status: 200,
    });
  }
  if (answer.retCode !== 0) {
    const retCode = typeof answer.retCode === 'number' ? answer.retCode : Number.NaN;
    throw new CallbotError(
      { retCode, ...(typeof answer.retMsg === 'string' ? { retMsg: answer.retMsg } : {}), ...(typeof answer.responseID === 'string' ? { responseID: answer.responseID } : {}) },
      stream.requestID,
    );
  }
  return { orders: collector.orders, unnamed: collector.unnamed, batchID: batchIdOf(answer.batchID) };
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
const isJsonSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
