import type { SignAlgorithm } from 'callbot-contract';
import type { Check, Verdict } from './report.js';
import { outcome, type Exchange } from './session.js';
import { cite, findParagraph } from './spec.js';
import {
  ALGORITHM_PARAMETER,
  ANSWER_CREATE_TS,
  answered,
  check,
  CREATE_TS,
  IMPORT_GZIP,
  noForm,
  ping,
  pingWith,
  type ProbeContext,
  type ProbeOutcome,
  SIGN,
} from './probe-kit.js';

// The probes of what we send: each varies one dimension of a request the vendor accepts (the
// working form, probe-kit.ts) — header spelling, the algorithm header, what the signature
// covers, a gzipped body, createTs — and compares what happens with what the contract says.
// Reads only: ping, nothing that creates, changes or starts anything.

// ——— header-case ———

export async function headerCase(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  const spec = cite(SIGN, '**Choice (header case):**');
  const checks: Check[] = [];
  const evidence: string[] = [];
  let base: Exchange | undefined;
  for (const requestIdHeader of ['requestID', 'requestId', 'requestid']) {
    const tried = await pingWith(ctx, { ...form, requestIdHeader }, `header ${requestIdHeader}`);
    if (requestIdHeader === form.requestIdHeader) base = tried;
    evidence.push(`request header "${requestIdHeader}": ${outcome(tried)}`);
    checks.push(
      check(
        `request header ${requestIdHeader}`,
        tried.accepted ? 'confirmed' : answered(tried) ? 'differs' : 'unknown',
        'accepted (header names are case-insensitive)',
        outcome(tried),
        spec,
      ),
    );
  }
  // The answer's createTs: Unix seconds, close to the server's clock (ping's `timestamp`).
  const createTs = base?.answer?.headers.createts;
  const createTsSpec = cite(ANSWER_CREATE_TS, '响应时的秒级时间戳');
  if (base?.answer && createTs !== undefined) {
    const local = Math.floor(base.answer.receivedAt / 1000);
    const seconds = /^[0-9]{1,12}$/.test(createTs) ? Number(createTs) : Number.NaN;
    const skew = seconds - local;
    const plausible = Number.isFinite(skew) && Math.abs(skew) < 86_400;
    evidence.push(`answer createTs "${createTs.slice(0, 20)}": ${Number.isFinite(skew) ? `${skew} s against the local clock` : 'not decimal seconds'}`);
    checks.push(
      check(
        'answer createTs',
        plausible ? 'confirmed' : 'differs',
        'Unix seconds, decimal digits',
        plausible ? `seconds, ${skew} s from the local clock` : `"${createTs.slice(0, 20)}"`,
        createTsSpec,
      ),
    );
  } else {
    checks.push(check('answer createTs', 'unknown', 'Unix seconds, decimal digits', 'no createTs header on the answer', createTsSpec));
  }
  return { spec: [spec, createTsSpec], checks, evidence };
}

// ——— algorithm-header ———

export async function algorithmHeader(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  const h = form.requestIdHeader;
  const run = (algorithmHeader: string | undefined, signAlgorithm: SignAlgorithm) =>
    pingWith(ctx, { requestIdHeader: h, algorithmHeader, signAlgorithm }, `algorithm ${algorithmHeader ?? 'absent'}, signed ${signAlgorithm}`);
  const absentMd5 = await run(undefined, 'MD5');
  const absentSha = await run(undefined, 'SHA256');
  const exactMd5 = await run('MD5', 'MD5');
  const exactSha = await run('SHA256', 'SHA256');
  const lowerMd5 = await run('md5', 'MD5');
  const lowerSha = await run('sha256', 'SHA256');
  const all = { 'absent, signed MD5': absentMd5, 'absent, signed SHA256': absentSha, MD5: exactMd5, SHA256: exactSha, md5: lowerMd5, sha256: lowerSha };
  const evidence = Object.entries(all).map(([name, e]) => `algorithm ${name}: ${outcome(e)}`);
  const allAnswered = (...es: Exchange[]) => es.every(answered);

  const exactSpec = cite(ALGORITHM_PARAMETER, '签名的算法');
  const exact = allAnswered(exactMd5, exactSha)
    ? check(
        'MD5 and SHA256 accepted',
        exactMd5.accepted && exactSha.accepted ? 'confirmed' : 'differs',
        'both accepted',
        `MD5 ${outcome(exactMd5)}; SHA256 ${outcome(exactSha)}`,
        exactSpec,
      )
    : check('MD5 and SHA256 accepted', 'unknown', 'both accepted', 'no answer', exactSpec);

  const caseSpec = cite(SIGN, '**Choice (algorithm values):**');
  const lower = allAnswered(lowerMd5, lowerSha)
    ? check(
        'lowercase values refused',
        !lowerMd5.accepted && !lowerSha.accepted ? 'confirmed' : 'differs',
        'md5 and sha256 refused (only the exact spellings)',
        `md5 ${outcome(lowerMd5)}; sha256 ${outcome(lowerSha)}`,
        caseSpec,
      )
    : check('lowercase values refused', 'unknown', 'md5 and sha256 refused', 'no answer', caseSpec);

  const absentSpec = cite(ALGORITHM_PARAMETER, '**Choice:**');
  const absentObserved = `absent + MD5 sign ${outcome(absentMd5)}; absent + SHA256 sign ${outcome(absentSha)}`;
  let absent: Check;
  if (!allAnswered(absentMd5, absentSha)) absent = check('absent header means MD5', 'unknown', 'MD5', absentObserved, absentSpec);
  else if (absentMd5.accepted && !absentSha.accepted) {
    // With an MD5 account both readings (header default, account setting) predict this.
    absent =
      ctx.configured === 'SHA256'
        ? check('absent header means MD5', 'confirmed', 'MD5, even for an account set to SHA256', absentObserved, absentSpec)
        : check(
            'absent header means MD5',
            'unknown',
            'MD5, even for an account set to SHA256',
            `${absentObserved} — the account uses MD5, so this cannot tell the header default from the account setting (run with an account set to SHA256 and --algorithm SHA256)`,
            absentSpec,
          );
  } else absent = check('absent header means MD5', 'differs', 'MD5 (absent + SHA256 sign refused)', absentObserved, absentSpec);

  return { spec: [exactSpec, caseSpec, absentSpec], checks: [exact, lower, absent], evidence };
}

