import type { AnswerIssue } from './strict-answer.js';
import type { SpecLocation } from './spec.js';

// The probe report (schema: packages/cli/schema/probe-report.schema.json). Meant to be attached
// to a bug report as it is: see mask.ts for what is kept out of it.

export type Verdict = 'confirmed' | 'differs' | 'unknown';

export const PROBE_IDS = [
  'header-case',
  'algorithm-header',
  'signature-body',
  'request-gzip',
  'answer-gzip',
  'createts-window',
  'answer-schema',
  'answer-signature',
] as const;
export type ProbeId = (typeof PROBE_IDS)[number];

/** One question a probe asked, with what the contract expects and what the vendor did. */
export interface Check {
  name: string;
  result: Verdict;
  expected: string;
  observed: string;
  spec: SpecLocation;
}

export interface ProbeResult {
  id: ProbeId;
  result: Verdict;
  /** Why the result is `unknown` (interrupted, timed out, the vendor cannot tell, …). */
  reason?: string;
  /** The contract paragraphs this probe confirms or contradicts. */
  spec: SpecLocation[];
  checks: Check[];
  evidence: string[];
  /** answer-schema only: each departure from the contract. */
  issues?: (AnswerIssue & { count: number })[];
  /** answer-schema only: integer values seen where the spec says the values are **Unknown:**, by schema pointer. */
  valuesSeen?: Record<string, number[]>;
  durationMs: number;
}

export interface ProbeReport {
  reportVersion: 1;
  tool: string;
  startedAt: string;
  finishedAt: string;
  baseUrl: string;
  /** The account, without its secret: the uuid shortened, the configured algorithm, where they came from. */
  account: { uuid: string; algorithm: string; credentialsFrom: string };
  task?: string;
  interrupted: boolean;
  requests: { sent: number; max: number; minIntervalMs: number };
  /** The request form the vendor accepted, used for every probe that does not vary it. */
  workingForm?: { requestIdHeader: string; algorithmHeader: string | null; signAlgorithm: string };
  /** Each form tried before one was accepted, with the vendor's answer (masked): why no form was, when none was. */
  formSearch: string[];
  /** Server clock minus local clock, seconds, when known. */
  clockOffsetSeconds?: number;
  probes: ProbeResult[];
  counts: Record<Verdict, number>;
  sendTo: string;
}

export const SEND_TO =
  'Attach this file to an issue in the callbot-contract repository (or to your nxtele support ticket): it holds no secret key, no signature base, no phone numbers and no names.';

/** A verdict for several checks: any `differs` wins, then any `unknown`; no checks is `unknown`. */
export function combine(checks: readonly { result: Verdict }[]): Verdict {
  if (checks.length === 0) return 'unknown';
  if (checks.some((c) => c.result === 'differs')) return 'differs';
  if (checks.some((c) => c.result === 'unknown')) return 'unknown';
  return 'confirmed';
}

export function countVerdicts(probes: readonly ProbeResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { confirmed: 0, differs: 0, unknown: 0 };
  for (const probe of probes) counts[probe.result]++;
  return counts;
}

/** The table printed on stdout: probe → result → where in the contract. */
export function summaryText(report: ProbeReport, reportFile: string | undefined): string {
  const rows = report.probes.map((p) => {
    const differing = p.checks.find((c) => c.result === 'differs')?.spec ?? p.issues?.[0];
    const where = differing?.file ?? p.spec[0]?.file ?? '';
    const open = p.checks.find((c) => c.result === 'unknown');
    return [p.id, p.result, where, p.reason ?? (p.result === 'unknown' && open ? `${open.name}: see the report` : '')];
  });
  const header = ['probe', 'result', 'spec file (to change when it differs)', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [
    `callbot probe: ${report.baseUrl}${report.interrupted ? ' (interrupted)' : ''}`,
    `${report.requests.sent} requests sent (at most ${report.requests.max}, ${report.requests.minIntervalMs} ms apart)`,
    report.workingForm
      ? `accepted form: ${report.workingForm.requestIdHeader} header, algorithm header ${report.workingForm.algorithmHeader ?? 'absent'}`
      : `no request form was accepted:\n${report.formSearch.map((line) => `  ${line}`).join('\n')}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `confirmed ${report.counts.confirmed}, differs ${report.counts.differs}, unknown ${report.counts.unknown}`,
  ];
  for (const probe of report.probes.filter((p) => p.result === 'differs')) {
    for (const check of probe.checks.filter((c) => c.result === 'differs'))
      lines.push(`  ${probe.id} / ${check.name}: ${check.observed} (contract: ${check.expected})`);
    for (const found of probe.issues ?? []) lines.push(`  ${probe.id} / ${found.operation} ${found.path}: ${found.kind}, ${found.detail} → ${found.file}`);
  }
  if (reportFile) lines.push('', `Report: ${reportFile}`);
  lines.push(SEND_TO);
  return `${lines.join('\n')}\n`;
}
