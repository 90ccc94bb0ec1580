import type { OrderInput } from './batches.js';

export interface ImportError {
  phone: string;
  errMsg: string;
}

/**
 * Numbers the mock always refuses with "phone number is blocked", so that a test can get a
 * partial success deterministically: 8613900000000 to 8613900000099 (matching the spec's
 * ImportPartialSuccess example).
 */
export const BLOCKED_PHONE_PREFIX = '86139000000';
export const isBlockedPhone = (phone: string) => phone.startsWith(BLOCKED_PHONE_PREFIX) && phone.length === BLOCKED_PHONE_PREFIX.length + 2;

export const ERR_MSG = {
  badPhone: 'invalid phone number format',
  duplicate: 'duplicate orderID',
  blocked: 'phone number is blocked',
} as const;

/**
 * The per-order checks that follow a schema-valid request: the orders refused go to `errList`
 * (keyed by phone, as the vendor's errList is), the rest are imported. Rules, first match wins:
 * a malformed phone (indexes found by the schema check), an orderID already used earlier in the
 * same request (every repeat after the first occurrence), a blocked test number.
 */
export function screenOrders(callList: readonly OrderInput[], badPhoneIndexes: ReadonlySet<number>): { accepted: OrderInput[]; errList: ImportError[] } {
  const accepted: OrderInput[] = [];
  const errList: ImportError[] = [];
  const seen = new Set<string>();
  callList.forEach((order, index) => {
    const firstUse = !seen.has(order.orderID);
    seen.add(order.orderID);
    const errMsg = badPhoneIndexes.has(index)
      ? ERR_MSG.badPhone
      : !firstUse
        ? ERR_MSG.duplicate
        : isBlockedPhone(order.userPhone)
          ? ERR_MSG.blocked
          : undefined;
    if (errMsg) errList.push({ phone: order.userPhone, errMsg });
    else accepted.push(order);
  });
  return { accepted, errList };
}
