// One CSV cell, for every CSV the command writes (the reading verbs' rows, listen --csv; import's
// report should use it too). Quoted when it holds a delimiter (`,` or `;`, which spreadsheet
// programs in many locales split on), a quote or a line break. A text cell that a spreadsheet
// would run as a formula — it starts with `=`, `+`, `-`, `@`, a tab or a carriage return — is
// written with a leading `'` (the OWASP advice), so `=cmd|' /C calc'!A0` arrives as text.
// Finite numbers, booleans and bigints are never prefixed (a negative number stays a number).
//
// The vendor's answers are not checked for shape, so a cell may get any JSON value where a
// string was expected: an array, an object (`{"toString": null}`, which String() cannot
// convert). Such a value is written as its JSON text, and the guard is applied to the text that
// is written, whatever the value was.

const FORMULA_START = /^[=+\-@\t\r]/;

/** Any value as text, never throwing: a string as it is, null and undefined empty, numbers and booleans as String() writes them, anything else as JSON. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return json;
  } catch {
    // a BigInt inside, a cycle, a toJSON that throws: none comes out of JSON.parse
  }
  return Object.prototype.toString.call(value);
}

export function csvCell(value: unknown): string {
  const number = (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint';
  const text = cellText(value);
  const guarded = !number && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",;\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}
