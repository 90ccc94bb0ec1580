// What a message may quote of the user's data: a cell, a header, a JSON line can be megabytes
// (a file that is not a call list, a quote never closed). Messages go to terminals, CI logs and
// the report's reason column, so they quote at most a short excerpt of any value.

/** At most this many characters of a value of the user's appear in a message. */
export const EXCERPT_CHARS = 80;

/** `value` itself when short; otherwise its first characters, `…` and how long it really is. */
export function excerpt(value: string, max = EXCERPT_CHARS): string {
  if (value.length <= max) return value;
  // Cut between two UTF-16 code units of one character? Step back one.
  let end = max - 1;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}… (${value.length} characters)`;
}
