import { InvalidArgumentError } from 'commander';

// Times on the command line (`--since`, `--until`, `--startup-at`) as the API takes them: Unix
// seconds. A person types a date: `2026-11-01` (midnight UTC), `2026-11-01T09:30Z` or with an
// offset (`+08:00`). A date-time without a zone is refused: whose 09:30 it is would be a guess.

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Unix seconds from `1700000000`, `2026-11-01` or `2026-11-01T09:30+08:00`. `endOfDay` makes a
 * bare date mean its last second (for `--until 2026-11-30`: the whole day).
 */
export function parseTime(text: string, { endOfDay = false } = {}): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  if (DATE.test(value) || DATE_TIME.test(value)) {
    const ms = Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000) + (DATE.test(value) && endOfDay ? 86_399 : 0);
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" has no time zone: add Z (UTC) or an offset such as +08:00`);
  }
  throw new InvalidArgumentError(`"${value}" is not a time: give Unix seconds, a date (2026-11-01, UTC) or a date-time with a zone (2026-11-01T09:30+08:00)`);
}

/**
 * `2023-11-14 22:13 UTC` for tables. Total: whatever the vendor sent, it returns text and never
 * throws. A number outside years 0–9999 (a Date holds ±8.64e12 seconds; `1e13` is past it) is
 * shown as the number; anything that is not a number as its JSON text (String() throws on `{"toString": null}`).
 */
export function formatTime(unixSeconds: unknown): string {
  if (unixSeconds === undefined || unixSeconds === null) return '';
  if (typeof unixSeconds !== 'number') return typeof unixSeconds === 'string' ? unixSeconds : safeJson(unixSeconds);
  const date = new Date(unixSeconds * 1000);
  // Invalid (past ±8.64e12 s), or a year ISO 8601 writes with six digits and a sign: the number as sent.
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) return String(unixSeconds);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
