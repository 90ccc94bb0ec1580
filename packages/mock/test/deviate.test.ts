import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { createCallbotClient, DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, verifyCallback } from 'callbot-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { createDeviator, DEVIATION_KINDS, DEVIATIONS_HEADER, type Deviation, type DeviationKind } from '../src/spec/deviate.js';
import { createMockServer, resolveOptions, type MockOptionsInput, type MockServer } from '../src/index.js';
import { advance, importBody, order, sendSigned, startReceiver, type Answer } from './helpers.js';

// The `deviate` option: answers and callbacks off-shape as a real vendor's may be, still signed.
type Json = Record<string, any>;
const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve('callbot-contract/openapi.json'), 'utf8')) as Json;
const deref = (value: any): any =>
  value && typeof value === 'object' && typeof value.$ref === 'string'
    ? deref(
        value.$ref
          .slice(2)
          .split('/')
          .reduce((node: any, part: string) => node?.[part], spec),
      )
    : value;

/** Every POST operation of the bundled spec with its first request example and its answer examples. */
const operations = Object.entries(spec.paths as Json).map(([path, item]) => {
  const post = item.post;
  return {
    path,
    operationId: post.operationId as string,
    request: deref(Object.values(post.requestBody.content['application/json'].examples)[0]).value as Json,
    answers: Object.values(post.responses['200'].content['application/json'].examples).map((example) => deref(example).value as Json),
  };
});
/** The three callbacks' examples, by the kind the simulator names them. */
const KIND_OF_WEBHOOK: Record<string, 'call' | 'order' | 'task'> = { callFinished: 'call', orderFinished: 'order', taskStatusChanged: 'task' };
const callbackExamples = Object.entries(spec.webhooks as Json).flatMap(([name, item]) =>
  Object.values(deref(item.post.requestBody).content['application/json'].examples).map((example) => ({
    kind: KIND_OF_WEBHOOK[name]!,
    value: deref(example).value as Json,
  })),
);

