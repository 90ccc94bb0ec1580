import { Operations, type OperationId, type SignAlgorithm } from 'callbot-contract';
import { combine, type Check, type ProbeResult, type Verdict } from './report.js';
import { describeForm, type Exchange, type ProbeRequest, type RequestForm, type Session } from './session.js';
import { operationPointer, type SpecLocation } from './spec.js';

// What every probe uses: the context a probe runs in, where the contract says each thing (the
// pointers its checks cite), the plain ping, and the search for the request form the vendor
// accepts — the form the probes (request-probes.ts, answer-probes.ts) vary one dimension of.

export interface ProbeContext {
  session: Session;
  /** The algorithm the account is configured with (CALLBOT_ALGORITHM / --algorithm). */
  configured: SignAlgorithm;
  task?: string;
  /** The request form the vendor accepted (undefined when none was). */
  form?: RequestForm;
  signal: AbortSignal;
}

export type ProbeOutcome = Omit<ProbeResult, 'id' | 'durationMs' | 'result'> & { result?: Verdict };

// ——— where the contract says it ———
export const SIGN = '#/components/securitySchemes/CallbotSign/description';
export const CREATE_TS = '#/components/securitySchemes/CallbotCreateTs/description';
export const ALGORITHM_PARAMETER = '#/components/parameters/Algorithm/description';
export const ANSWER_SIGN_HEADER = '#/components/headers/Sign';
export const ANSWER_SIGN = `${ANSWER_SIGN_HEADER}/description`;
export const ANSWER_CREATE_TS = '#/components/headers/CreateTs/description';
export const ANSWER_ALGORITHM = '#/components/headers/Algorithm/description';
export const ANSWER_REQUEST_ID = '#/components/headers/RequestID/description';
export const pathDescription = (operation: OperationId) => `${operationPointer(Operations[operation].path)}/description`;
export const IMPORT_GZIP = `${operationPointer(Operations.importBatchCall.path)}/requestBody/description`;

export const PING_BODY = JSON.stringify({ data: 'callbot-probe' });
export const ping = (form: RequestForm, label: string, extra: Partial<ProbeRequest> = {}): ProbeRequest => ({
  operation: 'ping',
  body: PING_BODY,
  form,
  label,
  ...extra,
});

export const check = (name: string, result: Verdict, expected: string, observed: string, spec: SpecLocation): Check => ({
  name,
  result,
  expected,
  observed,
  spec,
});
export const answered = (e: Exchange) => e.accepted || e.code !== undefined;
export const sameForm = (a: RequestForm, b: RequestForm) =>
  a.requestIdHeader === b.requestIdHeader && a.algorithmHeader === b.algorithmHeader && a.signAlgorithm === b.signAlgorithm;

/** A plain ping of this form already sent (the form search sends several), or a new one. */
export async function pingWith(ctx: ProbeContext, form: RequestForm, label: string): Promise<Exchange> {
  const earlier = ctx.session.exchanges.find(
    (e) => e.operation === 'ping' && e.bodyText === PING_BODY && e.label.startsWith('plain') && sameForm(e.form, form),
  );
  return earlier ?? ctx.session.send(ping(form, `plain ping: ${label}`), ctx.signal);
}

export const noForm = (): ProbeOutcome => ({
  result: 'unknown',
  reason: 'no request form was accepted (check the uuid, the secret key and the base URL)',
  spec: [],
  checks: [],
  evidence: [],
});

// ——— the working form ———

/**
 * The first request form the vendor accepts, trying the contract's first and then one or two
 * dimensions changed (header spelling, algorithm header): the later probes vary one dimension
 * of it at a time, so that one divergence does not hide the others.
 */
export async function findWorkingForm(ctx: ProbeContext): Promise<RequestForm | undefined> {
  const configured = ctx.configured;
  const forms: RequestForm[] = [];
  for (const algorithmHeader of [configured, undefined, configured.toLowerCase()]) {
    for (const requestIdHeader of ['requestID', 'requestId', 'requestid']) {
      forms.push({ requestIdHeader, algorithmHeader, signAlgorithm: algorithmHeader === undefined ? 'MD5' : configured });
    }
  }
  for (const form of forms) {
    const tried = await ctx.session.send(ping(form, `plain ping: form search, ${describeForm(form)}`), ctx.signal);
    const timestamp = (tried.json as { timestamp?: unknown } | undefined)?.timestamp;
    if (tried.answer && Number.isInteger(timestamp)) ctx.session.clockOffsetSeconds = (timestamp as number) - Math.floor(tried.answer.receivedAt / 1000);
    if (tried.accepted) return form;
    if (!answered(tried)) return undefined; // no answer at all: no point in trying spellings
  }
  return undefined;
}

/** A probe's verdict: the one it gave, else what its checks add up to. */
export const verdictOf = (outcome: ProbeOutcome): Verdict => outcome.result ?? combine(outcome.checks);
