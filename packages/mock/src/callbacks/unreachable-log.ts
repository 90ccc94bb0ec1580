import type { DeliveryRecord } from './delivery.js';
import type { MockLogger } from '../process/logger.js';

/** Origins remembered as "already reported"; past it the memory starts again (a line each, once more). */
const MAX_ORIGINS = 1000;
const SUMMARY_EVERY_MS = 10_000;

/** How to get a receiver running, for the first failure to a loopback port nobody listens on. */
export const RECEIVER_HINT = 'nothing listening? start a receiver there, e.g. `callbot listen --port PORT` (callbot-cli)';

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

/**
 * Failed and skipped callbacks, logged without flooding a terminal when nobody listens: one
 * line for the first failure to each URL origin (with a hint how to start a receiver), then
 * at most one summary line every 10 s with the count of the others. Every delivery stays in
 * `GET /__mock/callbacks` whatever is logged.
 */
export class UnreachableLog {
  readonly #logger: MockLogger;
  readonly #now: () => number;
  readonly #reported = new Set<string>();
  #unlogged = 0;
  readonly #unloggedOrigins = new Set<string>();
  #lastSummary: number;

  constructor(logger: MockLogger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
    this.#lastSummary = now();
  }

  failed(entry: DeliveryRecord): void {
    const origin = originOf(entry.url);
    if (!this.#reported.has(origin)) {
      if (this.#reported.size >= MAX_ORIGINS) this.#reported.clear();
      this.#reported.add(origin);
      const what = entry.status === 'skipped' ? 'skipped' : `failed after ${entry.attempts} attempt(s)`;
      const why = entry.lastError ?? `HTTP ${entry.lastStatusCode}`;
      const port = (() => {
        try {
          const url = new URL(entry.url);
          return url.port || (url.protocol === 'https:' ? '443' : '80');
        } catch {
          return 'PORT';
        }
      })();
      const hint = entry.status === 'failed' && entry.lastStatusCode === undefined ? `; ${RECEIVER_HINT.replace('PORT', port)}` : '';
      this.#logger.warn(
        `${entry.kind} callback to ${origin} ${what}: ${why}${hint}. Further failures to ${origin} are counted, not logged (GET /__mock/callbacks lists each)`,
      );
      return;
    }
    this.#unlogged += 1;
    if (this.#unloggedOrigins.size < MAX_ORIGINS) this.#unloggedOrigins.add(origin);
    this.flush();
  }

  /** Logs the count of unlogged failures if there are any and 10 s have passed since the last summary (or `force`). */
  flush(force = false): void {
    const now = this.#now();
    if (this.#unlogged === 0 || (!force && now - this.#lastSummary < SUMMARY_EVERY_MS)) return;
    this.#logger.warn(
      `${this.#unlogged} more callback(s) failed or were skipped (to ${[...this.#unloggedOrigins].slice(0, 3).join(', ')}${this.#unloggedOrigins.size > 3 ? ', …' : ''})`,
    );
    this.#unlogged = 0;
    this.#unloggedOrigins.clear();
    this.#lastSummary = now;
  }
}
