import { RetCodes, type RetCodeInfo } from 'callbot-contract';
import { mulberry32, type Random } from '../simulator/random.js';

/**
 * Fault injection, so that clients can be tested against the failures the real vendor can
 * produce. Faults come from the request header below (one request) or from configured rules
 * (the next N requests, or a share of them).
 */
export const FAULT_HEADER = 'x-callbot-mock-fault';

/** A code of the spec's RetCode table, answered with the vendor's own message. */
const answerWith = ({ code, zh }: RetCodeInfo) => ({ retCode: code, retMsg: zh });

/** Faults that answer with a retCode, after the request is authenticated (so they are signed). */
export const RETCODE_FAULTS = {
  maintenance: answerWith(RetCodes.ServerMaintenance),
  busy: answerWith(RetCodes.SystemBusy),
  internal: answerWith(RetCodes.InternalServerError),
  /** Imports the batch (callbacks follow), then answers InternalServerError: why its outcome is unknown, not retryable. */
  'internal-after-import': answerWith(RetCodes.InternalServerError),
  'in-progress': answerWith(RetCodes.BatchImportInProgress),
  /** The two codes nothing else in the mock produces, so clients can exercise them too. */
  general: answerWith(RetCodes.GeneralError),
  'no-permission': answerWith(RetCodes.PermissionDenied),
} as const;

export type RetCodeFault = keyof typeof RETCODE_FAULTS;
/** `drop`: read the body, then close the connection without an answer. `drop-before-body`: close at once. */
export type ConnectionFault = 'drop' | 'drop-before-body';
export type FaultKind = RetCodeFault | ConnectionFault | 'latency';

export const FAULT_KINDS: readonly FaultKind[] = [...(Object.keys(RETCODE_FAULTS) as RetCodeFault[]), 'drop', 'drop-before-body', 'latency'];

export interface FaultRule {
  kind: FaultKind;
  /** For `latency`: how long to hold the answer back. */
  latencyMs?: number;
  /** Apply to the next `times` import requests only. */
  times?: number;
  /** Apply to each import request with this probability (seeded). */
  probability?: number;
}

/** What to do to one request. */
export interface FaultPlan {
  latencyMs: number;
  connection?: ConnectionFault;
  retCode?: RetCodeFault;
}

/** Longest latency the mock will inject: a typo must not hang a test run for hours. */
export const MAX_LATENCY_MS = 120_000;

const isFaultKind = (value: string): value is FaultKind => (FAULT_KINDS as readonly string[]).includes(value);

function clampLatency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`latency must be a number of milliseconds >= 0`);
  return Math.min(Math.round(ms), MAX_LATENCY_MS);
}

/**
 * Parses the header value (or the `--fault` flag): comma-separated items, each
 * `KIND`, `latency=MS`, optionally followed by `:TIMES` or `@PROBABILITY` (flag and config only).
 * Example: `latency=200,busy`.
 */
export function parseFaultList(value: string, { allowSchedule = false } = {}): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const match = /^([a-z-]+)(?:=(\d+))?(?::(\d+))?(?:@([0-9.]+))?$/.exec(item);
    const kind = match?.[1];
    if (!match || !kind || !isFaultKind(kind)) {
      throw new TypeError(`unknown fault "${item}"; known: ${FAULT_KINDS.join(', ')} (latency=MS)`);
    }
    if ((match[3] || match[4]) && !allowSchedule) throw new TypeError(`fault "${item}": ":TIMES" and "@P" are for configured faults only`);
    if (kind === 'latency' && match[2] === undefined) throw new TypeError('latency needs a value: latency=MS');
    const rule: FaultRule = { kind };
    if (match[2] !== undefined) rule.latencyMs = clampLatency(Number(match[2]));
    if (match[3] !== undefined) rule.times = Number(match[3]);
    if (match[4] !== undefined) rule.probability = Number(match[4]);
    validateRule(rule);
    rules.push(rule);
  }
  return rules;
}

export function validateRule(rule: FaultRule): FaultRule {
  if (!isFaultKind(rule.kind)) throw new TypeError(`unknown fault kind "${String(rule.kind)}"`);
  if (rule.kind === 'latency') clampLatency(rule.latencyMs ?? Number.NaN);
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 0)) throw new TypeError('fault times must be an integer >= 0');
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new TypeError('fault probability must be between 0 and 1');
  return rule;
}

function addToPlan(plan: FaultPlan, rule: FaultRule): void {
  if (rule.kind === 'latency') plan.latencyMs += clampLatency(rule.latencyMs ?? 0);
  else if (rule.kind === 'drop' || rule.kind === 'drop-before-body') plan.connection ??= rule.kind;
  else plan.retCode ??= rule.kind;
}

const headerText = (headerValue: string | string[] | undefined) => (Array.isArray(headerValue) ? headerValue.join(',') : headerValue);
const beforeBody = (rule: FaultRule) => rule.kind === 'drop-before-body';

/**
 * The configured rules, with their remaining counts; one per server. A rule is used up (its
 * count, its seeded draw) only by the requests it is planned for: `plan` is called once a
 * request is authenticated, `dropsBeforeBody` for requests that carry every signing header of
 * a known account (the body, and so the signature, is not read yet).
 */
export class FaultInjector {
  readonly #rules: { rule: FaultRule; remaining: number }[];
  readonly #random: Random;

  constructor(rules: readonly FaultRule[], seed: number) {
    this.#rules = rules.map((rule) => ({ rule: validateRule({ ...rule }), remaining: rule.times ?? Number.POSITIVE_INFINITY }));
    this.#random = mulberry32((seed ^ 0x5eed) >>> 0);
  }

  #draw(applies: (rule: FaultRule) => boolean): FaultRule[] {
    const drawn: FaultRule[] = [];
    for (const entry of this.#rules) {
      if (entry.remaining <= 0 || !applies(entry.rule)) continue;
      if (entry.rule.probability !== undefined && this.#random() >= entry.rule.probability) continue;
      entry.remaining -= 1;
      drawn.push(entry.rule);
    }
    return drawn;
  }

  /**
   * Whether to close the connection before reading the body (`drop-before-body`, configured or
   * in the header). An unparsable header counts as no fault here: `plan` reports it.
   */
  dropsBeforeBody(headerValue: string | string[] | undefined): boolean {
    const configured = this.#draw(beforeBody).length > 0;
    let fromHeader = false;
    try {
      fromHeader = parseFaultList(headerText(headerValue) ?? '').some(beforeBody);
    } catch {
      // reported by plan() once the request is authenticated
    }
    return configured || fromHeader;
  }

  /**
   * The plan for one authenticated import request: configured rules first, then the request's
   * header (`drop-before-body` is not planned here: see dropsBeforeBody). Throws on a header
   * that does not parse.
   */
  plan(headerValue: string | string[] | undefined): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0 };
    const fromHeader = parseFaultList(headerText(headerValue) ?? '');
    for (const rule of [...this.#draw((rule) => !beforeBody(rule)), ...fromHeader]) if (!beforeBody(rule)) addToPlan(plan, rule);
    return plan;
  }
}
