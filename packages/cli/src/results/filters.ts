import type { ListCallInput, ListOrderInput } from 'callbot-contract';
import { UsageError } from '../shared/usage-error.js';

// The filter flags of `callbot orders` and `callbot calls` as the vendor's `options`
// (ListOrderOptions / ListCallOptions in the spec). Lists are comma-separated and the flags
// repeatable; duration and turn bounds are inclusive here and sent as the vendor's exclusive
// range (`gt` min-1, `lt` max+1, `enable: true`). Times are ISO 8601 (`2026-11-01`,
// `2026-11-01T08:00:00+08:00`; a date alone is midnight UTC) or Unix seconds.

export class FilterError extends UsageError {}

export interface FilterFlags {
  finished?: boolean;
  unfinished?: boolean;
  callStatus?: string[];
  intent?: string[];
  intentTag?: string[];
  intentId?: string[];
  intentLevel?: string[];
  minDuration?: string;
  maxDuration?: string;
  minTurns?: string;
  maxTurns?: string;
  order?: string[];
  callId?: string[];
  since?: string;
  until?: string;
}

const split = (values: string[] | undefined) =>
  values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

function integers(values: string[] | undefined, flag: string): number[] | undefined {
  return split(values)?.map((v) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) throw new FilterError(`${flag}: "${v}" is not a whole number`);
    return n;
  });
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new FilterError(`${flag}: "${value}" is not a whole number of 0 or more`);
  return n;
}

function range(min: string | undefined, max: string | undefined, flags: [string, string]) {
  const low = count(min, flags[0]);
  const high = count(max, flags[1]);
  if (low === undefined && high === undefined) return undefined;
  if (low !== undefined && high !== undefined && low > high) throw new FilterError(`${flags[0]} ${low} is above ${flags[1]} ${high}`);
  return { enable: true, ...(low !== undefined && low > 0 ? { gt: low - 1 } : {}), ...(high !== undefined ? { lt: high + 1 } : {}) };
}

/** Unix seconds from an ISO 8601 date or time, or from Unix seconds. */
export function unixSeconds(value: string, flag: string): number {
  if (/^\d{1,12}$/.test(value)) return Number(value);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new FilterError(`${flag}: "${value}" is neither an ISO 8601 date/time (2026-11-01T08:00:00Z) nor Unix seconds`);
  return Math.floor(ms / 1000);
}

/** The fields both lists filter on. */
function common(flags: FilterFlags) {
  const options: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) options[key] = value;
  };
  set('callStatus', integers(flags.callStatus, '--call-status'));
  set('intentName', split(flags.intent));
  set('intentTag', split(flags.intentTag));
  set('intentID', split(flags.intentId));
  set('intentLevel', integers(flags.intentLevel, '--intent-level'));
  set('callDuration', range(flags.minDuration, flags.maxDuration, ['--min-duration', '--max-duration']));
  set('turnTime', range(flags.minTurns, flags.maxTurns, ['--min-turns', '--max-turns']));
  return { options, set };
}

export function orderOptions(flags: FilterFlags): ListOrderInput['options'] {
  if (flags.finished && flags.unfinished) throw new FilterError('--finished and --unfinished exclude each other (give neither for both)');
  const { options, set } = common(flags);
  set('orderID', split(flags.order));
  if (flags.finished) options.finish = 1;
  if (flags.unfinished) options.finish = 0;
  return options as ListOrderInput['options'];
}

export function callOptions(flags: FilterFlags): ListCallInput['options'] {
  const { options, set } = common(flags);
  set('callID', split(flags.callId));
  const since = flags.since === undefined ? undefined : unixSeconds(flags.since, '--since');
  const until = flags.until === undefined ? undefined : unixSeconds(flags.until, '--until');
  if (since !== undefined && until !== undefined && since > until) throw new FilterError('--since is after --until');
  set('startTs', since);
  set('endTs', until);
  return options as ListCallInput['options'];
}
