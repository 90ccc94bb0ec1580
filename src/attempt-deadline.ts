// One attempt's time limit, held by the client itself for the whole attempt, the answer's body
// included. An `AbortSignal.timeout` given to openapi-fetch reaches fetch only through the
// signals of copied Request objects (openapi-fetch's own, then each middleware's): a copy's
// signal follows its parent's through a weak reference only, so once a garbage collection has
// taken an intermediate copy, the signal fetch holds is never aborted (nodejs/node#55428,
// nodejs/undici#3644) and an attempt against a vendor that never answers runs on. Here the
// controller is kept alive by its own timer until the attempt is over, it is handed to fetch
// directly (not through a Request), and every wait of the attempt — the answer's head, each
// read of its body — is raced against it, so the attempt ends on time even with a fetch that
// ignores its signal.

/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AttemptDeadline {
  /** Aborted with a `TimeoutError` DOMException when the time is up, or with the caller's reason when its signal aborts. */
  readonly signal: AbortSignal;
  /** Stops the timer: the attempt is over (its answer read, or its failure known). */
  clear(): void;
}

/** `cancel`: the caller's own signal (a call's `signal` option); its abort ends the attempt too. */
export function startAttemptDeadline(timeoutMs: number, cancel?: AbortSignal): AttemptDeadline {
  const controller = new AbortController();
  const delay = Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS);
  // The timer's callback holds the controller: nothing else need keep it alive until then.
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), delay);
  // A listener on the caller's signal (not AbortSignal.any, whose links are weak: see above).
  const onCancel = () => controller.abort(cancel?.reason);
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}

/**
 * `work`, unless `signal` aborts first: then it rejects with the signal's reason at once. A value
 * `work` still delivers after that is handed to `dropLate` (to release it, e.g. cancel a body).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, dropLate?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) dropLate?.(value);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
