import type { SignAlgorithm } from 'callbot-contract';
import { writeFileAtomic } from '../shared/atomic-file.js';
import { BudgetExhausted, Pacer } from './pacer.js';
import { findWorkingForm, type ProbeContext, verdictOf } from './probe-kit.js';
import { PROBES } from './probes.js';
import { countVerdicts, PROBE_IDS, SEND_TO, type ProbeReport, type ProbeResult } from './report.js';
import { describeForm, outcome, Session } from './session.js';
import { maskId } from './mask.js';
import { redactDeep } from './redact.js';

// The probe run: find a request form the vendor accepts, then each named probe in turn, each
// under its own time limit, all under one pacer (rate and total). The report is built as the
// probes finish, so an interrupted run (SIGINT) still writes every result it has and marks the
// rest `unknown`, reason "interrupted".
//
// Every text leaves through the session's redactor (redact.ts): the report as a whole, once it
// is built (the summary and --json are made from it), each progress line, and the message of
// an error that ends the run — whatever part of them the vendor wrote.

export interface ProbeRunOptions {
  baseUrl: string;
  uuid: string;
  secretKey: string;
  algorithm: SignAlgorithm;
  credentialsFrom: string;
  task?: string;
  maxRequests: number;
  intervalMs: number;
  timeoutMs: number;
  probeTimeoutMs: number;
  /** Aborted on SIGINT: the run stops and reports what it has. */
  signal: AbortSignal;
  /** One line per step, for stderr. */
  onProgress?: (line: string) => void;
  version: string;
}

class ProbeTimeout extends Error {}

export async function runProbes(options: ProbeRunOptions): Promise<ProbeReport> {
  const startedAt = new Date().toISOString();
  const pacer = new Pacer(options.maxRequests, options.intervalMs);
  const session = new Session({
    baseUrl: options.baseUrl,
    uuid: options.uuid,
    secretKey: options.secretKey,
    pacer,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  const ctx: ProbeContext = { session, configured: options.algorithm, signal: options.signal, ...(options.task ? { task: options.task } : {}) };
  const results: ProbeResult[] = [];
  const say = (line: string) => options.onProgress?.(session.redact(line));

  const unknown = (id: ProbeResult['id'], reason: string): ProbeResult => ({
    id,
    result: 'unknown',
    reason,
    spec: [],
    checks: [],
    evidence: [],
    durationMs: 0,
  });

  say('finding a request form the vendor accepts (ping)');
  try {
    const form = await findWorkingForm(ctx);
    if (form) ctx.form = form;
  } catch (error) {
    if (!(error instanceof BudgetExhausted) && !options.signal.aborted) throw new Error(session.redact(String((error as Error)?.message ?? error)));
  }

  for (const id of PROBE_IDS) {
    if (options.signal.aborted) {
      results.push(unknown(id, 'interrupted'));
      continue;
    }
    say(`probe ${id}`);
    const started = performance.now();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new ProbeTimeout(`timed out after ${options.probeTimeoutMs} ms`)), options.probeTimeoutMs);
    try {
      const outcome = await PROBES[id]({ ...ctx, signal: AbortSignal.any([options.signal, timeout.signal]) });
      results.push({ id, ...outcome, result: verdictOf(outcome), durationMs: Math.round(performance.now() - started) });
    } catch (error) {
      const reason = options.signal.aborted
        ? 'interrupted'
        : error instanceof ProbeTimeout || error instanceof BudgetExhausted
          ? error.message
          : `failed: ${(error as Error).message}`;
      results.push({ ...unknown(id, reason), durationMs: Math.round(performance.now() - started) });
    } finally {
      clearTimeout(timer);
    }
    const last = results.at(-1)!;
    say(`probe ${id}: ${last.result}${last.reason ? ` (${last.reason})` : ''}`);
  }

  const form = ctx.form;
  const report: ProbeReport = {
    reportVersion: 1,
    tool: `callbot probe (callbot-cli ${options.version})`,
    startedAt,
    finishedAt: new Date().toISOString(),
    baseUrl: withoutUserinfo(options.baseUrl),
    account: { uuid: maskId(options.uuid), algorithm: options.algorithm, credentialsFrom: options.credentialsFrom },
    ...(options.task ? { task: options.task } : {}),
    interrupted: options.signal.aborted,
    requests: { sent: pacer.requestsSent, max: options.maxRequests, minIntervalMs: options.intervalMs },
    ...(form
      ? { workingForm: { requestIdHeader: form.requestIdHeader, algorithmHeader: form.algorithmHeader ?? null, signAlgorithm: form.signAlgorithm } }
      : {}),
    formSearch: session.exchanges.filter((e) => e.label.includes('form search')).map((e) => `${describeForm(e.form)}: ${outcome(e)}`),
    clockOffsetSeconds: session.clockOffsetSeconds,
    probes: results,
    counts: countVerdicts(results),
    sendTo: SEND_TO,
  };
  return redactDeep(report, session.redact);
}

/** The base URL without any `user:password@` it was given with. */
function withoutUserinfo(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = '';
  url.password = '';
  return url.href.replace(/\/+$/, '');
}

/** Writes the report atomically, so a reader never sees half of one; it replaces the report of a run before (--out's default is one name). */
export function writeReport(file: string, report: ProbeReport): void {
  writeFileAtomic(file, [`${JSON.stringify(report, null, 2)}\n`], { replace: true });
}
