// One human line per line of the mock's callback log (GET /__mock/callbacks?follow=1): a delivery
// attempt as `TIME  KIND  task=… order=…  URL  STATUS CODE  attempt N/M  MS ms  error`, a missed
// count; nothing for a heartbeat. Fields arrive from a stream the command does not trust to be
// well-formed: each is shown only when it has the expected type, and cut at a bound.

const text = (value: unknown, max = 300): string | undefined => {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const shown = String(value).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
};

/** HH:MM:SS.mmm of an ISO time (UTC, as the mock writes it), or the text as it came. */
const clock = (value: unknown): string => {
  const shown = text(value, 40) ?? '';
  return /^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d\.\d{3})Z$/.exec(shown)?.[1] ?? shown;
};

export function humanLine(line: Record<string, unknown>): string | undefined {
  if (line.type === 'missed') return `${clock(line.at)}  (missed ${text(line.count) ?? '?'} deliveries: this reader fell behind)`;
  if (line.type !== 'delivery') return undefined;
  const about = [
    text(line.userTaskID) !== undefined ? `task=${text(line.userTaskID)}` : '',
    text(line.orderID) !== undefined ? `order=${text(line.orderID)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const outcome = [text(line.status, 20) ?? '?', text(line.statusCode, 5)].filter(Boolean).join(' ');
  const parts = [
    clock(line.at),
    (text(line.kind, 10) ?? '?').padEnd(5),
    about,
    text(line.url, 2048) ?? '',
    outcome,
    `attempt ${text(line.attempt, 5) ?? '?'}/${text(line.maxAttempts, 5) ?? '?'}`,
    typeof line.ms === 'number' ? `${line.ms} ms` : '',
    text(line.error) ?? '',
  ];
  return parts.filter(Boolean).join('  ');
}
