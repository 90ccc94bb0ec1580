import type { ValidationIssue } from './errors.js';

// What the package does with a vendor payload (a callback, an answer) whose authenticity is
// established but whose shape departs from the spec: it keeps the payload and reports where it
// departs, bounded. The spec is built on Unknowns; a wrong guess must cost a report, not a lost
// result. This module holds the two bounds: how much of one payload's deviations is kept, and
// how often a report hook is called.

/** The most deviations listed for one payload; `deviationCount` says how many there were in all. */
export const MAX_LISTED_DEVIATIONS = 50;
/** Characters kept of one deviation's path and of its message (a path is made of the payload's own keys). */
export const MAX_DEVIATION_TEXT = 200;
/** Reports per minute a hook gets unless told otherwise; the rest are counted in the next one's `suppressed`. */
export const DEFAULT_DEVIATION_REPORTS_PER_MINUTE = 10;

/** Where a payload departs from its schema in the spec, bounded. */
export interface Deviations {
  /**
   * Each departure, with its JSON path (`callInfoDetail.agent.agentName`) and what the spec
   * expected (`must be string`, `is required`, `must be one of 1, 2, 3`). Empty when the payload
   * fits the spec. At most MAX_LISTED_DEVIATIONS (50); paths and messages at most 200 characters.
   * Values are never included (a payload carries phone numbers and names).
   */
  readonly deviations: readonly ValidationIssue[];
  /** How many departures were found in all (more than `deviations.length` when the list was cut). */
  readonly deviationCount: number;
}

export const NO_DEVIATIONS: Deviations = Object.freeze({ deviations: Object.freeze([]), deviationCount: 0 });

const cut = (text: string) => (text.length > MAX_DEVIATION_TEXT ? `${text.slice(0, MAX_DEVIATION_TEXT - 1)}…` : text);

/** validateAgainst's issues as a bounded Deviations. */
export function boundDeviations(issues: readonly ValidationIssue[]): Deviations {
  if (issues.length === 0) return NO_DEVIATIONS;
  const listed = issues.slice(0, MAX_LISTED_DEVIATIONS).map((i) => Object.freeze({ path: cut(i.path), message: cut(i.message) }));
  return Object.freeze({ deviations: Object.freeze(listed), deviationCount: issues.length });
}

/** What a report hook receives besides the deviations: how many reports the rate limit left out before this one. */
export interface RateLimited {
  /** Reports not made (over the per-minute limit) since the last one that was made. */
  readonly suppressed: number;
}

/**
 * A hook wrapped so that it is called at most `perMinute` times in any clock minute (fixed
 * windows of 60 s by `now`); a report over the limit is only counted, and the count is handed
 * to the next report made. A hook that throws or rejects is ignored: reporting never decides
 * the fate of the payload it reports.
 */
export function rateLimitedReporter<R extends RateLimited>(
  hook: ((report: R) => unknown) | undefined,
  perMinute: number | undefined,
  now: () => number,
): (report: Omit<R, 'suppressed'>) => void {
  if (!hook) return () => {};
  const limit = perMinute ?? DEFAULT_DEVIATION_REPORTS_PER_MINUTE;
  if (!(Number.isSafeInteger(limit) && limit >= 0)) throw new TypeError('deviationReportsPerMinute must be a non-negative integer');
  let windowStart = Number.NEGATIVE_INFINITY;
  let made = 0;
  let suppressed = 0;
  return (report) => {
    const t = now();
    if (t - windowStart >= 60_000 || t < windowStart) {
      windowStart = t;
      made = 0;
    }
    if (made >= limit) {
      suppressed += 1;
      return;
    }
    made += 1;
    const full = { ...report, suppressed } as R;
    suppressed = 0;
    try {
      const result = hook(full);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') (result as Promise<unknown>).then(undefined, () => {});
    } catch {
      // A failing reporter must not turn a received payload into a lost one.
    }
  };
}

/**
 * `T` as a vendor payload may really arrive: every field optional and nullable, documented
 * numbers and strings widened to any number or string (an undocumented enum value), arrays of
 * Tolerant items, objects with fields the spec does not know. Type a handler's parameter with it
 * (`onCallFinished: (call: Tolerant<CallFinishedCallback>, meta) => …`) and the editor asks for
 * a check at each field; the spec's own type stays accepted wherever this one is. Still only a
 * better guess: a field may hold a value of another type altogether, as `meta.deviations` says.
 */
export type Tolerant<T> = T extends readonly (infer Item)[]
  ? Tolerant<Item>[]
  : T extends object
    ? { [K in keyof T]?: Tolerant<T[K]> | null }
    : T extends number
      ? number
      : T extends string
        ? string
        : T extends boolean
          ? boolean
          : T;
