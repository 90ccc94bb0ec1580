/**
 * Numbers the mock always refuses with "phone number is blocked", so that a test can get a
 * partial success deterministically: 8613900000000 to 8613900000099 (matching the spec's
 * ImportPartialSuccess example).
 */
export const BLOCKED_PHONE_PREFIX = '86139000000';
export const isBlockedPhone = (phone: unknown) =>
  typeof phone === 'string' && phone.startsWith(BLOCKED_PHONE_PREFIX) && phone.length === BLOCKED_PHONE_PREFIX.length + 2;

export const ERR_MSG = {
  badPhone: 'invalid phone number format',
  blocked: 'phone number is blocked',
} as const;

/** One entry of an answer's errList: the vendor keys it by phone number and says why "this number" was not imported. */
export interface ImportError {
  phone: string;
  errMsg: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/**
 * The orders of a request refused one by one before any is added: a malformed phone (its index
 * given by the caller, which found it with the spec's schema: see spec/violations.ts) and the
 * blocked test range. The orders' own state is judged later, as they are added (a repeated
 * orderID: operations.ts `addOrders`, which also writes every errList entry in the request's order).
 */
export interface RefusedOrders {
  /** The request's callList as sent (refused orders included): what `totalCount` and errList follow. */
  callList: readonly unknown[];
  /** Index in `callList` → why that order is refused. */
  refused: ReadonlyMap<number, ImportError>;
  /** The body with the refused orders left out: what the task's room and stored text are counted on. */
  kept: Json;
}

/** The request's refused orders, or undefined when it carries no orders or refuses none. */
export function refuseOrders(body: Json, malformedPhones: ReadonlySet<number> = new Set()): RefusedOrders | undefined {
  const list = isObject(body.callInfoList) ? body.callInfoList : undefined;
  const callList = list && Array.isArray(list.callList) ? (list.callList as unknown[]) : undefined;
  if (!list || !callList) return undefined;
  const refused = new Map<number, ImportError>();
  callList.forEach((order, index) => {
    const phone = isObject(order) ? order.userPhone : undefined;
    if (malformedPhones.has(index)) refused.set(index, { phone: String(phone ?? ''), errMsg: ERR_MSG.badPhone });
    else if (isBlockedPhone(phone)) refused.set(index, { phone: phone as string, errMsg: ERR_MSG.blocked });
  });
  if (refused.size === 0) return undefined;
  const kept = { ...body, callInfoList: { ...list, callList: callList.filter((_, index) => !refused.has(index)) } };
  return { callList, refused, kept };
}
