/**
 * The mock's virtual clock: `startAt + speed × (real time elapsed) + manual advances`. The
 * simulator lives in this time (calls last minutes, imports lock a task for a while); the wire
 * (createTs, signatures, timeouts) keeps the real clock, which is what clients sign with.
 * `speed` 0 stops the clock between manual advances: tests move it by hand, without sleeps.
 */
export interface MockClock {
  /** Virtual milliseconds since the Unix epoch. */
  now(): number;
  /** Virtual seconds per real second (0: only manual advances). */
  readonly speed: number;
  /** Moves virtual time forward by `seconds` (>= 0, at most MAX_ADVANCE_SECONDS). */
  advance(seconds: number): number;
}

/** The longest single advance: a typo (milliseconds for seconds) must not play years of calls. */
export const MAX_ADVANCE_SECONDS = 30 * 24 * 3600;

export function checkAdvance(seconds: unknown): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_ADVANCE_SECONDS) {
    throw new RangeError(`advance must be a number of seconds from 0 to ${MAX_ADVANCE_SECONDS} (30 days)`);
  }
  return seconds;
}

export function createClock({ speed, startAt, realNow = Date.now }: { speed: number; startAt: number; realNow?: () => number }): MockClock {
  const realStart = realNow();
  let manualMs = 0;
  // Never backwards, even if the real clock is set back.
  let last = startAt;
  return {
    speed,
    now() {
      const value = startAt + Math.max(0, realNow() - realStart) * speed + manualMs;
      last = Math.max(last, Math.floor(value));
      return last;
    },
    advance(seconds: number) {
      manualMs += checkAdvance(seconds) * 1000;
      return this.now();
    },
  };
}
