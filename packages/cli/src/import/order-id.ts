import { createHash } from 'node:crypto';

// An orderID the file does not give is derived from the row, deterministically: the same task
// and the same row content always give the same ID, so importing the same file twice (after a
// crash, on a retry by hand) names the same orders instead of creating new ones.
//
// It is a standard name-based UUID (RFC 9562 version 5: SHA-1 of a namespace and a name), so it
// can be recomputed anywhere, e.g. in Python:
//   uuid.uuid5(uuid.UUID(ORDER_ID_NAMESPACE), json.dumps([task, phone, name, customer, other,
//              sorted([p.name, p.value] for p in params)], ensure_ascii=False, separators=(',', ':')))
// The row number is deliberately not part of the name: sorting the spreadsheet keeps the IDs.
// Two rows with identical content get the same ID, which is reported as a duplicate.

/** This package's namespace for derived order IDs (a random UUID, fixed forever). */
export const ORDER_ID_NAMESPACE = '9e5bdd09-2b62-4a96-8aba-194203417f98';
const NAMESPACE_BYTES = Buffer.from(ORDER_ID_NAMESPACE.replaceAll('-', ''), 'hex');

export interface OrderContent {
  userPhone: string;
  userName: string;
  customerName: string;
  other: string;
  params: readonly { name: string; value: string }[];
}

/** The canonical text of a row: fixed field order, params sorted by name. */
export function canonicalOrderName(userTaskID: string, order: OrderContent): string {
  const params = order.params.map((p) => [p.name, p.value]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return JSON.stringify([userTaskID, order.userPhone, order.userName, order.customerName, order.other, params]);
}

export function deriveOrderId(userTaskID: string, order: OrderContent): string {
  const hash = createHash('sha1').update(NAMESPACE_BYTES).update(canonicalOrderName(userTaskID, order), 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC variant
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
