// The vendor's answers and callbacks as the commands read them: tolerantly. The spec says what
// each field should be, but a real answer may carry null where a string was promised (the
// vendor's own listOrderDetail example has `"agentName": null`), miss a field, add one, or
// carry an enum value the spec does not list. A command writes what it got: a missing or null
// value is an empty cell, anything else is passed through as it came — never a crash, never a
// dropped row.

type Fields = Readonly<Record<string, unknown>>;
const NONE: Fields = Object.freeze({});

/** The fields of a vendor object; none for null, a missing value, an array or a scalar. */
export function fields(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : NONE;
}

/** The items of a vendor list; none for null, a missing value or anything not an array. */
export function items(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A value as one line of text: empty for null or missing, JSON for an object or an array. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return String(value);
}

/** A finite number, or undefined (a string of digits is not taken for one: it is passed through). */
export const finiteNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