// ——— signature-body ———

export async function signatureBody(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  const spec = cite(SIGN, '`body` is the **exact JSON text sent on the wire**');
  const variants: [string, string][] = [
    ['spaced JSON', '{ "data" : "callbot-probe" }'],
    ['raw UTF-8 (not \\u-escaped)', '{"data":"探活 callbot-probe"}'],
  ];
  const checks: Check[] = [];
  for (const [name, body] of variants) {
    const tried = await ctx.session.send({ operation: 'ping', body, form, label: `signature over ${name}` }, ctx.signal);
    checks.push(
      check(
        `signed ${name}`,
        tried.accepted ? 'confirmed' : answered(tried) ? 'differs' : 'unknown',
        'accepted: the sign covers the bytes as sent',
        outcome(tried),
        spec,
      ),
    );
  }
  return { spec: [spec], checks, evidence: [] };
}

// ——— request-gzip ———

export async function requestGzip(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  const spec = cite(SIGN, '**Choice (gzip):**');
  const importSpec = cite(IMPORT_GZIP, '**Request compression (gzip).**', 'importBatchCall');
  const overJson = await ctx.session.send(ping(form, 'gzip body, sign over the JSON text', { gzip: 'sign-json' }), ctx.signal);
  const evidence = [`ping, gzip body, sign over the JSON text: ${outcome(overJson)}`];
  const expected = 'a gzip body is decompressed; the sign covers the uncompressed JSON text';
  if (overJson.accepted) return { spec: [spec, importSpec], checks: [check('gzip ping, sign over JSON', 'confirmed', expected, 'accepted', spec)], evidence };
  if (!answered(overJson))
    return { spec: [spec, importSpec], checks: [check('gzip ping, sign over JSON', 'unknown', expected, outcome(overJson), spec)], evidence };
  const overWire = await ctx.session.send(ping(form, 'gzip body, sign over the gzip bytes', { gzip: 'sign-wire' }), ctx.signal);
  evidence.push(`ping, gzip body, sign over the gzip bytes: ${outcome(overWire)}`);
  const observed = overWire.accepted
    ? 'accepted only when the sign covers the compressed bytes'
    : `gzip bodies refused on ping (${outcome(overJson)}); the contract documents request gzip for importBatchCall only, which this probe does not send`;
  return {
    spec: [spec, importSpec],
    checks: [check('gzip ping, sign over JSON', answered(overWire) ? 'differs' : 'unknown', expected, observed, spec)],
    evidence,
  };
}

// ——— createts-window ———

export async function createTsWindow(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  const spec = cite(CREATE_TS, '**Choice:**');
  // The contract's window, read from its own words ("accept ±300 seconds").
  const stated = /±\s?(\d+)\s*seconds/.exec(findParagraph(CREATE_TS, '**Choice:**') ?? '');
  const window = stated ? Number(stated[1]) : undefined;
  const steps = [...new Set([30, 60, 120, ...(window ? [window - 10, window + 10, window * 2] : [300, 600]), 3600])].filter((s) => s > 0).sort((a, b) => a - b);
  const checks: Check[] = [];
  const evidence: string[] = [
    `clock offset (server − local, from ping's timestamp): ${ctx.session.clockOffsetSeconds} s; createTs shifted from the server's time`,
  ];
  for (const [direction, sign] of [
    ['ahead of', 1],
    ['behind', -1],
  ] as const) {
    let lastAccepted = 0;
    let firstRefused: number | undefined;
    let silent: string | undefined;
    for (const step of steps) {
      const tried = await ctx.session.send(ping(form, `createTs ${direction} by ${step} s`, { createTsShift: sign * step }), ctx.signal);
      evidence.push(`createTs ${direction} the server by ${step} s: ${outcome(tried)}`);
      if (tried.accepted) lastAccepted = step;
      else if (answered(tried)) {
        firstRefused = step;
        break;
      } else {
        silent = outcome(tried);
        break;
      }
    }
    const found = firstRefused === undefined ? `accepted up to ${lastAccepted} s (no refusal)` : `accepted at ${lastAccepted} s, refused at ${firstRefused} s`;
    const expected = window ? `±${window} s (accepted at ${window - 10} s, refused at ${window + 10} s)` : 'a window stated in the contract';
    const result: Verdict =
      silent !== undefined || !window ? 'unknown' : lastAccepted === window - 10 && firstRefused === window + 10 ? 'confirmed' : 'differs';
    checks.push(check(`createTs ${direction} the server`, result, expected, silent ?? found, spec));
  }
  return { spec: [spec], checks, evidence };
}
