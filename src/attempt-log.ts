import type { OperationId } from '../generated/operations.js';

// The client's debug log: one line per attempt, for the one who must find out what happened to
// a request. It says which operation, which requestID, what came back (HTTP status, retCode),
// how long it took and what the client made of it (sent again, and why; or the error's class
// and outcome). It is built from ids, numbers and class names only — never from a message, a
// header or a body — so it cannot carry the secretKey, a sign or a signature base string.

/** Where the client's debug lines go: an object with `debug` (console, pino, winston…) or a function. */
export type CallbotLogger = { debug(line: string): void } | ((line: string) => void);

/** One finished attempt, as the log line tells it. */
export interface AttemptRecord {
  operationId: OperationId;
  attempt: number;
  requestID: string;
  /** The answer's HTTP status, when one came. */
  status: number | undefined;
  /** The answer's retCode (`code` for ping), when it had a readable one. */
  retCode: number | undefined;
  ms: number;
  /** Why the attempt failed; absent when it succeeded. */
  error?: unknown;
  /** Set when the call is sent again: why, and after how long a wait. */
  retry?: { reason: string; delayMs: number };
}

export type AttemptLog = (record: AttemptRecord) => void;

/** The environment variable that turns the log on when no `logger` is given (`CALLBOT_LOG=debug`). */
export const LOG_ENV = 'CALLBOT_LOG';

/**
 * The value of CALLBOT_LOG, read when a client is created (where there is a `process`: not in a
 * browser). Read here and not taken as an option so that every program using the client — the
 * CLI included — gets the log from its environment without passing anything.
 */
export function logLevelFromEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[LOG_ENV];
}

/**
 * The client's attempt log, or none: the `logger` given (always; `false` for none, whatever the
 * environment), else console.error (stderr) when `level` (CALLBOT_LOG) is `debug`.
 */
export function attemptLog(logger: CallbotLogger | false | undefined, level: string | undefined): AttemptLog | undefined {
  if (logger !== undefined && logger !== false && typeof logger !== 'function' && typeof logger?.debug !== 'function') {
    throw new TypeError('createCallbotClient: logger must be a function, an object with a debug method, or false');
  }
  const write =
    logger === false
      ? undefined
      : typeof logger === 'function'
        ? logger
        : logger
          ? (line: string) => logger.debug(line)
          : level?.trim().toLowerCase() === 'debug'
            ? (line: string) => console.error(line)
            : undefined;
  if (!write) return undefined;
  return (record) => {
    try {
      write(attemptLine(record));
    } catch {
      // A log that fails must not fail the call.
    }
  };
}

/** `callbot op=listTask attempt=1 requestID=… status=200 retCode=0 ms=12 result=ok` (logfmt: one key=value per field). */
export function attemptLine(record: AttemptRecord): string {
  const fields: [string, unknown][] = [
    ['op', record.operationId],
    ['attempt', record.attempt],
    ['requestID', record.requestID],
    ['status', record.status],
    ['retCode', record.retCode],
    ['ms', Math.round(record.ms)],
  ];
  const { error, retry } = record;
  if (error === undefined) fields.push(['result', 'ok']);
  else {
    const { name, outcome, code } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; outcome?: unknown; code?: unknown };
    fields.push(['result', typeof name === 'string' ? name : typeof error], ['outcome', outcome]);
    if (typeof code === 'string') fields.push(['code', code]);
  }
  if (retry) fields.push(['retry', retry.reason], ['delayMs', retry.delayMs]);
  return `callbot ${fields.map(([key, value]) => `${key}=${token(value)}`).join(' ')}`;
}

/** A value as one logfmt token: `-` when absent, printable ASCII without spaces or quotes, at most 80 characters. */
function token(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return String(value)
    .replace(/[^\x21-\x7e]|["=\\]/g, '?')
    .slice(0, 80);
}
