import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Operations, type OperationId } from '../../generated/operations.js';
import { createCallbotClient, LIST_ORDER_DETAIL_MAX_IDS, type CallbotClient, type CallbotClientOptions } from '../../src/client.js';
import { CallbotError, CallbotUnknownOutcomeError, CallbotValidationError } from '../../src/errors.js';
import { startFakeVendor, type Behaviour, type FakeVendor } from 'callbot-test-kit/fake-vendor';
import { bundledSpec, schemas, type JsonObject } from 'callbot-test-kit/spec';

// Every method of the client against the loopback vendor of packages/test-kit/src/fake-vendor.ts (which
// recomputes each signature with node:crypto). Bodies and success answers are the spec's own
// examples, so a method is exercised with what the contract documents.

const account = { uuid: 'acct-uuid-ops', secretKey: 'OPS-secret-key-0123456789' };
const noWait = { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} };

const resolveRef = (x: JsonObject): JsonObject =>
  x?.$ref
    ? x.$ref
        .slice(2)
        .split('/')
        .reduce((o: JsonObject, k: string) => o[k], bundledSpec)
    : x;
const op = (id: OperationId) => bundledSpec.paths[Operations[id].path].post;
function requestExample(id: OperationId): JsonObject {
  const content = resolveRef(op(id).requestBody).content['application/json'];
  return structuredClone(content.example ?? resolveRef(Object.values(content.examples as JsonObject)[0]).value);
}
function successExample(id: OperationId): JsonObject {
  const examples = resolveRef(op(id).responses['200']).content['application/json'].examples as JsonObject;
  const values = Object.values(examples).map((e) => resolveRef(e).value as JsonObject);
  return structuredClone(values.find((v) => v.retCode === 0 || v.code === 0)!);
}
const withoutProduct = ({ productID: _p, ...rest }: JsonObject) => rest;

/** Each method: its operation, how to call it with a body, and a body that breaks the contract (and the field named). */
interface MethodCase {
  method: keyof CallbotClient;
  operationId: OperationId;
  invoke: (client: CallbotClient, body: JsonObject) => Promise<unknown>;
  body: () => JsonObject;
  sent: (body: JsonObject) => JsonObject;
  bad: () => { invoke: (client: CallbotClient) => Promise<unknown>; field: string };
}
const sentAsIs = (body: JsonObject) => ({ productID: 'callbot', ...body });
function plain(method: keyof CallbotClient, operationId: OperationId, breakIt: (b: JsonObject) => string): MethodCase {
  const invoke = (client: CallbotClient, body: JsonObject) => (client[method] as (b: unknown) => Promise<unknown>)(body);
  const body = () => withoutProduct(requestExample(operationId));
  return {
    method,
    operationId,
    invoke,
    body,
    sent: sentAsIs,
    bad: () => {
      const b = body();
      const field = breakIt(b);
      return { invoke: (c) => invoke(c, b), field };
    },
  };
}
const dropUserTaskID = (b: JsonObject) => {
  delete b.userTaskID;
  return 'userTaskID';
};
const taskStatus = (method: 'startTask' | 'pauseTask' | 'completeTask', taskOperate: number): MethodCase => ({
  method,
  operationId: 'mgrTaskStatus',
  invoke: (client, body) => client[method](body.userTaskID),
  body: () => ({ userTaskID: 'task-42' }),
  sent: (body) => ({ productID: 'callbot', userTaskID: body.userTaskID, taskOperate }),
  bad: () => ({ invoke: (c) => c[method](''), field: 'userTaskID' }),
});

