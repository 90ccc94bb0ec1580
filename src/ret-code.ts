// The one field of an answer the client must read to know the outcome. Answers are judged on
// authenticity, not shape: a vendor that quotes its numbers ("0") still says 0.

/**
 * The retCode an answer states — `retCode`, or `code` in ping's envelope — when it is an
 * integer or a string of digits; otherwise undefined (the outcome cannot be read from it).
 */
export function answerRetCode(answer: unknown): number | undefined {
  if (!answer || typeof answer !== 'object') return undefined;
  const { retCode, code } = answer as { retCode?: unknown; code?: unknown };
  for (const value of [retCode, code]) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim())) return Number(value.trim());
  }
  return undefined;
}
