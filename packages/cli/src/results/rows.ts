import { fields, finiteNumber, items } from '../shared/vendor-values.js';
import { type Cell, cell, type Row } from './csv.js';

// The vendor's records as flat rows (the columns of `callbot export`, `orders` and `calls`).
// Times are the vendor's Unix seconds written as ISO 8601 in UTC (`2023-11-14T22:15:00Z`), or
// left as seconds with `--time unix`; a time of 0 (not answered) is left empty.
//
// Records are read as they came, not as the spec types them (shared/vendor-values.ts): a null
// or missing field is an empty cell, a value the spec does not list (callStatus 99) is written
// as it is, an unexpected shape (a time given as text, an object where text was promised) is
// passed through as its text, and an item that is not an object at all still makes its row.

export type TimeStyle = 'iso' | 'unix';

/**
 * 9999-12-31T23:59:59Z: a later time has no four-digit year (and past 8.64e12 s no Date at all),
 * so it is kept as the vendor's number rather than written as a broken date or failing the row.
 */
const MAX_DATE_SECONDS = 253_402_300_799;

export function timeCell(seconds: unknown, style: TimeStyle): Cell {
  const value = finiteNumber(seconds);
  if (value === undefined) return typeof seconds === 'number' ? undefined : cell(seconds);
  if (value <= 0) return undefined;
  if (style === 'unix' || value > MAX_DATE_SECONDS) return value;
  return isoSeconds(value);
}

// Date#toISOString costs about 3 µs here, and an export writes three times per order: the date
// part is computed once per day, the time of day by arithmetic (9x faster over 100,000 rows).
let cachedDay = Number.NaN;
let cachedDate = '';
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `2023-11-14T22:13:20Z` for Unix seconds (whole seconds; UTC). */
export function isoSeconds(value: number): string {
  const seconds = Math.floor(value);
  const day = Math.floor(seconds / 86_400);
  if (day !== cachedDay) {
    // The date first (toISOString throws outside the Date range), the cache only once it is known.
    cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const inDay = seconds - day * 86_400;
  return `${cachedDate}${two(Math.floor(inDay / 3600))}:${two(Math.floor((inDay % 3600) / 60))}:${two(inDay % 60)}Z`;
}

/** Intents by name (else tag, else id), joined with `|`; an intent with none of them (`{}`, null) adds nothing. */
export function intentsCell(intents: unknown): string {
  if (intents !== undefined && intents !== null && !Array.isArray(intents)) return String(cell(intents));
  return items(intents)
    .map((intent) => {
      const i = fields(intent);
      return cell(i.intentName || i.intentTag || i.intentID || '');
    })
    .filter(Boolean)
    .join('|');
}

/** Columns of `callbot orders` and `callbot calls`: an order with one call. */
export const ORDER_CALL_COLUMNS = [
  'orderID',
  'phone',
  'name',
  'other',
  'finished',
  'callID',
  'callStatus',
  'callStart',
  'callAnswer',
  'callEnd',
  'callDuration',
  'intents',
  'hangupCause',
  'termSipCode',
  'callingNumber',
  'audioUrl',
] as const;

/** A row of `callbot orders` / `calls` from a listOrder / listCall item (an order with one call). */
export function orderCallRow(item: unknown, time: TimeStyle): Row {
  const order = fields(item);
  const call = fields(order.callInfoDetail);
  return {
    orderID: cell(order.orderID),
    phone: cell(order.userPhone),
    name: cell(order.userName),
    other: cell(order.other),
    finished: cell(order.finish),
    callID: cell(call.callID),
    callStatus: cell(call.callStatus),
    callStart: timeCell(call.callStartTs, time),
    callAnswer: timeCell(call.callAnswerTs, time),
    callEnd: timeCell(call.callEndTs, time),
    callDuration: cell(call.callDuration),
    intents: intentsCell(call.intents),
    hangupCause: cell(call.hangupCause),
    termSipCode: cell(call.termSipCode),
    callingNumber: cell(call.callingNumber),
    audioUrl: cell(call.callAudioUrl),
  };
}

/**
 * An order's status in `callbot export`. The vendor gives only `finish` and the calls made, so:
 * `finished` (finish is true), `in-progress` (called, not finished), `waiting` (no call yet),
 * `unknown` (listOrderDetail did not return the order), `not-in-batch` (in the import report
 * but not in the exported batch). A stopped order cannot be told apart from a finished one.
 */
export type ExportStatus = 'finished' | 'in-progress' | 'waiting' | 'unknown' | 'not-in-batch';
export const EXPORT_STATUSES: readonly ExportStatus[] = ['finished', 'in-progress', 'waiting', 'unknown', 'not-in-batch'];

export const EXPORT_COLUMNS = [
  'orderID',
  'phone',
  'name',
  'other',
  'status',
  'rounds',
  'lastCallID',
  'lastCallStatus',
  'lastCallStart',
  'lastCallAnswer',
  'lastCallEnd',
  'lastCallDuration',
  'totalDuration',
  'intents',
  'hangupCause',
] as const;
/** With --report: the import report's row first, its status last. */
export const EXPORT_REPORT_COLUMNS = ['importRow', ...EXPORT_COLUMNS, 'importStatus'] as const;

/** What the export answer says of an order (when listOrderDetail does not). */
export interface ExportedOrder {
  phone: Cell;
  other?: Cell;
}

/** `finish` as the spec has it (true), or as a vendor might spell it (1, "true"); anything else is not finished. */
const isFinished = (finish: unknown) => finish === true || finish === 1 || finish === 'true';

/**
 * A row of `callbot export`: `orderID` as the export listed it, and its listOrderDetail item
 * (undefined when listOrderDetail did not return the order, or it could not be asked: an
 * export entry without an orderID).
 */
export function exportRow(orderID: Cell, exported: ExportedOrder | undefined, detail: unknown, time: TimeStyle): Row & { status: ExportStatus } {
  if (detail === undefined) {
    return { orderID, phone: exported?.phone, other: exported?.other, status: exported ? 'unknown' : 'not-in-batch' };
  }
  const order = fields(detail);
  // Every entry of the list is a call made, whatever its shape (`{}` and null included).
  const calls = items(order.callInfoDetailList).map(fields);
  // The last call is the latest started (the list's order is not documented).
  let last: (typeof calls)[number] | undefined;
  let total = 0;
  for (const call of calls) {
    total += finiteNumber(call.callDuration) ?? 0;
    if (!last || (finiteNumber(call.callStartTs) ?? 0) >= (finiteNumber(last.callStartTs) ?? 0)) last = call;
  }
  const status: ExportStatus = isFinished(order.finish) ? 'finished' : calls.length > 0 ? 'in-progress' : 'waiting';
  return {
    orderID,
    phone: cell(order.userPhone) ?? exported?.phone,
    name: cell(order.userName),
    other: cell(order.other) ?? exported?.other,
    status,
    rounds: calls.length,
    lastCallID: cell(last?.callID),
    lastCallStatus: cell(last?.callStatus),
    lastCallStart: timeCell(last?.callStartTs, time),
    lastCallAnswer: timeCell(last?.callAnswerTs, time),
    lastCallEnd: timeCell(last?.callEndTs, time),
    lastCallDuration: cell(last?.callDuration),
    totalDuration: total,
    intents: intentsCell(last?.intents),
    hangupCause: cell(last?.hangupCause),
  };
}
