import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The contract's own closed reading of the spec (the same one its deviations are read against).
import { closedSpec } from '../../../scripts/lib/closed-schema.mjs';
import { createMockServer, type MockServer } from '../src/index.js';
import { advance, type Answer, order, sendSigned, startReceiver } from './helpers.js';

// The mock answers only what the spec declares. A campaign is driven through the mock so that
// every operation of the spec answers (successes and refusals) and all three callbacks are sent;
// each answer and each callback body is then validated against its schema in a STRICT copy of the
// bundled spec (scripts/lib/closed-schema.mjs): every object schema that does not say otherwise
// gets `unevaluatedProperties: false`. Nothing here lists fields by hand: the operations, their answer schemas and which
// callback (by the request field that carries its URL) has which schema all come from the spec.

type Json = Record<string, any>;
const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve('callbot-contract/openapi.json'), 'utf8')) as Json;

const at = (pointer: string): any =>
  pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((node: any, part: string) => node?.[part], spec);
const deref = (node: any): any => (node && typeof node.$ref === 'string' ? deref(at(node.$ref)) : node);

const strictSpec = closedSpec(spec, 'strict.json');
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(strictSpec);
const strictErrors = (schemaRef: string, value: unknown) => {
  const validate = ajv.getSchema(`strict.json${schemaRef}`);
  if (!validate) throw new Error(`no schema ${schemaRef}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
};

// Every operation's path and answer schema, from the spec.
const answerSchemaOf = new Map<string, string>();
const pathOf = new Map<string, string>();
for (const [path, item] of Object.entries<any>(spec.paths)) {
  const post = deref(item).post;
  answerSchemaOf.set(post.operationId, post.responses['200'].content['application/json'].schema.$ref);
  pathOf.set(post.operationId, path);
}
// Every callback, by the request field that carries its URL (`{$request.body#/callInfoList/callCallbackUrl}`): its body's schema.
const callbackSchemaOf = new Map<string, string>();
for (const item of Object.values<any>(spec.paths)) {
  for (const callback of Object.values<any>(deref(item).post.callbacks ?? {})) {
    for (const [expression, target] of Object.entries<any>(deref(callback))) {
      const pointer = /^\{\$request\.body#(\/[^}]+)\}$/.exec(expression)?.[1];
      if (!pointer) throw new Error(`callback expression ${expression}: not a request body field`);
      callbackSchemaOf.set(pointer, deref(target.post.requestBody).content['application/json'].schema.$ref);
    }
  }
}

/** The vendor's shape of a call no agent touched (its listOrderDetail example, Dec 16 2024). */
const NO_AGENT = {
  agentName: null,
  agentGroup: null,
  agentCallStatus: null,
  agentCallElapsed: null,
  agentLabel: null,
  manualCallStart: null,
  manualCallAnswer: null,
  manualCallEnd: null,
  manualHangupBy: 0,
};

let mock: MockServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const answers: { operationId: string; answer: Answer }[] = [];

async function send(operationId: string, body: unknown, options: Parameters<typeof sendSigned>[3] = {}): Promise<Answer> {
  const answer = await sendSigned(mock.url, pathOf.get(operationId)!, body, options);
  expect(answer.status, `${operationId}: ${answer.text}`).toBe(200);
  answers.push({ operationId, answer });
  return answer;
}
const ok = async (operationId: string, body: unknown) => {
  const answer = await send(operationId, body);
  expect(answer.json.retCode ?? answer.json.code, `${operationId}: ${answer.text}`).toBe(0);
  return answer;
};
/** The URL of a callback, on the receiver, at the request field's pointer: the pointer is how a received callback is recognised. */
const hook = (pointer: string) => `${receiver.url}/cb${pointer}`;
const callInfoList = (orders: ReturnType<typeof order>[]) => ({
  orderCallbackUrl: hook('/callInfoList/orderCallbackUrl'),
  callCallbackUrl: hook('/callInfoList/callCallbackUrl'),
  callList: orders,
});
const settings = {
  strategyName: '默认策略',
  startupType: 1,
  zoneSecond: 28800,
  dialAtWeekDay: '1,2,3,4,5',
  dialAtUpHour: '00:00',
  dialAtDownHour: '23:59',
  maxRingTime: 30,
  maxCall: 5,
  taskName: 'strict answers',
};
const funcFlag = { roundRedial: true, smsEnable: true, smsFuncFlag: [{ smsID: 'sms-1', intentID: ['i-01'], intentName: ['有意向'] }] };

beforeAll(async () => {
  receiver = await startReceiver();
  mock = await createMockServer({ port: 0, importingMs: 0, speed: 0 });
  const orders = (from: number, n: number) => Array.from({ length: n }, (_, i) => order(from + i));

  await ok('ping', { data: 'strict 透传' });
  // createTask takes the task callback URL at the top of its body; updateTask and createAndCall in the settings.
  await ok('createTask', {
    productID: 'callbot',
    userTaskID: 'strict-a',
    sceneID: 'scene-1',
    taskCreateSetting: settings,
    funcFlag,
    taskCallbackUrl: hook('/taskCallbackUrl'),
  });
  await ok('addBatchCall', { productID: 'callbot', userTaskID: 'strict-a', callInfoList: callInfoList([...orders(0, 6), order(0)]) }); // a repeated orderID: errList
  await ok('updateTask', {
    productID: 'callbot',
    userTaskID: 'strict-a',
    taskCreateSetting: { ...settings, taskCallbackUrl: hook('/taskCreateSetting/taskCallbackUrl') },
  });
  await ok('mgrTaskStatus', { productID: 'callbot', userTaskID: 'strict-a', taskOperate: 1 });
  await advance(mock.url, 3 * 3600);

  await ok('importBatchCall', { productID: 'callbot', userTaskID: 'strict-b', callInfoList: callInfoList(orders(10, 5)) });
  await ok('createAndCall', {
    productID: 'callbot',
    userTaskID: 'strict-c',
    sceneID: 'scene-1',
    taskCreateSetting: { ...settings, startupType: 3, taskCallbackUrl: hook('/taskCreateSetting/taskCallbackUrl') },
    funcFlag,
    callInfoList: callInfoList(orders(20, 6)),
  });
  await ok('stopOrder', { productID: 'callbot', userTaskID: 'strict-c', orderIDs: ['order-20', 'order-21', 'no-such-order'] });
  await ok('mgrTaskStatus', { productID: 'callbot', userTaskID: 'strict-c', taskOperate: 2 });
  await advance(mock.url, 3 * 3600);
  await ok('mgrTaskStatus', { productID: 'callbot', userTaskID: 'strict-c', taskOperate: 3 });
  await advance(mock.url, 60);

  for (const userTaskID of ['strict-a', 'strict-b', 'strict-c']) {
    await ok('listCall', { productID: 'callbot', userTaskID, options: {}, page: 1, size: 100 });
    await ok('listOrder', { productID: 'callbot', userTaskID, options: {}, page: 1, size: 100 });
    await ok('listOrderDetail', { productID: 'callbot', userTaskID, orderList: ['order-0', 'order-10', 'order-20', 'order-25'] });
    await ok('exportBatchCall', { productID: 'callbot', userTaskID });
  }
  await ok('listTask', { productID: 'callbot', page: 1, size: 100, queryConditions: {} });

  // Refusals answer in each operation's own schema too.
  await send('createTask', { productID: 'callbot', userTaskID: 'strict-a', sceneID: 'scene-1' }); // exists: 4
  await send('updateTask', { productID: 'callbot', userTaskID: 'strict-c', taskCreateSetting: { maxCall: 1 } }); // completed: 4
  await send('listOrder', { productID: 'callbot', userTaskID: 'no-such-task', options: {} });
  await send('importBatchCall', { productID: 'callbot', userTaskID: 'strict-b' }); // missing callInfoList: 2
  await send('ping', { data: 'unsigned' }, { sign: null }); // 6001 in ping's envelope
}, 120_000);

afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

describe('the mock answers only what the spec declares (every object closed unless the spec says otherwise)', () => {
  it('the campaign reached every operation of the spec, with a success, and every callback the operations declare', () => {
    const succeeded = new Set(answers.filter(({ answer }) => (answer.json.retCode ?? answer.json.code) === 0).map(({ operationId }) => operationId));
    expect([...succeeded].sort()).toEqual([...answerSchemaOf.keys()].sort());
    const received = new Set(receiver.received.map((callback) => callback.path.replace(/^\/cb/, '')));
    expect([...received].sort()).toEqual([...callbackSchemaOf.keys()].sort());
  });

  it("every answer fits its operation's answer schema, with no undeclared property", () => {
    const problems = answers.flatMap(({ operationId, answer }) =>
      strictErrors(answerSchemaOf.get(operationId)!, answer.json).map((problem) => `${operationId} ${answer.text.slice(0, 120)}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('every callback body fits its schema, with no undeclared property', () => {
    expect(receiver.received.length).toBeGreaterThan(0);
    const problems = receiver.received.flatMap((callback) => {
      const schema = callbackSchemaOf.get(callback.path.replace(/^\/cb/, ''));
      if (!schema) return [`${callback.path}: not a callback URL of the campaign`];
      return strictErrors(schema, JSON.parse(callback.body)).map((problem) => `${callback.path}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it('the strict copy is strict: an undeclared field, anywhere, is refused', () => {
    const detail = receiver.received.map((callback) => JSON.parse(callback.body)).find((body) => body.callInfoDetail)!;
    const schema = callbackSchemaOf.get('/callInfoList/callCallbackUrl')!;
    expect(strictErrors(schema, { ...detail, extra: 1 })).not.toEqual([]);
    expect(strictErrors(schema, { ...detail, callInfoDetail: { ...detail.callInfoDetail, agent: { ...NO_AGENT, extra: 1 } } })).not.toEqual([]);
  });
});

describe('the mock sounds like the vendor', () => {
  it("a call no agent touched carries the vendor's shape (agent fields null) in callbacks and in answers", () => {
    const details = [
      ...receiver.received.map((callback) => JSON.parse(callback.body).callInfoDetail).filter(Boolean),
      ...answers.flatMap(({ answer }) => [
        ...(answer.json.callList ?? []).map((item: Json) => item.callInfoDetail),
        ...(answer.json.orderList ?? []).map((item: Json) => item.callInfoDetail),
        ...(answer.json.orderDetailList ?? []).flatMap((item: Json) => item.callInfoDetailList),
      ]),
    ].filter(Boolean);
    expect(details.length).toBeGreaterThan(20);
    for (const detail of details) expect(detail.agent, JSON.stringify(detail).slice(0, 200)).toEqual(NO_AGENT);
  });

  it('ping echoes the data sent (透传字段)', () => {
    const pinged = answers.find(({ operationId, answer }) => operationId === 'ping' && answer.json.code === 0)!;
    expect(pinged.answer.json.data).toBe('strict 透传');
  });
});
