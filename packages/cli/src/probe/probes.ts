import { isSignAlgorithm, Operations, type OperationId, PRODUCT_ID, type SignAlgorithm } from 'callbot-contract';
import { combine, type Check, type ProbeId, type ProbeResult, type Verdict } from './report.js';
import { describeForm, outcome, type Exchange, type ProbeRequest, type RequestForm, type Session } from './session.js';
import { cite, findParagraph, operationPointer, resolvePointer, type SpecLocation } from './spec.js';
import { dedupeIssues, strictAnswerIssues, type ValuesSeen } from './strict-answer.js';

// The named probes. Each varies one dimension of a request the vendor accepts (the working
// form, found first) and compares what happens with what the contract says, citing the
// contract's paragraph. A probe sends only reads: ping, and one small page of the list
// operations; nothing it sends creates, changes or starts anything.

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
const SIGN = '#/components/securitySchemes/CallbotSign/description';
const CREATE_TS = '#/components/securitySchemes/CallbotCreateTs/description';
const ALGORITHM_PARAMETER = '#/components/parameters/Algorithm/description';
const ANSWER_SIGN_HEADER = '#/components/headers/Sign';
const ANSWER_SIGN = `${ANSWER_SIGN_HEADER}/description`;
const ANSWER_CREATE_TS = '#/components/headers/CreateTs/description';
const ANSWER_ALGORITHM = '#/components/headers/Algorithm/description';
const ANSWER_REQUEST_ID = '#/components/headers/RequestID/description';
const pathDescription = (operation: OperationId) => `${operationPointer(Operations[operation].path)}/description`;
const IMPORT_GZIP = `${operationPointer(Operations.importBatchCall.path)}/requestBody/description`;

const PING_BODY = JSON.stringify({ data: 'callbot-probe' });
const ping = (form: RequestForm, label: string, extra: Partial<ProbeRequest> = {}): ProbeRequest => ({
  operation: 'ping',
  body: PING_BODY,
  form,
  label,
  ...extra,
});

const check = (name: string, result: Verdict, expected: string, observed: string, spec: SpecLocation): Check => ({ name, result, expected, observed, spec });
const answered = (e: Exchange) => e.accepted || e.code !== undefined;
const sameForm = (a: RequestForm, b: RequestForm) =>
  a.requestIdHeader === b.requestIdHeader && a.algorithmHeader === b.algorithmHeader && a.signAlgorithm === b.signAlgorithm;

/** A plain ping of this form already sent (the form search sends several), or a new one. */
async function pingWith(ctx: ProbeContext, form: RequestForm, label: string): Promise<Exchange> {
  const earlier = ctx.session.exchanges.find(
    (e) => e.operation === 'ping' && e.bodyText === PING_BODY && e.label.startsWith('plain') && sameForm(e.form, form),
  );
  return earlier ?? ctx.session.send(ping(form, `plain ping: ${label}`), ctx.signal);
}

