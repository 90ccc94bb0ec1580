// The callback receiver's memory of requestIDs, in a file of its own because its one promise,
// "your handler sees each requestID once", depends on every rule below; createCallbackHandler
// only asks it three questions (seen? start, finish) and answers 409/200/503 from the replies.

/** What the cache knows about a verified delivery's requestID. */
export type ReplayState = 'new' | 'handling' | 'done';

interface Entry {
  handling: boolean;
  /** Epoch ms from which a done entry may be dropped: no delivery it covers can pass the createTs check then. */
  until: number;
}

/**
 * requestIDs seen by one receiver, bounded in number, never forgetting one too early:
 *
 * - An entry whose handler is running is never removed (only `finish` ends that state).
 * - A done entry covers every delivery of its requestID whose `createTs` is no later than the
 *   latest of: the createTs of each delivery seen, and the second its handler finished. It is
 *   kept until the last of those could still pass the createTs check, i.e. until
 *   `(that second + toleranceSeconds + 1) * 1000` ms.
 * - When `capacity` entries must all be kept, `start` refuses (the caller answers 503) instead
 *   of forgetting one.
 *
 * Dropping is lazy: an expired entry is ignored when looked up and removed by a sweep that runs
 * only when the cache is full and something may have expired (at most about once a second, as
 * `until` falls on whole seconds), so a lookup costs one Map access.
 */
export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  /** No done entry expires before this (a lower bound): a sweep before it would free nothing. */
  private earliestUntil = Number.POSITIVE_INFINITY;

  constructor(
    private readonly capacity: number,
    private readonly toleranceSeconds: number,
  ) {}

  /** The first ms at which a delivery created at `createTs` (s) fails the createTs check. */
  private windowEnd(createTs: number): number {
    return (createTs + this.toleranceSeconds + 1) * 1000;
  }

  /** Looks a verified delivery up; a repeat extends its entry to cover its own createTs. */
  seen(requestID: string, createTs: number, now: number): ReplayState {
    return this.seenUntil(requestID, this.windowEnd(createTs), now);
  }

  /** `seen` with the delivery's window end (epoch ms) given: what the memory replay store calls. */
  seenUntil(requestID: string, keepUntil: number, now: number): ReplayState {
    const entry = this.entries.get(requestID);
    if (!entry) return 'new';
    if (!entry.handling && now >= entry.until) {
      this.entries.delete(requestID);
      return 'new';
    }
    entry.until = Math.max(entry.until, keepUntil);
    return entry.handling ? 'handling' : 'done';
  }

  /** Records that the handler for `requestID` starts. False when the cache is full: nothing is recorded. */
  start(requestID: string, createTs: number, now: number): boolean {
    return this.startUntil(requestID, this.windowEnd(createTs), now);
  }

  /** `start` with the delivery's window end (epoch ms) given. */
  startUntil(requestID: string, keepUntil: number, now: number): boolean {
    if (this.entries.size >= this.capacity) this.sweep(now);
    if (this.entries.size >= this.capacity) return false;
    this.entries.set(requestID, { handling: true, until: keepUntil });
    return true;
  }

  /** The handler ended: kept as done when it succeeded, forgotten when it failed (so a retry is handled). */
  finish(requestID: string, ok: boolean, now: number): void {
    this.finishUntil(requestID, ok, this.windowEnd(Math.floor(now / 1000)));
  }

  /** `finish` with the window end (epoch ms) of the second the handler finished given. */
  finishUntil(requestID: string, ok: boolean, keepUntil: number): void {
    const entry = this.entries.get(requestID);
    if (!entry) return;
    if (!ok) {
      this.entries.delete(requestID);
      return;
    }
    entry.handling = false;
    entry.until = Math.max(entry.until, keepUntil);
    this.earliestUntil = Math.min(this.earliestUntil, entry.until);
  }

  /** For a Retry-After header when full: seconds until a done entry may go (the window when all are running). */
  retryAfterSeconds(now: number): number {
    if (!Number.isFinite(this.earliestUntil)) return this.toleranceSeconds + 1;
    return Math.max(1, Math.ceil((this.earliestUntil - now) / 1000));
  }

  private sweep(now: number): void {
    if (now < this.earliestUntil) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [requestID, entry] of this.entries) {
      if (entry.handling) continue;
      if (now >= entry.until) this.entries.delete(requestID);
      else earliest = Math.min(earliest, entry.until);
    }
    this.earliestUntil = earliest;
  }
}