const cases: MethodCase[] = [
  {
    method: 'ping',
    operationId: 'ping',
    invoke: (c, b) => c.ping(b.data),
    body: () => ({ data: 'hello' }),
    sent: (b) => b,
    bad: () => ({ invoke: (c) => c.ping(42 as unknown as string), field: 'data' }),
  },
  plain('createTask', 'createTask', (b) => {
    delete b.sceneID;
    return 'sceneID';
  }),
  plain('createAndCall', 'createAndCall', (b) => {
    b.callInfoList.callList[0].userPhone = '+86 156';
    return 'callInfoList.callList[0].userPhone';
  }),
  plain('updateTask', 'updateTask', dropUserTaskID),
  plain('setTaskStatus', 'mgrTaskStatus', (b) => {
    b.taskOperate = 9;
    return 'taskOperate';
  }),
  taskStatus('startTask', 1),
  taskStatus('pauseTask', 2),
  taskStatus('completeTask', 3),
  plain('addBatchCall', 'addBatchCall', (b) => {
    delete b.callInfoList.callList[0].orderID;
    return 'callInfoList.callList[0].orderID';
  }),
  plain('importBatchCall', 'importBatchCall', (b) => {
    delete b.callInfoList.callCallbackUrl;
    return 'callInfoList.callCallbackUrl';
  }),
  plain('stopOrders', 'stopOrder', (b) => {
    b.orderIDs = 'o-1';
    return 'orderIDs';
  }),
  plain('listTasks', 'listTask', (b) => {
    delete b.queryConditions;
    return 'queryConditions';
  }),
  plain('listOrders', 'listOrder', dropUserTaskID),
  plain('listCalls', 'listCall', (b) => {
    b.page = 0;
    return 'page';
  }),
  plain('listOrderDetails', 'listOrderDetail', (b) => {
    b.orderList = [];
    return 'orderList';
  }),
  plain('exportBatchCall', 'exportBatchCall', dropUserTaskID),
];

// biome-ignore lint/suspicious/noExplicitAny: the spec's examples, typed by the contract only at run time
const bodyOf = (method: keyof CallbotClient): any => cases.find((c) => c.method === method)!.body();

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(account);
});
afterAll(async () => {
  await vendor.close();
});
/** Answers each path with its operation's documented success. */
const successByPath: Behaviour = {
  kind: 'compute',
  answer: (_body, path) => successExample(Object.values(Operations).find((o) => o.path === path)!.operationId),
};
beforeEach(() => {
  vendor.received.length = 0;
  vendor.script(successByPath);
});

const client = (extra: Partial<CallbotClientOptions> = {}) => createCallbotClient({ ...account, baseUrl: vendor.url, retry: noWait, ...extra });

describe('one method per operation', () => {
  it('covers every operation of the spec', () => {
    expect(new Set(cases.map((c) => c.operationId))).toEqual(new Set(Object.keys(Operations)));
  });

  it.each(cases)('$method: signed, sent to its path with productID filled in, the verified answer resolved', async (c) => {
    const body = c.body();
    const result = (await c.invoke(client(), body)) as JsonObject;
    expect(vendor.received).toHaveLength(1);
    const [sent] = vendor.received;
    expect(sent!.path).toBe(Operations[c.operationId].path);
    expect(sent!.signatureValid).toBe(true);
    expect(JSON.parse(sent!.json)).toEqual(c.sent(body));
    expect(result).toMatchObject({ ...withoutLists(successExample(c.operationId)), requestID: sent!.headers.requestid, attempts: 1 });
  });

  it.each(cases)('$method: a body that breaks the contract is refused locally, naming the field; nothing is sent', async (c) => {
    const { invoke, field } = c.bad();
    const error = (await invoke(client()).then(
      () => undefined,
      (e: unknown) => e,
    )) as CallbotValidationError;
    expect(error).toBeInstanceOf(CallbotValidationError);
    expect(error.issues.map((i) => i.path)).toContain(field);
    expect(vendor.received).toHaveLength(0);
  });
});

/** listOrderDetails' answer merges lists; compare the rest. */
const withoutLists = ({ orderDetailList: _d, ...rest }: JsonObject) => rest;

