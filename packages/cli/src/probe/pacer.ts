// The probe's bounds on the vendor: requests start at least `intervalMs` apart (a token bucket
// of one token, refilled every interval: at most 1000 / intervalMs requests in any second), and
// no more than `maxRequests` in all. The development host is shared; a probe must not look
// like a load test.

export class BudgetExhausted extends Error {
  constructor(readonly maxRequests: number) {
    super(`request budget exhausted (${maxRequests} requests)`);
  }
}

/** 350 ms apart: under 3 requests per second even with some network jitter at the far end. */
export const DEFAULT_INTERVAL_MS = 350;
export const DEFAULT_MAX_REQUESTS = 60;

export class Pacer {
  private nextAt = 0;
  private sent = 0;

  constructor(
    readonly maxRequests = DEFAULT_MAX_REQUESTS,
    readonly intervalMs = DEFAULT_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get requestsSent(): number {
    return this.sent;
  }

  /** Waits for the next slot (or throws BudgetExhausted, or the signal's reason when aborted). */
  async take(signal: AbortSignal): Promise<void> {
    if (this.sent >= this.maxRequests) throw new BudgetExhausted(this.maxRequests);
    this.sent++;
    const at = Math.max(this.now(), this.nextAt);
    this.nextAt = at + this.intervalMs;
    const wait = at - this.now();
    signal.throwIfAborted();
    if (wait <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