const segments = (path: string) => [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
const at = (root: unknown, path: string) => segments(path).reduce<any>((node, segment) => node?.[segment], root);
const parent = (root: unknown, path: string) =>
  segments(path)
    .slice(0, -1)
    .reduce<any>((node, segment) => node?.[segment], root);
const last = (path: string) => segments(path).at(-1)!;

/** Whether `after` shows the deviation claimed, against `before` (the payload as the simulator made it). */
function holds(before: unknown, after: unknown, { kind, path }: Deviation): boolean {
  const key = last(path);
  const container = parent(after, path);
  if (kind === 'extra')
    return typeof key === 'string' && key.startsWith('x_vendorNew') && Object.hasOwn(container, key) && !Object.hasOwn(parent(before, path), key);
  if (kind === 'missing') return Object.hasOwn(parent(before, path), key) && !Object.hasOwn(container, key);
  if (kind === 'null') return at(before, path) !== null && at(after, path) === null;
  return typeof at(after, path) === typeof at(before, path) && at(after, path) !== at(before, path);
}

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

const parseHeader = (header: string | null): Deviation[] =>
  header
    ? header.split(', ').map((item) => {
        const [kind, path] = item.split(' ') as [DeviationKind, string];
        return { kind, path };
      })
    : [];

describe('deviate (the module, over the bundled spec)', () => {
  it('rate 0 changes nothing; rate 1 makes every payload deviate 1 to 3 times, each deviation as described, the original untouched', () => {
    const none = createDeviator(spec, { rate: 0, seed: 1, kinds: DEVIATION_KINDS });
    const all = createDeviator(spec, { rate: 1, seed: 1, kinds: DEVIATION_KINDS });
    const seen = new Set<DeviationKind>();
    for (let round = 0; round < 20; round += 1) {
      for (const op of operations) {
        for (const example of op.answers) {
          const frozen = deepFreeze(structuredClone(example));
          const same = none.answer(op.path, frozen);
          expect(same.value).toBe(frozen);
          expect(same.deviations).toEqual([]);
          const { value, deviations } = all.answer(op.path, frozen); // frozen: a change in place would throw
          expect(deviations.length, op.operationId).toBeGreaterThanOrEqual(1);
          expect(deviations.length).toBeLessThanOrEqual(3);
          for (const deviation of deviations) {
            expect(holds(frozen, value, deviation), `${op.operationId}: ${JSON.stringify(deviation)} in ${JSON.stringify(value)}`).toBe(true);
            seen.add(deviation.kind);
          }
          // What the contract reads an answer's outcome from is never touched.
          for (const field of ['retCode', 'code']) if (field in example) expect((value as Json)[field]).toBe(example[field]);
        }
      }
      for (const [seq, { kind, value: example }] of callbackExamples.entries()) {
        const frozen = deepFreeze(structuredClone(example));
        const { value, deviations } = all.callback(kind, round * 100 + seq, frozen);
        expect(deviations.length).toBeGreaterThanOrEqual(1);
        for (const deviation of deviations) expect(holds(frozen, value, deviation), JSON.stringify(deviation)).toBe(true);
        expect((value as Json).callbackType).toBe(example.callbackType);
      }
    }
    expect([...seen].sort()).toEqual([...DEVIATION_KINDS].sort());
  });

  it('draws from the seed: the same seed and the same payloads deviate alike, another seed otherwise; kinds narrows them', () => {
    const runOf = (seed: number, kinds = DEVIATION_KINDS) => {
      const deviator = createDeviator(spec, { rate: 0.5, seed, kinds });
      const out: unknown[] = [];
      for (let round = 0; round < 5; round += 1) {
        for (const op of operations) for (const example of op.answers) out.push(deviator.answer(op.path, example));
        for (const [seq, { kind, value }] of callbackExamples.entries()) out.push(deviator.callback(kind, round * 100 + seq, value));
      }
      return out as { value: unknown; deviations: Deviation[] }[];
    };
    const first = runOf(7);
    expect(runOf(7)).toEqual(first);
    expect(runOf(8)).not.toEqual(first);
    const deviated = first.filter((result) => result.deviations.length > 0).length;
    expect(deviated).toBeGreaterThan(first.length * 0.3);
    expect(deviated).toBeLessThan(first.length * 0.7);
    const onlyNulls = runOf(7, ['null']).flatMap((result) => result.deviations.map((deviation) => deviation.kind));
    expect(new Set(onlyNulls)).toEqual(new Set(['null']));
  });

  it('finds enum values in the spec (anyOf an enum and any integer) and replaces them with one the enum does not list', () => {
    const listTask = operations.find((op) => op.operationId === 'listTask')!;
    const success = listTask.answers.find((answer) => answer.retCode === 0 && answer.taskData?.length)!;
    const deviator = createDeviator(spec, { rate: 1, seed: 3, kinds: ['enum'] });
    const documented = deref(spec.components.schemas.TaskStatus).enum as number[];
    const { value, deviations } = deviator.answer(listTask.path, success);
    expect(deviations).toEqual([expect.objectContaining({ kind: 'enum', path: expect.stringMatching(/^taskData\[\d+\]\.taskStatus$/) })]);
    const replaced = at(value, deviations[0]!.path);
    expect(Number.isInteger(replaced)).toBe(true);
    expect(documented).not.toContain(replaced);
  });
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWith(options: MockOptionsInput): Promise<MockServer> {
  const server = await createMockServer({ port: 0, speed: 0, importingMs: 0, startAt: 1_750_000_000_000, ...options });
  cleanup.push(() => server.close());
  return server;
}

const USER_TASK = 'deviate-task';
const normalized = (body: Json) => {
  const copy = structuredClone(body);
  for (const field of ['responseID', 'reqId', 'timestamp']) if (typeof copy[field] === 'string' || typeof copy[field] === 'number') copy[field] = 'fresh';
  return copy;
};

/**
 * One run against a mock: an import whose callbacks go to a receiver, an hour of virtual time,
 * then every operation's request example and a few task lists. Answers and callbacks in a form
 * two runs can be compared in (fresh ids masked; callbacks by world event seq).
 */
async function run(options: MockOptionsInput) {
  const receiver = await startReceiver();
  cleanup.push(receiver.close);
  const mock = await mockWith(options);
  const answers: { operationId: string; body: Json; deviations: Deviation[]; answer: Answer }[] = [];
  const send = async (operationId: string, path: string, body: unknown) => {
    const answer = await sendSigned(mock.url, path, body);
    answers.push({ operationId, body: normalized(answer.json), deviations: parseHeader(answer.headers.get(DEVIATIONS_HEADER)), answer });
  };
  const orders = Array.from({ length: 6 }, (_, i) => order(i));
  await send('importBatchCall', IMPORT_BATCH_CALL_PATH, importBody(orders, { userTaskID: USER_TASK, callbackBase: `${receiver.url}/cb` }));
  await advance(mock.url, 3600);
  for (const op of operations) await send(op.operationId, op.path, op.request);
  for (let i = 0; i < 8; i += 1) await send('listTask', '/callcentre/api/v3/listTask', { productID: 'callbot', page: 1, size: 10, queryConditions: {} });
  await send('listOrderDetail', '/callcentre/api/v3/listOrderDetail', { productID: 'callbot', userTaskID: USER_TASK, orderList: orders.map((o) => o.orderID) });
  const records = (await (await fetch(`${mock.url}/__mock/callbacks?limit=1000`)).json()).callbacks as Json[];
  const bodyOf = (requestID: string) => receiver.received.find((callback) => callback.headers.requestid === requestID)!;
  const callbacks = records
    .filter((record) => record.status === 'delivered')
    .map((record) => ({ seq: record.seq as number, deviations: (record.deviations ?? []) as Deviation[], received: bodyOf(record.requestID) }))
    .sort((a, b) => a.seq - b.seq);
  return { mock, answers, callbacks, receiver };
}

describe('deviate (the mock, over loopback)', () => {
  it('signs every deviated answer: the contract client verifies and accepts each, and each names its deviations', async () => {
    const mock = await mockWith({ deviate: { rate: 1 } });
    const headers: { path: string; deviations: string | null }[] = [];
    const client = createCallbotClient({
      ...DEMO_ACCOUNT,
      baseUrl: mock.url,
      retry: false,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        headers.push({ path: new URL(input instanceof Request ? input.url : String(input)).pathname, deviations: response.headers.get(DEVIATIONS_HEADER) });
        return response;
      },
    });
    for (const op of operations) {
      // The raw client signs the request and verifies the answer's signature (CallbotSignatureError when it does not match).
      const post = client.raw.POST as unknown as (path: string, init: { body: unknown }) => Promise<{ data?: Json; response: Response }>;
      const { data, response } = await post(op.path, { body: op.request });
      expect(response.status, op.operationId).toBe(200);
      expect(typeof (data?.retCode ?? data?.code), op.operationId).toBe('number');
    }
    const { productID: _, ...input } = importBody(3, { userTaskID: 'client-task' });
    const imported = await client.importBatchCall(input);
    expect(imported.requestID).toMatch(/./);
    expect(headers.map((h) => h.path)).toEqual([...operations.map((op) => op.path), IMPORT_BATCH_CALL_PATH]);
    for (const { path, deviations } of headers) expect(deviations, path).toMatch(/^(extra|missing|null|enum) \S+/);
  });

  it('rate 0 (and no option) changes nothing: the same answers and callbacks as a mock without it', async () => {
    const plain = await run({ seed: 5 });
    const zero = await run({ seed: 5, deviate: { rate: 0, seed: 99 } });
    expect(zero.answers.map((a) => a.body)).toEqual(plain.answers.map((a) => a.body));
    for (const answer of [...plain.answers, ...zero.answers]) expect(answer.answer.headers.get(DEVIATIONS_HEADER)).toBeNull();
    expect(zero.callbacks.length).toBeGreaterThan(6);
    expect(zero.callbacks.map((c) => [c.seq, c.received.body])).toEqual(plain.callbacks.map((c) => [c.seq, c.received.body]));
    for (const callback of zero.callbacks) expect(callback.deviations).toEqual([]);
  });

  it('the same seed and the same requests deviate alike (answers and callbacks); every kind occurs; every callback verifies', async () => {
    const first = await run({ seed: 5, deviate: { rate: 0.6 } });
    const again = await run({ seed: 5, deviate: { rate: 0.6 } });
    const other = await run({ seed: 5, deviate: { rate: 0.6, seed: 6 } });
    const plain = await run({ seed: 5 });

    const answerDeviations = (r: typeof first) => r.answers.map((a) => [a.operationId, a.deviations]);
    expect(answerDeviations(again)).toEqual(answerDeviations(first));
    expect(again.answers.map((a) => a.body)).toEqual(first.answers.map((a) => a.body));
    expect(other.answers.map((a) => a.body)).not.toEqual(first.answers.map((a) => a.body));
    const callbackView = (r: typeof first) => r.callbacks.map((c) => [c.seq, c.deviations, c.received.body]);
    expect(callbackView(again)).toEqual(callbackView(first));
    expect(callbackView(other)).not.toEqual(callbackView(first));

    // Each deviation named is there, against the same run without deviations (same seed, same world).
    expect(plain.answers.length).toBe(first.answers.length);
    for (const [i, answer] of first.answers.entries()) {
      for (const deviation of answer.deviations) expect(holds(plain.answers[i]!.body, answer.body, deviation), JSON.stringify(deviation)).toBe(true);
    }
    const plainBySeq = new Map(plain.callbacks.map((c) => [c.seq, JSON.parse(c.received.body)]));
    for (const callback of first.callbacks) {
      const body = JSON.parse(callback.received.body);
      if (callback.deviations.length === 0) expect(body).toEqual(plainBySeq.get(callback.seq));
      for (const deviation of callback.deviations) expect(holds(plainBySeq.get(callback.seq), body, deviation), JSON.stringify(deviation)).toBe(true);
    }

    const kinds = new Set([...first.answers, ...first.callbacks].flatMap((x) => x.deviations.map((d) => d.kind)));
    expect([...kinds].sort()).toEqual([...DEVIATION_KINDS].sort());
    expect(first.callbacks.some((c) => c.deviations.length > 0)).toBe(true);
    expect(first.answers.filter((a) => a.deviations.length > 0).length).toBeGreaterThan(first.answers.length / 3);

    // Authentic but off-shape: each callback verifies with the contract's own check, and each answer's signature covers its bytes.
    for (const callback of first.callbacks) {
      expect(() =>
        verifyCallback({ headers: callback.received.headers, body: callback.received.body, secretKey: DEMO_ACCOUNT.secretKey, uuid: DEMO_ACCOUNT.uuid }),
      ).not.toThrow();
    }
  });

  it('a callback sent again carries the same deviations (drawn once per world event)', async () => {
    // Every first attempt refused: each callback is sent twice.
    const refused = new Set<string>();
    const receiver = await startReceiver((callback) => {
      const requestID = String(callback.headers.requestid);
      if (refused.has(requestID)) return 200;
      refused.add(requestID);
      return 500;
    });
    cleanup.push(receiver.close);
    const mock = await mockWith({ deviate: { rate: 1 }, callbacks: { retryDelayMs: 0 } });
    await sendSigned(mock.url, IMPORT_BATCH_CALL_PATH, importBody(3, { userTaskID: 'retry-task', callbackBase: `${receiver.url}/cb` }));
    await advance(mock.url, 3600);
    const byRequest = new Map<string, typeof receiver.received>();
    for (const callback of receiver.received) {
      const requestID = String(callback.headers.requestid);
      byRequest.set(requestID, [...(byRequest.get(requestID) ?? []), callback]);
    }
    expect(byRequest.size).toBeGreaterThan(3);
    for (const attempts of byRequest.values()) {
      expect(attempts).toHaveLength(2);
      expect(attempts[1]!.body).toBe(attempts[0]!.body);
    }
  });
});

describe('deviate (options and the command)', () => {
  it('checks the option so that a typo fails at start', () => {
    expect(resolveOptions().deviate).toEqual({ rate: 0, seed: 1, kinds: ['extra', 'missing', 'null', 'enum'] });
    expect(resolveOptions({ seed: 9, deviate: { rate: 0.5 } }).deviate).toEqual({ rate: 0.5, seed: 9, kinds: [...DEVIATION_KINDS] });
    expect(resolveOptions({ seed: 9, deviate: { rate: 1, seed: 4, kinds: ['null', 'null'] } }).deviate).toEqual({ rate: 1, seed: 4, kinds: ['null'] });
    expect(() => resolveOptions({ deviate: { rate: 1.5 } })).toThrow(/deviate.rate must be a number from 0 to 1/);
    expect(() => resolveOptions({ deviate: { rat: 0.2 } as never })).toThrow(/deviate.rat: unknown key/);
    expect(() => resolveOptions({ deviate: { kinds: ['nulls'] } as never })).toThrow(/deviate.kinds/);
    expect(() => resolveOptions({ deviate: { seed: -1 } })).toThrow(/deviate.seed/);
  });

  it('--deviate [RATE]: the banner says what deviates, answers name their deviations; a bad RATE is refused', async () => {
    const proc = await startMockProcess(['--deviate', '--no-callbacks', '--quiet', '--seed', '3']);
    try {
      expect(proc.output()).toMatch(/deviate: {3}25% of answers and callbacks \(extra, missing, null, enum; seed 3; header x-callbot-mock-deviations\)/);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
    const full = await startMockProcess(['--deviate', '1', '--no-callbacks', '--quiet']);
    try {
      const answer = await sendSigned(full.url, IMPORT_BATCH_CALL_PATH, importBody(2));
      expect(answer.headers.get(DEVIATIONS_HEADER)).toMatch(/^(extra|missing|null|enum) /);
    } finally {
      expect(await full.stop()).toBe(0);
    }
    await expect(startMockProcess(['--deviate', '2'])).rejects.toThrow(/--deviate must be a number from 0 to 1/);
    const { stdout } = await promisify(execFile)(process.execPath, [fromRoot('packages', 'mock', 'dist', 'bin.js'), '--help']);
    expect(stdout).toContain('--deviate [rate]');
    expect(stdout).toContain(DEVIATIONS_HEADER);
  });
});