describe('resending is decided by the spec (x-callbot-resend-unknown)', () => {
  const reads = cases.filter((c) => Operations[c.operationId].resendUnknown);
  const writes = cases.filter((c) => !Operations[c.operationId].resendUnknown);

  it('the reads are ping, the lists and exportBatchCall', () => {
    expect([...new Set(reads.map((c) => c.operationId))].sort()).toEqual(['exportBatchCall', 'listCall', 'listOrder', 'listOrderDetail', 'listTask', 'ping']);
  });

  it.each(reads)('$method (a read): resent once after a dropped connection, with a new requestID', async (c) => {
    vendor.script({ kind: 'reset-after-body' }, successByPath);
    const retries: unknown[] = [];
    const result = (await c.invoke(client({ retry: { ...noWait, onRetry: (info) => retries.push(info.reason) } }), c.body())) as JsonObject;
    expect(vendor.received).toHaveLength(2);
    const [first, second] = vendor.received;
    expect(first!.headers.requestid).not.toBe(second!.headers.requestid);
    expect(first!.json).toBe(second!.json);
    expect(result).toMatchObject({ attempts: 2, requestID: second!.headers.requestid });
    expect(retries).toEqual(['unknown-outcome']);
  });

  it.each(writes)('$method (a write): NOT resent after a dropped connection: CallbotUnknownOutcomeError', async (c) => {
    vendor.script({ kind: 'reset-after-body' }, successByPath);
    const error = (await c.invoke(client(), c.body()).then(
      () => undefined,
      (e: unknown) => e,
    )) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error.requestID).toBe(vendor.received[0]!.headers.requestid);
    expect(vendor.received).toHaveLength(1);
  });

  it('a read is resent after a timeout and after retCode 5001 (unknown outcome); a write is not', async () => {
    vendor.script({ kind: 'slow', ms: 2000 }, successByPath);
    await expect(client({ timeoutMs: 200 }).listOrders(bodyOf('listOrders'))).resolves.toMatchObject({ attempts: 2 });
    vendor.received.length = 0;
    vendor.script({ answer: { retCode: 5001, retMsg: '服务器内部错误', responseID: 'r' } }, successByPath);
    await expect(client().exportBatchCall({ userTaskID: 't' })).resolves.toMatchObject({ attempts: 2 });
    vendor.received.length = 0;
    vendor.script({ answer: { retCode: 5001, retMsg: '服务器内部错误', responseID: 'r' } }, successByPath);
    const error = (await client()
      .stopOrders({ userTaskID: 't', orderIDs: ['o'] })
      .catch((e: unknown) => e)) as CallbotError;
    expect(error).toBeInstanceOf(CallbotError);
    expect(error.retCode).toBe(5001);
    expect(vendor.received).toHaveLength(1);
  });

  it('a not-processed retCode (SystemBusy) is retried for a write too; a refusal is not retried for a read', async () => {
    vendor.script({ answer: { retCode: 7, retMsg: '系统繁忙', responseID: 'r' } }, successByPath);
    await expect(client().createTask(bodyOf('createTask'))).resolves.toMatchObject({ attempts: 2 });
    vendor.received.length = 0;
    vendor.script({ answer: { retCode: 3, retMsg: '参数值无效', responseID: 'r' } }, successByPath);
    await expect(client().listTasks(bodyOf('listTasks'))).rejects.toBeInstanceOf(CallbotError);
    expect(vendor.received).toHaveLength(1);
  });

  it('ping: a non-zero `code` is a CallbotError', async () => {
    vendor.script({ answer: { data: 'x', timestamp: 1, code: 6, msg: '签名不正确', reqId: 'q' } });
    const error = (await client()
      .ping()
      .catch((e: unknown) => e)) as CallbotError;
    expect(error).toBeInstanceOf(CallbotError);
    expect(error).toMatchObject({ retCode: 6, retMsg: '签名不正确', responseID: 'q' });
  });
});