const noForm = (): ProbeOutcome => ({
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

// ——— answer-gzip ———

export async function answerGzip(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  if (!ctx.task) return { result: 'unknown', reason: 'give --task: listCall and exportBatchCall need a task', spec: [], checks: [], evidence: [] };
  const checks: Check[] = [];
  const spec: SpecLocation[] = [];
  const evidence: string[] = [];
  const bodies: Partial<Record<OperationId, string>> = {
    listCall: JSON.stringify({ productID: PRODUCT_ID, userTaskID: ctx.task, options: {}, page: 1, size: 5 }),
    exportBatchCall: JSON.stringify({ productID: PRODUCT_ID, userTaskID: ctx.task }),
  };
  for (const operation of ['listCall', 'exportBatchCall'] as const) {
    const compressionSpec = cite(pathDescription(operation), '**Answer compression (gzip).**', operation);
    spec.push(compressionSpec);
    const tried = await ctx.session.send(
      { operation, body: bodies[operation]!, form, acceptGzip: true, label: `${operation} with Accept-Encoding: gzip` },
      ctx.signal,
    );
    const answer = tried.answer;
    if (!answer) {
      checks.push(check(`${operation} answer compressed`, 'unknown', 'gzip-compressed', outcome(tried), compressionSpec));
      continue;
    }
    evidence.push(`${operation}: ${outcome(tried)}, Content-Encoding ${answer.contentEncoding ?? 'none'}, ${answer.wire.length} bytes on the wire`);
    if (answer.contentEncoding === 'gzip' || answer.contentEncoding === 'x-gzip') {
      checks.push(check(`${operation} answer compressed`, 'confirmed', 'gzip-compressed', `Content-Encoding: ${answer.contentEncoding}`, compressionSpec));
      // The question is written once, on listCall; exportBatchCall's answer is read the same way.
      const marker = "**Unknown:** whether the answer's `sign`";
      const signSpec = cite(pathDescription(findParagraph(pathDescription(operation), marker) ? operation : 'listCall'), marker, operation);
      const covers = signatureCovers(ctx.session, tried);
      if (covers !== undefined) spec.push(signSpec);
      if (covers === 'json') checks.push(check(`${operation} answer sign covers`, 'confirmed', 'the JSON text', 'the JSON text (after gunzip)', signSpec));
      else if (covers === 'wire') checks.push(check(`${operation} answer sign covers`, 'differs', 'the JSON text', 'the compressed bytes', signSpec));
    } else if (answer.wire[0] === 0x1f && answer.wire[1] === 0x8b) {
      checks.push(
        check(
          `${operation} answer compressed`,
          'differs',
          'gzip-compressed, with Content-Encoding: gzip',
          'gzip bytes without Content-Encoding',
          compressionSpec,
        ),
      );
    } else {
      checks.push(
        check(
          `${operation} answer compressed`,
          'unknown',
          'gzip-compressed',
          `not compressed (${answer.wire.length} bytes): servers often send small answers uncompressed; try a task with more calls`,
          compressionSpec,
        ),
      );
    }
  }
  return { spec, checks, evidence };
}

// ——— answer-signature ———

type Variant = { name: string; algorithm: SignAlgorithm; lowercase: boolean; createTs: 'answer' | 'request'; body: 'json' | 'wire' };

/** The algorithm the contract says signs the answer: the request's header when it is one of the two, else MD5. */
const contractAnswerAlgorithm = (e: Exchange): SignAlgorithm => (isSignAlgorithm(e.form.algorithmHeader) ? e.form.algorithmHeader : 'MD5');

function variantsFor(e: Exchange): Variant[] {
  const contract = contractAnswerAlgorithm(e);
  const other: SignAlgorithm = contract === 'MD5' ? 'SHA256' : 'MD5';
  const variants: Variant[] = [];
  for (const algorithm of [contract, other])
    for (const lowercase of [false, true])
      for (const createTs of ['answer', 'request'] as const)
        for (const body of ['json', 'wire'] as const) {
          if (body === 'wire' && !e.answer?.contentEncoding) continue;
          const name = [
            algorithm === contract ? `${algorithm} (as the request)` : `${algorithm} (not the request's)`,
            lowercase ? 'lowercase hex' : 'uppercase hex',
            createTs === 'answer' ? "answer's createTs" : "request's createTs",
            body === 'json' ? 'over the JSON text' : 'over the compressed bytes',
          ].join(', ');
          variants.push({ name, algorithm, lowercase, createTs, body });
        }
  return variants; // the first is the contract's formula
}

function variantMatches(session: Session, e: Exchange, v: Variant): boolean {
  const answer = e.answer!;
  const given = answer.headers.sign ?? '';
  const computed = session.signWithAccountKey({
    algorithm: v.algorithm,
    body: new Uint8Array(v.body === 'json' ? answer.body : answer.wire),
    createTs: v.createTs === 'answer' ? (answer.headers.createts ?? '') : e.createTs,
    requestID: answer.headers[e.form.requestIdHeader.toLowerCase()] ?? answer.headers.requestid ?? e.requestID,
    uuid: answer.headers.uuid ?? '',
  });
  return given === (v.lowercase ? computed.toLowerCase() : computed);
}

/** What an answer's sign covers when it came gzipped: 'json', 'wire', or undefined (neither / unsigned). */
function signatureCovers(session: Session, e: Exchange): 'json' | 'wire' | undefined {
  if (!e.answer?.headers.sign) return undefined;
  return variantsFor(e).find((v) => variantMatches(session, e, v))?.body;
}

export async function answerSignature(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  const formulaSpec = cite(ANSWER_SIGN, '生成方法与请求头sign生成算法一样');
  const presenceSpec = cite(ANSWER_SIGN, '**Choice:** the vendor marks this header required');
  const algorithmSpec = cite(ANSWER_ALGORITHM, '与请求头一致');
  const echoSpec = cite(ANSWER_REQUEST_ID, '与请求头一致');
  const spec = [formulaSpec, presenceSpec, algorithmSpec, echoSpec];
  // Answers to requests that carried every signing header in the working spelling.
  const judged = ctx.session.exchanges.filter((e) => e.answer?.status === 200 && e.json !== undefined && e.form.requestIdHeader === form.requestIdHeader);
  if (judged.length === 0) return { result: 'unknown', reason: 'no answers to judge', spec, checks: [], evidence: [] };
  const evidence: string[] = [];
  const names = new Set<string>();
  for (const e of judged)
    for (const n of e.answer!.headerNames) if (['requestid', 'uuid', 'createts', 'sign', 'algorithm'].includes(n.toLowerCase())) names.add(n);
  evidence.push(`answer signing headers as the vendor spells them: ${[...names].join(', ') || 'none'}`);

  // The codes the contract says are never signed (`x-callbot-unsigned-retcodes` on the sign header).
  const neverSigned = resolvePointer(`${ANSWER_SIGN_HEADER}/x-callbot-unsigned-retcodes`);
  const exempt = new Set(Array.isArray(neverSigned) ? neverSigned : []);
  const unsigned = judged.filter((e) => !e.answer!.headers.sign && !exempt.has(e.code ?? Number.NaN));
  const signed = judged.filter((e) => e.answer!.headers.sign);
  const checks: Check[] = [
    check(
      'answers are signed',
      unsigned.length === 0 ? 'confirmed' : 'differs',
      `a sign header on every answer to a signed request (except retCodes ${[...exempt].join(', ')})`,
      unsigned.length === 0
        ? `${signed.length} of ${judged.length} answers signed`
        : `${unsigned.length} of ${judged.length} answers unsigned (codes ${[...new Set(unsigned.map((e) => e.code))].join(', ')})`,
      presenceSpec,
    ),
  ];
  if (signed.length > 0) {
    const tally = new Map<string, number>();
    let contractOk = 0;
    for (const e of signed) {
      const variants = variantsFor(e);
      if (variantMatches(ctx.session, e, variants[0]!)) contractOk++;
      const found = variants.find((v) => variantMatches(ctx.session, e, v));
      const key = found ? found.name : 'no variant tried';
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    evidence.push(...[...tally].map(([name, n]) => `${n} answer(s) verify with: ${name}`));
    checks.push(
      check(
        'answer sign formula',
        contractOk === signed.length ? 'confirmed' : 'differs',
        "the request's sign formula over the answer (its JSON text, its createTs, the echoed requestID and uuid), HASH = the request's algorithm header, uppercase hex",
        contractOk === signed.length
          ? `all ${signed.length} signed answers verify`
          : `${signed.length - contractOk} of ${signed.length} do not; ${[...tally].map(([name, n]) => `${n}× ${name}`).join('; ')}`,
        formulaSpec,
      ),
    );
  }
  const wrongAlgorithm = judged.filter((e) => e.answer!.headers.algorithm !== undefined && e.answer!.headers.algorithm !== contractAnswerAlgorithm(e));
  checks.push(
    check(
      'answer algorithm header',
      wrongAlgorithm.length === 0 ? 'confirmed' : 'differs',
      "the request's algorithm (MD5 when absent)",
      wrongAlgorithm.length === 0
        ? 'as the request'
        : `${wrongAlgorithm.length} answer(s) name another (e.g. "${wrongAlgorithm[0]!.answer!.headers.algorithm!.slice(0, 10)}" for a request with ${wrongAlgorithm[0]!.form.algorithmHeader ?? 'no header'})`,
      algorithmSpec,
    ),
  );
  const badEcho = judged.filter((e) => {
    const echoed = e.answer!.headers[form.requestIdHeader.toLowerCase()];
    return echoed !== undefined && echoed !== e.requestID;
  });
  checks.push(
    check(
      'requestID echoed',
      badEcho.length === 0 ? 'confirmed' : 'differs',
      "the request's requestID",
      badEcho.length === 0 ? 'echoed unchanged' : `${badEcho.length} answer(s) echo another value`,
      echoSpec,
    ),
  );
  return { spec, checks, evidence };
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

// ——— answer-schema ———

export async function answerSchema(ctx: ProbeContext): Promise<ProbeOutcome> {
  const form = ctx.form;
  if (!form) return noForm();
  // The reads this probe adds: one small page of tasks, and of the task's orders.
  await ctx.session.send(
    { operation: 'listTask', body: JSON.stringify({ productID: PRODUCT_ID, page: 1, size: 5, queryConditions: {} }), form, label: 'listTask, one page' },
    ctx.signal,
  );
  if (ctx.task)
    await ctx.session.send(
      {
        operation: 'listOrder',
        body: JSON.stringify({ productID: PRODUCT_ID, userTaskID: ctx.task, options: {}, page: 1, size: 5 }),
        form,
        label: 'listOrder, one page',
      },
      ctx.signal,
    );

  const valuesSeen: ValuesSeen = new Map();
  const byOperation = new Map<OperationId, Exchange[]>();
  for (const e of ctx.session.exchanges) {
    if (e.json === undefined || e.answer?.status !== 200) continue;
    byOperation.set(e.operation, [...(byOperation.get(e.operation) ?? []), e]);
  }
  const all = [];
  const checks: Check[] = [];
  const spec: SpecLocation[] = [];
  for (const [operation, exchanges] of byOperation) {
    const schemaName = Operations[operation].answerSchema;
    const found = exchanges.flatMap((e) => strictAnswerIssues(operation, schemaName, e.json, valuesSeen));
    all.push(...found);
    const pointer = `#/components/schemas/${schemaName}/description`;
    const location = cite(
      pointer,
      findParagraph(pointer, '**Unknown:**') ? '**Unknown:**' : findParagraph(pointer, '**Choice:**') ? '**Choice:**' : undefined,
      operation,
    );
    spec.push(location);
    const successes = exchanges.filter((e) => e.accepted).length;
    const distinct = dedupeIssues(found);
    const result: Verdict = distinct.length > 0 ? 'differs' : successes > 0 ? 'confirmed' : 'unknown';
    checks.push(
      check(
        `${operation} answers`,
        result,
        `${schemaName}, no field more or less`,
        `${exchanges.length} answer(s), ${successes} success(es), ${distinct.length} departure(s)${result === 'unknown' ? ': only refusals seen, the success shape is untested' : ''}`,
        distinct[0] ? { file: distinct[0].file, pointer: distinct[0].pointer, operation } : location,
      ),
    );
  }
  const issues = dedupeIssues(all);
  const seen = Object.fromEntries([...valuesSeen].map(([pointer, values]) => [pointer, [...values].sort((a, b) => a - b)]));
  const evidence = Object.entries(seen).map(([pointer, values]) => `values seen at ${pointer} (**Unknown:** in the spec): ${values.join(', ')}`);
  return { spec, checks, evidence, issues, valuesSeen: seen };
}

export const PROBES: Record<ProbeId, (ctx: ProbeContext) => Promise<ProbeOutcome>> = {
  'header-case': headerCase,
  'algorithm-header': algorithmHeader,
  'signature-body': signatureBody,
  'request-gzip': requestGzip,
  'answer-gzip': answerGzip,
  'createts-window': createTsWindow,
  'answer-schema': answerSchema,
  'answer-signature': answerSignature,
};

export const verdictOf = (outcome: ProbeOutcome): Verdict => outcome.result ?? combine(outcome.checks);
