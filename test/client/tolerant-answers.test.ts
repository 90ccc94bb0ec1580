import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RetCodes, retCodeInfo } from '../../generated/retcodes.js';
import { type AnswerDeviationReport, type CallbotClientOptions, createCallbotClient, LIST_ORDER_DETAIL_MAX_IDS } from '../../src/client.js';
import { CallbotError, CallbotSignatureError } from '../../src/errors.js';
import { batch } from 'callbot-test-kit/bodies';
import { startFakeVendor, type FakeVendor } from 'callbot-test-kit/fake-vendor';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';

// Issue 17, item 1 (client) and item 6 (ping's hint): a verified answer is believed whatever its
// shape — returned as received, its deviations reported when asked — and only its authenticity
// (signature, echoed headers) can make the client refuse it.

const account = { uuid: 'acct-tolerant-answers', secretKey: 'TOLERANT-ANSWERS-secret-0123' };
const noWait = { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const taskItem = spec.components.examples.ListTaskSuccess.value.taskData[0] as Record<string, unknown>;
const listTaskQuery = { queryConditions: { taskStatus: [2, 5] as (2 | 5)[] } };

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(account);
});
afterAll(async () => {
  await vendor.close();
});
beforeEach(() => {
  vendor.received.length = 0;
});
const client = (extra: Partial<CallbotClientOptions> = {}) => createCallbotClient({ ...account, baseUrl: vendor.url, retry: noWait, ...extra });

describe('a verified answer is returned whatever its shape', () => {
  it('nulls, extra fields and an undocumented taskStatus come back as received; onDeviation says where they depart', async () => {
    const odd = { ...taskItem, taskStatus: 'suspended-by-vendor', taskStat: null, sceneID: null, addedByVendor: [1, 2] };
    const answer = { retCode: 0, retMsg: null, responseID: 'r-1', vendorEnvelopeField: true, taskData: [odd] };
    // The spec's own example first: it fits, and is not reported.
    vendor.script({ answer: spec.components.examples.ListTaskSuccess.value }, { answer });
    const reports: AnswerDeviationReport[] = [];
    const c = client({ onDeviation: (r) => void reports.push(r) });
    await c.listTasks({ ...listTaskQuery, page: 1, size: 10 });
    expect(reports).toEqual([]);
    const result = await c.listTasks({ ...listTaskQuery, page: 1, size: 10 });
    expect(result).toEqual({ ...answer, requestID: result.requestID, attempts: 1 });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ operationId: 'listTask', requestID: result.requestID, suppressed: 0 });
    expect(reports[0]!.deviations).toEqual(
      expect.arrayContaining([
        { path: 'retMsg', message: 'must be string' },
        { path: 'taskData[0].taskStat', message: 'must be object' },
        { path: 'taskData[0].sceneID', message: 'must be string' },
        { path: 'taskData[0].taskStatus', message: expect.stringMatching(/^must be integer\b/) },
        { path: 'vendorEnvelopeField', message: 'is not a field of the contract' },
        { path: 'taskData[0].addedByVendor', message: 'is not a field of the contract' },
      ]),
    );
    expect(reports[0]!.deviationCount).toBe(reports[0]!.deviations.length);
  });

  it('reports are bounded: at most deviationReportsPerMinute, the rest counted', async () => {
    vendor.script({ answer: { retCode: 0, retMsg: 'ok', responseID: null } });
    const reports: AnswerDeviationReport[] = [];
    const c = client({ onDeviation: (r) => void reports.push(r), deviationReportsPerMinute: 1 });
    for (let i = 0; i < 3; i += 1) await c.ping('x');
    expect(reports).toHaveLength(1);
  });

  it('a retCode sent as a string of digits is read: "0" resolves, "6003" is the vendor refusing', async () => {
    vendor.script({ answer: { retCode: '0', retMsg: 'success', responseID: 'r', totalCount: 1, successCount: 1, errList: [] } });
    await expect(client().importBatchCall(batch(1))).resolves.toMatchObject({ totalCount: 1, retCode: 0 });
    vendor.script({ answer: { retCode: '6003', retMsg: '用户没有权限', responseID: 'r' } });
    const error = await client()
      .listTasks({ ...listTaskQuery, page: 1, size: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbotError);
    expect(error).toMatchObject({ retCode: 6003, outcome: 'refused' });
  });

  it('importBatchCall: an errList that is null or not a list becomes [], the answer still resolves', async () => {
    for (const errList of [null, { phone: 'x' }, 'none']) {
      vendor.script({ answer: { retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 1, successCount: 1, errList } });
      const result = await client().importBatchCall(batch(1));
      expect(result.errList).toEqual([]);
      expect(result.successCount).toBe(1);
    }
  });
});

