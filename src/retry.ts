// When may an import be sent again? Only when it certainly did not happen: the vendor said so
// (a retryable retCode: 5, 7, 1001, from the spec) or the connection failed before any byte
// left. Everything else — a timeout or a reset after sending, an unreadable answer — has an
// unknown outcome and is reported, never retried: a duplicate import calls people twice.

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff step; doubles each attempt. Default 1000 ms. */
  baseDelayMs?: number;
  /** Cap of one backoff step. Default 15000 ms. */
  maxDelayMs?: number;
  /** No new attempt starts after this much time since the first. Default 90000 ms. */
  maxElapsedMs?: number;
  /** Called before each wait, e.g. to show a countdown. */
  onRetry?: (info: RetryInfo) => void;
  /** Injected by tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** `retCode` when the vendor said "not processed", `connection` when nothing was sent. */
  reason: 'retCode' | 'connection';
  retCode?: number;
  code?: string;
  requestID: string;
}

export type ResolvedRetry = Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

export function resolveRetry(option: RetryOptions | false | undefined): ResolvedRetry {
  const given = option === false ? { maxAttempts: 1 } : option ?? {};
  return {
    maxAttempts: Math.max(1, Math.floor(given.maxAttempts ?? 4)),
    baseDelayMs: given.baseDelayMs ?? 1000,
    maxDelayMs: given.maxDelayMs ?? 15_000,
    maxElapsedMs: given.maxElapsedMs ?? 90_000,
    onRetry: given.onRetry,
    random: given.random ?? Math.random,
    sleep: given.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

/** Exponential backoff with full jitter: a random wait in [base/2, min(cap, base·2^(n-1))]. */
export function backoffDelay(attempt: number, retry: Pick<ResolvedRetry, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  const floor = Math.min(ceiling, retry.baseDelayMs / 2);
  return Math.round(floor + retry.random() * (ceiling - floor));
}

// Error codes that can only happen before a connection exists, so before any byte is sent.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
]);

export interface FetchFailure {
  sent: 'no' | 'unknown';
  code: string | undefined;
}

/** Reads what fetch's error says about the connection (undici nests the reason in `cause`). */
export function classifyFetchFailure(error: unknown): FetchFailure {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 5) return;
    const { code, name, cause, errors } = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    else if (name === 'TimeoutError' || name === 'AbortError') codes.push(name);
    visit(cause, depth + 1);
    if (Array.isArray(errors)) errors.forEach((inner) => visit(inner, depth + 1));
  };
  visit(error, 0);
  const code = codes.find((c) => !c.startsWith('UND_ERR_') || c === 'UND_ERR_CONNECT_TIMEOUT') ?? codes[0];
  const sent = codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c)) ? 'no' : 'unknown';
  return { sent, code };
}
