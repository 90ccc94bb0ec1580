import { isSignAlgorithm, Operations, type OperationId, PRODUCT_ID, type SignAlgorithm } from 'callbot-contract';
import type { Check, Verdict } from './report.js';
import { outcome, type Exchange, type Session } from './session.js';
import { cite, findParagraph, resolvePointer, type SpecLocation } from './spec.js';
import { dedupeIssues, strictAnswerIssues, type ValuesSeen } from './strict-answer.js';
import {
  ANSWER_ALGORITHM,
  ANSWER_REQUEST_ID,
  ANSWER_SIGN,
  ANSWER_SIGN_HEADER,
  check,
  noForm,
  pathDescription,
  type ProbeContext,
  type ProbeOutcome,
} from './probe-kit.js';

// The probes of what the vendor answers: gzip, the answer's signature (what it covers, which
// algorithm, which createTs) and the answers' shape against the contract's schemas. Reads only:
// ping and, with --task, one small page of the list operations.

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
