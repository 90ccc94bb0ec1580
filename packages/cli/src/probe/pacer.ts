// The probe's bounds on the vendor: a request starts at least `intervalMs` after the previous
// one started *and* after the previous one ended (a token bucket of one token, refilled an
// interval after it is given back), and no more than `maxRequests` in all. Counting from the
// end is what bounds the rate the vendor sees: a request held up on the way (a slow connect)
// would otherwise arrive just before the next, on time, one. The development host is shared;
// a probe must not look like a load test.

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

  /**
   * Waits for the next slot (or throws BudgetExhausted, or the signal's reason when aborted).
   * Call the function it returns when the request has ended (answered or failed).
   */
  async take(signal: AbortSignal): Promise<() => void> {
    if (this.sent >= this.maxRequests) throw new BudgetExhausted(this.maxRequests);
    this.sent++;
    const at = Math.max(this.now(), this.nextAt);
    this.nextAt = at + this.intervalMs;
    const wait = at - this.now();
    const release = () => {
      this.nextAt = Math.max(this.nextAt, this.now() + this.intervalMs);
    };
    signal.throwIfAborted();
    if (wait <= 0) return release;
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
    return release;
  }
}