describe('paging', () => {
  const item = (kind: string, n: number) => ({ tasks: { userTaskID: `t-${n}` }, orders: { orderID: `o-${n}` }, calls: { callID: `c-${n}` } })[kind];
  const listField = { tasks: 'taskData', orders: 'orderList', calls: 'callList' } as const;
  /** A list of `total` items served `size` per page; `withTotal` adds totalCount to each answer. */
  const pagedVendor = (kind: keyof typeof listField, total: number, withTotal: boolean): Behaviour => ({
    kind: 'compute',
    answer: (body) => {
      const from = (body.page - 1) * body.size;
      const items = Array.from({ length: Math.max(0, Math.min(body.size, total - from)) }, (_, i) => item(kind, from + i));
      return { retCode: 0, retMsg: 'success', responseID: `p${body.page}`, ...(withTotal ? { totalCount: total } : {}), [listField[kind]]: items };
    },
  });
  const queries = {
    tasks: { queryConditions: {} },
    orders: { userTaskID: 'task-1', options: {} },
    calls: { userTaskID: 'task-1', options: {} },
  };

  it.each([
    ['tasks', 5, false],
    ['orders', 5, false],
    ['calls', 5, false], // a short last page ends it
    ['orders', 6, true],
    ['calls', 6, true], // a full last page: totalCount ends it
  ] as const)('%s: %i items, 2 a page (totalCount: %s): exactly 3 requests, every item once, in order', async (kind, total, withTotal) => {
    vendor.script(pagedVendor(kind, total, withTotal));
    const seen: unknown[] = [];
    for await (const x of (client()[kind] as (q: unknown) => AsyncIterable<unknown>)({ ...queries[kind], size: 2 })) seen.push(x);
    expect(seen).toEqual(Array.from({ length: total }, (_, n) => item(kind, n)));
    expect(vendor.received).toHaveLength(3);
    expect(vendor.received.map((r) => JSON.parse(r.json)).map((b) => [b.page, b.size])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    expect(vendor.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('a full last page without a total: one more request finds the empty page', async () => {
    vendor.script(pagedVendor('tasks', 4, false));
    let n = 0;
    for await (const _ of client().tasks({ ...queries.tasks, size: 2 })) n += 1;
    expect(n).toBe(4);
    expect(vendor.received).toHaveLength(3);
  });

  it('fetches lazily: breaking out after the first item makes one request', async () => {
    vendor.script(pagedVendor('orders', 10, true));
    for await (const _ of client().orders({ ...queries.orders, size: 2 })) break;
    expect(vendor.received).toHaveLength(1);
  });

  it('a page that fails rejects the loop with the error', async () => {
    vendor.script({ answer: { retCode: 3, retMsg: '参数值无效', responseID: 'r' } });
    const loop = async () => {
      for await (const _ of client().calls(queries.calls)) {
        /* nothing */
      }
    };
    await expect(loop()).rejects.toBeInstanceOf(CallbotError);
  });
});

describe('compressed answers (x-callbot-answer-gzip)', () => {
  const big = {
    retCode: 0,
    retMsg: 'success',
    responseID: 'r',
    totalCount: 2000,
    callList: Array.from({ length: 2000 }, (_, n) => ({ callID: `call-${n}`, callStatus: 1 })),
  };

  it.each(['listCalls', 'exportBatchCall'] as const)('%s asks for gzip, and the gzip answer is inflated and verified over its JSON text', async (method) => {
    vendor.script({ answer: big, gzip: true });
    const result = await (client()[method] as (b: unknown) => Promise<JsonObject>)(cases.find((c) => c.method === method)!.body());
    expect(vendor.received[0]!.headers['accept-encoding']).toMatch(/gzip/);
    expect(result.callList).toHaveLength(2000);
  });

  it('other operations do not ask for it', async () => {
    await client().listOrders({ userTaskID: 't', options: {} });
    expect(Operations.listOrder.answerGzip).toBe(false);
    expect(String(vendor.received[0]!.headers['accept-encoding'] ?? '')).not.toBe('gzip');
  });

  it('maxAnswerBytes counts the inflated bytes: a small gzip answer that inflates past it is an unknown outcome (not resent past the cap)', async () => {
    vendor.script({ answer: big, gzip: true });
    const size = Buffer.byteLength(JSON.stringify(big));
    const error = await client({ maxAnswerBytes: Math.floor(size / 2) })
      .listCalls({ userTaskID: 't', options: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(String((error as Error).message)).toContain('maxAnswerBytes');
    expect(vendor.received).toHaveLength(1);
  });
});

describe('listOrderDetails with more than 500 order ids', () => {
  it("the limit is the spec's maxItems", () => {
    expect(schemas.ListOrderDetailRequest.properties.orderList.maxItems).toBe(LIST_ORDER_DETAIL_MAX_IDS);
  });

  it('splits 1201 ids into requests of 500, 500 and 201, in order, and merges the details', async () => {
    vendor.script({
      kind: 'compute',
      answer: (body) => ({ retCode: 0, retMsg: 'success', responseID: 'r', orderDetailList: body.orderList.map((orderID: string) => ({ orderID })) }),
    });
    const ids = Array.from({ length: 1201 }, (_, n) => `o-${n}`);
    const result = await client().listOrderDetails({ userTaskID: 't', orderList: ids });
    expect(vendor.received.map((r) => JSON.parse(r.json).orderList.length)).toEqual([500, 500, 201]);
    expect(result.orderDetailList.map((d) => d.orderID)).toEqual(ids);
    expect(result.requestIDs).toEqual(vendor.received.map((r) => r.headers.requestid));
    expect(result.attempts).toBe(3);
  });
});
