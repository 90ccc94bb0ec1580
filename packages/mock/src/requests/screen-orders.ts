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

export interface ImportError {
  phone: string;
  errMsg: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/**
 * The per-order refusals the pipeline makes before the simulator sees the orders: a malformed
 * phone (its index found by the schema check, see violations.ts) and the blocked test range.
 * Returns the body with those orders left out (the simulator refuses duplicates itself), and a
 * function that puts them back into the simulator's answer: `totalCount` of the request as
 * sent, their errList entries in the request's order.
 */
export function screenOrders(body: Json, badPhoneIndexes: ReadonlySet<number>): { body: Json; merge: (answer: Json) => Json } | undefined {
  const list = isObject(body.callInfoList) ? body.callInfoList : undefined;
  const callList = list && Array.isArray(list.callList) ? (list.callList as unknown[]) : undefined;
  if (!list || !callList) return undefined;
  const refused = new Map<number, ImportError>();
  callList.forEach((order, index) => {
    const phone = isObject(order) ? order.userPhone : undefined;
    if (badPhoneIndexes.has(index)) refused.set(index, { phone: String(phone ?? ''), errMsg: ERR_MSG.badPhone });
    else if (isBlockedPhone(phone)) refused.set(index, { phone: phone as string, errMsg: ERR_MSG.blocked });
  });
  if (refused.size === 0) return undefined;
  const kept = callList.filter((_, index) => !refused.has(index));
  const merge = (answer: Json): Json => {
    if (answer.retCode !== 0) return answer;
    const simulated = Array.isArray(answer.errList) ? [...(answer.errList as ImportError[])] : [];
    const errList: ImportError[] = [];
    callList.forEach((order, index) => {
      const own = refused.get(index);
      if (own) errList.push(own);
      else if (isObject(order) && simulated[0]?.phone === order.userPhone) errList.push(simulated.shift()!);
    });
    errList.push(...simulated);
    return {
      ...answer,
      totalCount: callList.length,
      successCount: typeof answer.successCount === 'number' ? answer.successCount : kept.length - simulated.length,
      errList,
    };
  };
  return { body: { ...body, callInfoList: { ...list, callList: kept } }, merge };
}