describe('the deviation check is linear in the answer', () => {
  it("an export of 40,000 rows each with six nulls (the vendor's shape) is checked in seconds, not minutes, and counted in full", async () => {
    // Ajv's allErrors code appended each row's errors with vErrors.concat(…): a copy of every
    // error so far per row, quadratic (100,000 such rows took 400 s with onDeviation set).
    const rows = 40_000;
    const row = { orderID: 'o', userPhone: null, other: null, callID: null, callStatus: null, callStartTs: null, intents: null };
    vendor.script({
      answer: { retCode: 0, retMsg: 'success', responseID: 'r', totalCount: rows, batchID: 'b', callList: Array.from({ length: rows }, () => row) },
      gzip: true,
    });
    const reports: AnswerDeviationReport[] = [];
    const started = Date.now();
    const result = await client({ onDeviation: (r) => void reports.push(r) }).exportBatchCall({ userTaskID: 't-linear' });
    const ms = Date.now() - started;
    expect(result.callList).toHaveLength(rows);
    expect(reports[0]!.deviationCount).toBe(rows * 6);
    expect(reports[0]!.deviations).toHaveLength(50);
    expect(ms).toBeLessThan(8_000);
  }, 120_000);
});

describe('the list iterators never crash on an odd page', () => {
  /** A vendor whose page N answers `pages[N - 1]` (the last one repeats). */
  const paged = (pages: Record<string, unknown>[]) =>
    vendor.script({ kind: 'compute', answer: (body) => ({ retCode: 0, retMsg: 'success', responseID: 'r', ...pages[Math.min(body.page, pages.length) - 1] }) });

  it('a page whose list is not an array ends the loop (no TypeError) like an empty one; null items are yielded as received', async () => {
    paged([{ taskData: [taskItem, null] }, { taskData: { unexpected: 'object' } }]);
    const seen: unknown[] = [];
    for await (const task of client().tasks({ ...listTaskQuery, size: 2 })) seen.push(task);
    expect(seen).toEqual([taskItem, null]);
    expect(vendor.received).toHaveLength(2);
  });

  it('a totalCount sent as a string of digits still ends the loop on time', async () => {
    paged([{ taskData: [taskItem, taskItem], totalCount: '2' }, { taskData: [taskItem] }]);
    const seen: unknown[] = [];
    for await (const task of client().tasks({ ...listTaskQuery, size: 2 })) seen.push(task);
    expect(seen).toHaveLength(2);
    expect(vendor.received).toHaveLength(1);
  });

  it(`listOrderDetails over ${LIST_ORDER_DETAIL_MAX_IDS} ids: a part whose orderDetailList is not a list adds nothing, the others are merged`, async () => {
    const detail = spec.components.examples.ListOrderDetailSuccess.value.orderDetailList[0];
    let n = 0;
    vendor.script({
      kind: 'compute',
      answer: () => ({ retCode: 0, retMsg: 'success', responseID: 'r', orderDetailList: (n += 1) === 2 ? { odd: true } : [detail] }),
    });
    const orderList = Array.from({ length: LIST_ORDER_DETAIL_MAX_IDS * 2 + 1 }, (_, i) => `o-${i}`);
    const result = await client().listOrderDetails({ userTaskID: 't-1', orderList });
    expect(result.orderDetailList).toEqual([detail, detail]);
    expect(result.requestIDs).toHaveLength(3);
  });
});

describe("ping's unsigned 6002 gets the hint every other operation gets (against the mock)", () => {
  let mock: MockProcess;
  beforeAll(async () => {
    mock = await startMockProcess(['--no-callbacks', '--quiet']);
  });
  afterAll(async () => {
    await mock.stop();
  });

  it('ping and importBatchCall with a uuid the mock does not know: CallbotSignatureError, unverifiedRetCode 6002, the uuid hint', async () => {
    const stranger = createCallbotClient({ uuid: 'nobody-knows-this-uuid', secretKey: 'whatever-secret', baseUrl: mock.url, retry: false });
    const hint = retCodeInfo(RetCodes.AccountNotFound.code)!.hint!;
    for (const attempt of [() => stranger.ping('hello'), () => stranger.importBatchCall(batch(1))]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallbotSignatureError);
      expect(error).toMatchObject({ outcome: 'unknown', unverifiedRetCode: RetCodes.AccountNotFound.code });
      expect((error as Error).message).toContain(hint);
    }
  });
});
