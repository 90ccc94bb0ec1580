import { describe, expect, it } from 'vitest';
import { validators } from '../../generated/validators.js';
import { bundledSpec, type JsonObject, schemas } from 'callbot-test-kit/spec';

// Issue 10: every endpoint of the vendor's wiki (reference notes §3.1–§3.16), restated here as
// data and held against the bundled spec (generated/openapi.json), as seed-coverage.test.ts does
// for importBatchCall. If the spec loses an operation, a field, a required flag, an enum value or
// a limit — or one of the Unknown/Choice paragraphs that say where the vendor is silent — this fails.

const resolve = (node: any): any =>
  node?.$ref
    ? resolve(
        node.$ref
          .slice(2)
          .split('/')
          .reduce((n: any, k: string) => n[k.replaceAll('~1', '/').replaceAll('~0', '~')], bundledSpec),
      )
    : node;

const COMMON = [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7];

// [operationId, tag, x-callbot-resend-unknown, extra retCodes, x-callbot-answer-gzip, request schema, answer schema]
const operations = [
  ['ping', 'Health', true, [], false, 'PingRequest', 'PingResponse'],
  ['createTask', 'Task', false, [], false, 'CreateTaskRequest', 'CallbotAnswer'],
  ['addBatchCall', 'Order', false, [4001], false, 'AddBatchCallRequest', 'OrdersAddedResponse'],
  ['createAndCall', 'Task', false, [4001], false, 'CreateAndCallRequest', 'OrdersAddedResponse'],
  ['mgrTaskStatus', 'Task', false, [], false, 'MgrTaskStatusRequest', 'MgrTaskStatusResponse'],
  ['updateTask', 'Task', false, [], false, 'UpdateTaskRequest', 'CallbotAnswer'],
  ['listTask', 'Task', true, [], false, 'ListTaskRequest', 'ListTaskResponse'],
  ['listCall', 'Call', true, [4001], true, 'ListCallRequest', 'ListCallResponse'],
  ['listOrder', 'Order', true, [], false, 'ListOrderRequest', 'ListOrderResponse'],
  ['stopOrder', 'Order', false, [4001], false, 'StopOrderRequest', 'StopOrderResponse'],
  ['listOrderDetail', 'Call', true, [4001], false, 'ListOrderDetailRequest', 'ListOrderDetailResponse'],
  ['exportBatchCall', 'Batch', true, [4001, 1001], true, 'ExportBatchCallRequest', 'ExportBatchCallResponse'],
  ['importBatchCall', 'Batch', false, [4001, 1001], false, 'ImportBatchCallRequest', 'ImportBatchCallResponse'],
] as const;

const byId = new Map<string, { path: string; op: JsonObject }>(
  Object.entries<JsonObject>(bundledSpec.paths).map(([path, item]) => [resolve(item).post.operationId, { path, op: resolve(item).post }]),
);
const op = (id: string) => byId.get(id)!.op;

// [schema, JSON path (`a.b[].c`), required on the vendor page (or our documented choice), JSON type]
const requestFields: [string, string, boolean, string][] = [
  // 3.1 ping
  ['PingRequest', 'data', true, 'string'],
  // 3.2 createTask
  ['CreateTaskRequest', 'productID', true, 'string'],
  ['CreateTaskRequest', 'userTaskID', true, 'string'],
  ['CreateTaskRequest', 'sceneID', true, 'string'],
  ['CreateTaskRequest', 'account', false, 'string'],
  ['CreateTaskRequest', 'other', false, 'string'],
  ['CreateTaskRequest', 'taskCallbackUrl', false, 'string'],
  ['CreateTaskRequest', 'orderCallbackUrl', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting', false, 'object'],
  ['CreateTaskRequest', 'taskCreateSetting.strategyName', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting.startupType', false, 'integer'],
  ['CreateTaskRequest', 'taskCreateSetting.startupAt', false, 'integer'],
  ['CreateTaskRequest', 'taskCreateSetting.zoneSecond', false, 'integer'],
  ['CreateTaskRequest', 'taskCreateSetting.maxRingTime', false, 'integer'],
  ['CreateTaskRequest', 'taskCreateSetting.routeID', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting.dialAtWeekDay', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting.dialAtUpHour', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting.dialAtDownHour', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting.manualCallSetting', false, 'object'],
  ['CreateTaskRequest', 'taskCreateSetting.manualCallSetting.agentGroup', false, 'string'],
  ['CreateTaskRequest', 'taskCreateSetting.manualCallSetting.dispatchType', false, 'integer'],
  ['CreateTaskRequest', 'taskCreateSetting.manualCallSetting.ratioCallRate', false, 'number'],
  ['CreateTaskRequest', 'taskCreateSetting.manualCallSetting.predictCallRate', false, 'number'],
  ['CreateTaskRequest', 'funcFlag', false, 'object'],
  ['CreateTaskRequest', 'funcFlag.taskKeep', false, 'boolean'],
  ['CreateTaskRequest', 'funcFlag.roundRedial', false, 'boolean'],
  ['CreateTaskRequest', 'funcFlag.wholeTTS', false, 'boolean'],
  ['CreateTaskRequest', 'funcFlag.smsEnable', false, 'boolean'],
  ['CreateTaskRequest', 'funcFlag.smsFuncFlag', false, 'array'],
  ['CreateTaskRequest', 'funcFlag.smsFuncFlag[].smsID', false, 'string'],
  ['CreateTaskRequest', 'funcFlag.smsFuncFlag[].intentID', false, 'array'],
  ['CreateTaskRequest', 'funcFlag.smsFuncFlag[].intentName', false, 'array'],
  // 3.3 addBatchCall (same order shape as importBatchCall: CallOrder)
  ['AddBatchCallRequest', 'productID', true, 'string'],
  ['AddBatchCallRequest', 'userTaskID', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList', true, 'object'],
  ['AddBatchCallRequest', 'callInfoList.orderCallbackUrl', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callCallbackUrl', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList', true, 'array'],
  ['AddBatchCallRequest', 'callInfoList.callList[].orderID', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList[].userPhone', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList[].other', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList[].userName', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList[].customerName', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList[].params', true, 'array'],
  ['AddBatchCallRequest', 'callInfoList.callList[].params[].name', true, 'string'],
  ['AddBatchCallRequest', 'callInfoList.callList[].params[].value', true, 'string'],
  // 3.4 createAndCall
  ['CreateAndCallRequest', 'productID', true, 'string'],
  ['CreateAndCallRequest', 'userTaskID', true, 'string'],
  ['CreateAndCallRequest', 'sceneID', true, 'string'],
  ['CreateAndCallRequest', 'callInfoList', true, 'object'],
  ['CreateAndCallRequest', 'taskCreateSetting', false, 'object'],
  ['CreateAndCallRequest', 'taskCreateSetting.maxCall', false, 'integer'],
  ['CreateAndCallRequest', 'taskCreateSetting.taskName', false, 'string'],
  ['CreateAndCallRequest', 'taskCreateSetting.taskCallbackUrl', false, 'string'],
  ['CreateAndCallRequest', 'funcFlag', false, 'object'],
  ['CreateAndCallRequest', 'funcFlag.phoneEncrypt', false, 'boolean'],
  ['CreateAndCallRequest', 'callInfoList.callList[].orderID', true, 'string'],
  // 3.5 mgrTaskStatus
  ['MgrTaskStatusRequest', 'productID', true, 'string'],
  ['MgrTaskStatusRequest', 'userTaskID', true, 'string'],
  ['MgrTaskStatusRequest', 'taskOperate', true, 'integer'],
  ['MgrTaskStatusRequest', 'delCall', false, 'integer'],
  // 3.6 updateTask
  ['UpdateTaskRequest', 'productID', true, 'string'],
  ['UpdateTaskRequest', 'userTaskID', true, 'string'],
  ['UpdateTaskRequest', 'sceneID', false, 'string'],
  ['UpdateTaskRequest', 'taskCreateSetting', false, 'object'],
  ['UpdateTaskRequest', 'taskCreateSetting.taskCallbackUrl', false, 'string'],
  ['UpdateTaskRequest', 'funcFlag', false, 'object'],
  ['UpdateTaskRequest', 'funcFlag.smsFuncFlag[].smsID', false, 'string'],
  ['UpdateTaskRequest', 'funcFlag.phoneEncrypt', false, 'boolean'],
  // 3.7 listTask
  ['ListTaskRequest', 'productID', true, 'string'],
  ['ListTaskRequest', 'page', true, 'integer'],
  ['ListTaskRequest', 'size', true, 'integer'],
  ['ListTaskRequest', 'queryConditions', true, 'object'],
  ['ListTaskRequest', 'queryConditions.taskStatus', false, 'array'],
  ['ListTaskRequest', 'queryConditions.taskName', false, 'array'],
  ['ListTaskRequest', 'queryConditions.sceneID', false, 'string'],
  ['ListTaskRequest', 'queryConditions.userTaskID', false, 'array'],
  ['ListTaskRequest', 'queryConditions.startTs', false, 'integer'],
  ['ListTaskRequest', 'queryConditions.endTs', false, 'integer'],
  // 3.8 listCall
  ['ListCallRequest', 'productID', true, 'string'],
  ['ListCallRequest', 'userTaskID', true, 'string'],
  ['ListCallRequest', 'options', true, 'object'],
  ['ListCallRequest', 'options.callID', false, 'array|null'],
  ['ListCallRequest', 'options.intentID', false, 'array|null'],
  ['ListCallRequest', 'options.intentName', false, 'array|null'],
  ['ListCallRequest', 'options.intentTag', false, 'array'],
  ['ListCallRequest', 'options.intentLevel', false, 'array'],
  ['ListCallRequest', 'options.turnTime', false, 'object'],
  ['ListCallRequest', 'options.turnTime.gt', false, 'integer'],
  ['ListCallRequest', 'options.turnTime.lt', false, 'integer'],
  ['ListCallRequest', 'options.turnTime.enable', false, 'boolean'],
  ['ListCallRequest', 'options.callDuration', false, 'object'],
  ['ListCallRequest', 'options.callDuration.enable', false, 'boolean'],
  ['ListCallRequest', 'options.callStatus', false, 'array'],
  ['ListCallRequest', 'options.startTs', false, 'integer'],
  ['ListCallRequest', 'options.endTs', false, 'integer'],
  ['ListCallRequest', 'page', false, 'integer'],
  ['ListCallRequest', 'size', false, 'integer'],
  // 3.9 listOrder
  ['ListOrderRequest', 'productID', true, 'string'],
  ['ListOrderRequest', 'userTaskID', true, 'string'],
  ['ListOrderRequest', 'options', true, 'object'],
  ['ListOrderRequest', 'options.orderID', false, 'array|null'],
  ['ListOrderRequest', 'options.intentID', false, 'array|null'],
  ['ListOrderRequest', 'options.intentName', false, 'array|null'],
  ['ListOrderRequest', 'options.intentTag', false, 'array|null'],
  ['ListOrderRequest', 'options.intentLevel', false, 'array'],
  ['ListOrderRequest', 'options.finish', false, 'integer|null'],
  ['ListOrderRequest', 'options.turnTime', false, 'null|object'],
  ['ListOrderRequest', 'options.turnTime.gt', false, 'integer'],
  ['ListOrderRequest', 'options.turnTime.lt', false, 'integer'],
  ['ListOrderRequest', 'options.turnTime.enable', false, 'boolean'],
  ['ListOrderRequest', 'options.callDuration', false, 'null|object'],
  ['ListOrderRequest', 'options.callStatus', false, 'array'],
  ['ListOrderRequest', 'page', false, 'integer'],
  ['ListOrderRequest', 'size', false, 'integer'],
  // 3.10 stopOrder
  ['StopOrderRequest', 'productID', true, 'string'],
  ['StopOrderRequest', 'userTaskID', true, 'string'],
  ['StopOrderRequest', 'orderIDs', true, 'array'],
  ['StopOrderRequest', 'delCall', false, 'integer'],
  // 3.11 listOrderDetail
  ['ListOrderDetailRequest', 'productID', true, 'string'],
  ['ListOrderDetailRequest', 'userTaskID', true, 'string'],
  ['ListOrderDetailRequest', 'orderList', true, 'array'],
  // 3.12 exportBatchCall
  ['ExportBatchCallRequest', 'productID', true, 'string'],
  ['ExportBatchCallRequest', 'userTaskID', true, 'string'],
];

const answerFields: [string, string, boolean, string][] = [
  // 3.1 ping: its own envelope, every field required
  ['PingResponse', 'data', true, 'string'],
  ['PingResponse', 'timestamp', true, 'integer'],
  ['PingResponse', 'code', true, 'integer'],
  ['PingResponse', 'msg', true, 'string'],
  ['PingResponse', 'reqId', true, 'string'],
  // the common envelope on every other answer
  ...(
    [
      'CallbotAnswer',
      'OrdersAddedResponse',
      'MgrTaskStatusResponse',
      'ListTaskResponse',
      'ListCallResponse',
      'ListOrderResponse',
      'StopOrderResponse',
      'ListOrderDetailResponse',
      'ExportBatchCallResponse',
    ] as const
  ).flatMap((s): [string, string, boolean, string][] => [
    [s, 'retCode', true, 'integer'],
    [s, 'retMsg', true, 'string'],
    [s, 'responseID', true, 'string'],
  ]),
  // 3.5 mgrTaskStatus
  ['MgrTaskStatusResponse', 'taskID', false, 'string'],
  ['MgrTaskStatusResponse', 'taskStatus', false, 'integer'],
  // 3.7 listTask
  ['ListTaskResponse', 'taskData', false, 'array'],
  ['ListTaskResponse', 'taskData[].userTaskID', true, 'string'],
  ['ListTaskResponse', 'taskData[].taskID', true, 'string'],
  ['ListTaskResponse', 'taskData[].sceneID', true, 'string'],
  ['ListTaskResponse', 'taskData[].taskStatus', true, 'integer'],
  ['ListTaskResponse', 'taskData[].createTs', true, 'integer'],
  ['ListTaskResponse', 'taskData[].taskStat', true, 'object'],
  ['ListTaskResponse', 'taskData[].taskStat.answerOrderCount', true, 'integer'],
  ['ListTaskResponse', 'taskData[].taskStat.finishOrderCount', true, 'integer'],
  ['ListTaskResponse', 'taskData[].taskStat.totalOrderCount', true, 'integer'],
  ['ListTaskResponse', 'taskData[].taskStat.finishRate', true, 'number'],
  ['ListTaskResponse', 'taskData[].taskStat.totalAnswerCall', true, 'integer'],
  ['ListTaskResponse', 'taskData[].taskStat.totalCall', true, 'integer'],
  ['ListTaskResponse', 'taskData[].taskStat.answerRate', true, 'number'],
  // 3.8 / 3.9 (our choice of shape: OrderCall with CallInfoDetail)
  ['ListCallResponse', 'callList[].callInfoDetail.callID', true, 'string'],
  ['ListOrderResponse', 'orderList[].callInfoDetail.callStatus', true, 'integer'],
  // 3.10 stopOrder
  ['StopOrderResponse', 'totalCount', false, 'integer'],
  ['StopOrderResponse', 'successCount', false, 'integer'],
  ['StopOrderResponse', 'errList', false, 'array'],
  ['StopOrderResponse', 'errList[].orderID', true, 'string'],
  ['StopOrderResponse', 'errList[].errMsg', true, 'string'],
  // 3.11 listOrderDetail
  ['ListOrderDetailResponse', 'orderDetailList', false, 'array'],
  ...(['orderID', 'userPhone', 'userName', 'sceneID', 'userTaskID', 'taskID', 'other'] as const).map((f): [string, string, boolean, string] => [
    'ListOrderDetailResponse',
    `orderDetailList[].${f}`,
    f === 'orderID',
    'string',
  ]),
  ['ListOrderDetailResponse', 'orderDetailList[].finish', false, 'boolean'],
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList', true, 'array'],
  ...(['callID', 'callingNumber', 'lineAddress', 'callAudioUrl', 'hangupCause', 'termSipCode'] as const).map((f): [string, string, boolean, string] => [
    'ListOrderDetailResponse',
    `orderDetailList[].callInfoDetailList[].${f}`,
    !['callingNumber', 'lineAddress'].includes(f),
    'string',
  ]),
  ...(['callStatus', 'callStartTs', 'callAnswerTs', 'callEndTs', 'callDuration'] as const).map((f): [string, string, boolean, string] => [
    'ListOrderDetailResponse',
    `orderDetailList[].callInfoDetailList[].${f}`,
    true,
    'integer',
  ]),
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].intents', true, 'array'],
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].sms', true, 'array'],
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].params', true, 'array'],
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].recordDetail', false, 'array'],
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].agent', false, 'object'],
  ...(['agentName', 'agentGroup', 'agentLabel'] as const).map((f): [string, string, boolean, string] => [
    'ListOrderDetailResponse',
    `orderDetailList[].callInfoDetailList[].agent.${f}`,
    false,
    'null|string',
  ]),
  ...(['agentCallStatus', 'agentCallElapsed', 'manualCallStart', 'manualCallAnswer', 'manualCallEnd', 'manualHangupBy'] as const).map(
    (f): [string, string, boolean, string] => ['ListOrderDetailResponse', `orderDetailList[].callInfoDetailList[].agent.${f}`, false, 'integer|null'],
  ),
  // the vendor's example shows `"params": [{}]`: both fields optional in answers (CallParam)
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].params[].name', false, 'string'],
  ['ListOrderDetailResponse', 'orderDetailList[].callInfoDetailList[].params[].value', false, 'string'],
  // 3.12 exportBatchCall
  ['ExportBatchCallResponse', 'totalCount', false, 'integer'],
  ['ExportBatchCallResponse', 'batchID', false, 'string'],
  ['ExportBatchCallResponse', 'callList', false, 'array'],
  ['ExportBatchCallResponse', 'callList[].orderID', true, 'string'],
  ['ExportBatchCallResponse', 'callList[].userPhone', true, 'string'],
  ['ExportBatchCallResponse', 'callList[].other', false, 'string'],
  ['ExportBatchCallResponse', 'callList[].callID', true, 'string'],
  ['ExportBatchCallResponse', 'callList[].callStatus', true, 'integer'],
  ['ExportBatchCallResponse', 'callList[].callStartTs', false, 'integer'],
  ['ExportBatchCallResponse', 'callList[].intents[].intentID', false, 'string'],
  ['ExportBatchCallResponse', 'callList[].intents[].intentTag', false, 'string'],
  ['ExportBatchCallResponse', 'callList[].intents[].intentName', false, 'string'],
  ['ExportBatchCallResponse', 'callList[].intents[].intentLevel', false, 'integer'],
  // 3.16 the task-status callback: every field required
  ...(
    [
      ['callbackType', 'integer'],
      ['userTaskID', 'string'],
      ['taskID', 'string'],
      ['sceneID', 'string'],
      ['taskStatus', 'integer'],
      ['createTs', 'integer'],
      ['taskStat', 'object'],
    ] as const
  ).map(([f, t]): [string, string, boolean, string] => ['TaskStatusCallback', f, true, t]),
  ['TaskStatusCallback', 'taskStat.finishRate', true, 'number'],
  ['TaskStatusCallback', 'taskStat.answerRate', true, 'number'],
];

/** The JSON types a schema admits: its `type` (a string or a list), or the union of its anyOf branches. */
function types(schema: any): string[] {
  const s = resolve(schema);
  if (s.anyOf) return [...new Set<string>(s.anyOf.flatMap(types))].sort();
  return [s.type].flat().sort();
}

/** The object branch of a schema (an anyOf of an object and null, as listOrder's filters are). */
const objectOf = (schema: any) => {
  const s = resolve(schema);
  return s.anyOf ? resolve(s.anyOf.find((b: any) => types(b).includes('object'))) : s;
};

/** Walks `a.b[].c` through properties/items; returns the property schema and whether its parent requires it. */
function field(root: string, path: string): { schema: any; required: boolean } {
  let parent = resolve(schemas[root]);
  let schema: any;
  let required = false;
  for (const segment of path.split('.')) {
    const name = segment.replace('[]', '');
    schema = parent.properties?.[name];
    expect(schema, `${root}.${path}: no property ${name}`).toBeDefined();
    required = (parent.required ?? []).includes(name);
    parent = segment.endsWith('[]') ? objectOf(resolve(schema).items) : objectOf(schema);
  }
  return { schema, required };
}

const answerHeaders = ['requestID', 'uuid', 'createTs', 'sign', 'algorithm'];
const importOp = op('importBatchCall');
const successCode = (value: JsonObject) => value.retCode ?? value.code;

describe('every vendor endpoint is an operation of the spec', () => {
  it('has the thirteen operations, one file per path under /callcentre/api/v3/, and nothing else', () => {
    expect([...byId.keys()].sort()).toEqual(operations.map(([id]) => id).sort());
    for (const [id] of operations) expect(byId.get(id)!.path).toBe(`/callcentre/api/v3/${id}`);
  });

  it('declares the six tags, each described bilingually', () => {
    expect(bundledSpec.tags.map((t: JsonObject) => t.name)).toEqual(['Health', 'Task', 'Order', 'Call', 'Batch', 'Callbacks']);
    const zh = { Health: '探活', Task: '任务操作', Order: '订单操作', Call: '通话操作', Batch: '批次', Callbacks: '回调' } as Record<string, string>;
    for (const tag of bundledSpec.tags) expect(tag.description).toContain(zh[tag.name]);
  });

  describe.each(operations)('%s', (id, tag, resend, extraCodes, gzip, request, answer) => {
    const o = op(id);

    it(`is tagged ${tag}, with a summary and a bilingual description`, () => {
      expect(o.tags).toEqual([tag]);
      expect(o.summary).toBeTruthy();
      expect(o.description).toMatch(/\p{Script=Han}.* — /u);
    });

    it('is signed like importBatchCall: the four apiKey schemes and the algorithm header parameter', () => {
      expect(o.security).toEqual(importOp.security);
      for (const scheme of Object.keys(o.security[0])) expect(bundledSpec.components.securitySchemes[scheme]).toMatchObject({ type: 'apiKey', in: 'header' });
      expect(o.parameters).toEqual([{ $ref: '#/components/parameters/Algorithm' }]);
    });

    it('answers HTTP 200 only, with the same signed response headers as importBatchCall', () => {
      expect(Object.keys(o.responses)).toEqual(['200']);
      expect(Object.keys(o.responses['200'].headers)).toEqual(answerHeaders);
      expect(o.responses['200'].headers).toEqual(importOp.responses['200'].headers);
    });

    it(`takes ${request} and answers ${answer}`, () => {
      expect(o.requestBody.required).toBe(true);
      expect(o.requestBody.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${request}` });
      expect(o.responses['200'].content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${answer}` });
    });

    it(`x-callbot-retcodes: the common codes${extraCodes.length ? ` and ${extraCodes.join(', ')}` : ''}, each a documented RetCode`, () => {
      const codes = o['x-callbot-retcodes'] as number[];
      expect([...codes].sort((a, b) => a - b)).toEqual([...COMMON, ...extraCodes].sort((a, b) => a - b));
      for (const code of codes) expect(schemas.RetCode.enum).toContain(code);
      // 1001 (batch import in progress) belongs to the two batch operations only.
      expect(codes.includes(1001)).toBe(id === 'importBatchCall' || id === 'exportBatchCall');
    });

    it(`x-callbot-resend-unknown: ${resend}${gzip ? '; x-callbot-answer-gzip: true' : ''}`, () => {
      expect(o['x-callbot-resend-unknown']).toBe(resend);
      expect(o.description).toContain(`x-callbot-resend-unknown: ${resend}`);
      expect(o['x-callbot-answer-gzip'] ?? false).toBe(gzip);
      if (gzip) expect(o.description).toContain('Accept-Encoding: gzip');
    });

    it('has a named request example, a success example and a refusal example (a documented retCode the operation lists)', () => {
      expect(Object.keys(o.requestBody.content['application/json'].examples ?? {}).length).toBeGreaterThanOrEqual(1);
      const examples = Object.values<JsonObject>(o.responses['200'].content['application/json'].examples).map((e) => resolve(e).value);
      expect(examples.length).toBeGreaterThanOrEqual(2);
      expect(examples.some((v) => successCode(v) === 0)).toBe(true);
      const refusals = examples.filter((v) => successCode(v) !== 0);
      expect(refusals.length).toBeGreaterThanOrEqual(1);
      for (const v of refusals) expect(o['x-callbot-retcodes']).toContain(successCode(v));
    });

    it('the request is strict (additionalProperties: false); the answer is open to fields the vendor adds', () => {
      expect(resolve(schemas[request]).additionalProperties).toBe(false);
      const seen = new Set<any>();
      const open = (node: any) => {
        const s = resolve(node);
        if (!s || typeof s !== 'object' || seen.has(s)) return;
        seen.add(s);
        expect(s.additionalProperties, `${answer} has a closed object`).not.toBe(false);
        for (const child of [...Object.values(s.properties ?? {}), s.items, ...(s.anyOf ?? [])]) if (child) open(child);
      };
      open(schemas[answer]);
    });

    it(`the answer's ${id === 'ping' ? 'code' : 'retCode'} is anyOf [RetCode, integer]: open to codes the vendor adds`, () => {
      const retCode = resolve(resolve(schemas[answer]).properties[id === 'ping' ? 'code' : 'retCode']);
      expect(retCode.anyOf).toEqual([{ $ref: '#/components/schemas/RetCode' }, expect.objectContaining({ type: 'integer' })]);
    });
  });
});

describe('every field of the vendor pages, with its required flag and type', () => {
  it.each(requestFields)('request %s: %s (required: %s, %s)', (root, path, required, type) => {
    const { schema, required: isRequired } = field(root, path);
    expect(isRequired).toBe(required);
    expect(types(schema).join('|')).toBe(type);
    expect(resolve(schema).description ?? schema.description).toBeTruthy();
  });

  it.each(answerFields)('answer %s: %s (required: %s, %s)', (root, path, required, type) => {
    const { schema, required: isRequired } = field(root, path);
    expect(isRequired).toBe(required);
    // An answer's retCode/taskStatus is anyOf [enum, integer]: every branch is an integer.
    expect(types(schema).join('|')).toBe(type);
  });

  it('productID is the constant "callbot" in every request but ping', () => {
    for (const [, , , , , request] of operations) {
      if (request === 'PingRequest') continue;
      expect(resolve(resolve(schemas[request]).properties.productID).const, request).toBe('callbot');
    }
  });
});

describe('enums and limits', () => {
  it.each([
    ['TaskStatus', [1, 2, 3, 4, 5], ['待启动', '进行中', '已完成', '已完结', '已暂停']],
    ['TaskOperate', [1, 2, 3], ['启动', '暂停', '完结']],
    ['DelCall', [0, 1], ['不删除', '删除']],
  ] as const)('%s is %j (%j)', (name, values, zh) => {
    const schema = schemas[name];
    expect(schema.type).toBe('integer');
    expect(schema.enum).toEqual(values);
    expect(schema['x-enum-varnames']).toHaveLength(values.length);
    zh.forEach((text, i) => expect(schema['x-enum-descriptions'][i]).toContain(text));
  });

  it('the request enums are used where the vendor names them; answers and callbacks take any integer status', () => {
    expect(field('MgrTaskStatusRequest', 'taskOperate').schema).toEqual({ $ref: '#/components/schemas/TaskOperate' });
    expect(field('MgrTaskStatusRequest', 'delCall').schema).toEqual({ $ref: '#/components/schemas/DelCall' });
    expect(field('StopOrderRequest', 'delCall').schema).toEqual({ $ref: '#/components/schemas/DelCall' });
    expect(resolve(field('ListTaskRequest', 'queryConditions.taskStatus').schema).items).toEqual({ $ref: '#/components/schemas/TaskStatus' });
    for (const [root, path] of [
      ['MgrTaskStatusResponse', 'taskStatus'],
      ['ListTaskResponse', 'taskData[].taskStatus'],
      ['TaskStatusCallback', 'taskStatus'],
    ] as const) {
      expect(resolve(field(root, path).schema).anyOf).toEqual([{ $ref: '#/components/schemas/TaskStatus' }, expect.objectContaining({ type: 'integer' })]);
    }
  });

  it('listOrderDetail takes at most 500 order ids (maxItems: 500), at least one', () => {
    const list = resolve(field('ListOrderDetailRequest', 'orderList').schema);
    expect(list).toMatchObject({ maxItems: 500, minItems: 1 });
    expect(list.description).toContain('500');
    const body = (n: number) => ({ productID: 'callbot', userTaskID: 't', orderList: Array.from({ length: n }, (_, i) => `o${i}`) });
    expect(validators.ListOrderDetailRequest(body(500))).toBe(true);
    expect(validators.ListOrderDetailRequest(body(501))).toBe(false);
    expect(validators.ListOrderDetailRequest(body(0))).toBe(false);
  });

  it('one paging component (page from 1, size from 1) in listTask, listCall and listOrder', () => {
    for (const request of ['ListTaskRequest', 'ListCallRequest', 'ListOrderRequest']) {
      expect(schemas[request].properties.page, request).toEqual({ $ref: '#/components/schemas/PageNumber' });
      expect(schemas[request].properties.size, request).toEqual({ $ref: '#/components/schemas/PageSize' });
    }
    expect(schemas.PageNumber).toMatchObject({ type: 'integer', minimum: 1 });
    expect(schemas.PageSize).toMatchObject({ type: 'integer', minimum: 1 });
  });

  it('one range filter ({gt, lt, enable}) for turnTime and callDuration in listCall and listOrder', () => {
    expect(Object.keys(schemas.RangeFilter.properties)).toEqual(['gt', 'lt', 'enable']);
    for (const [root, path] of [
      ['ListCallRequest', 'options.turnTime'],
      ['ListCallRequest', 'options.callDuration'],
      ['ListOrderRequest', 'options.turnTime'],
      ['ListOrderRequest', 'options.callDuration'],
    ] as const) {
      const s = field(root, path).schema;
      const refs = s.$ref ? [s.$ref] : s.anyOf.map((b: JsonObject) => b.$ref).filter(Boolean);
      expect(refs, `${root}.${path}`).toEqual(['#/components/schemas/RangeFilter']);
    }
  });

  it('the generated validators hold the limits and the strictness', () => {
    const manage = { productID: 'callbot', userTaskID: 't', taskOperate: 1 };
    expect(validators.MgrTaskStatusRequest(manage)).toBe(true);
    expect(validators.MgrTaskStatusRequest({ ...manage, taskOperate: 4 })).toBe(false);
    expect(validators.MgrTaskStatusRequest({ ...manage, delCall: 2 })).toBe(false);
    expect(validators.StopOrderRequest({ productID: 'callbot', userTaskID: 't', orderIDs: [] })).toBe(false);
    expect(validators.ListTaskRequest({ productID: 'callbot', page: 0, size: 100, queryConditions: {} })).toBe(false);
    expect(validators.ListTaskRequest({ productID: 'callbot', page: 1, size: 100, queryConditions: { taskStatus: [6] } })).toBe(false);
    expect(
      validators.ListOrderRequest({ productID: 'callbot', userTaskID: 't', options: { turnTime: null, callDuration: { gt: 1, lt: 9, enable: true } } }),
    ).toBe(true);
    // Answers: any integer retCode, fields the vendor adds tolerated.
    expect(validators.ListTaskResponse({ retCode: 9999, retMsg: '', responseID: 'r', total: 3 })).toBe(true);
    expect(validators.MgrTaskStatusResponse({ retCode: 0, retMsg: '', responseID: 'r', taskID: '1', taskStatus: 9 })).toBe(true);
  });
});

describe('shared components: one fact in one place', () => {
  it('one order shape (CallOrder, through CallInfoList) for addBatchCall, importBatchCall and createAndCall', () => {
    for (const request of ['AddBatchCallRequest', 'ImportBatchCallRequest', 'CreateAndCallRequest']) {
      expect(schemas[request].properties.callInfoList, request).toEqual({ $ref: '#/components/schemas/CallInfoList' });
    }
    expect(schemas.CallInfoList.properties.callList.items).toEqual({ $ref: '#/components/schemas/CallOrder' });
  });

  it('one task-settings shape (TaskCreateSetting, FuncFlag) for createTask, createAndCall and updateTask', () => {
    for (const request of ['CreateTaskRequest', 'CreateAndCallRequest', 'UpdateTaskRequest']) {
      expect(schemas[request].properties.taskCreateSetting, request).toEqual({ $ref: '#/components/schemas/TaskCreateSetting' });
      expect(schemas[request].properties.funcFlag, request).toEqual({ $ref: '#/components/schemas/FuncFlag' });
    }
  });

  it('one call-detail shape (CallInfoDetail) for the call and order callbacks, listOrderDetail, listCall and listOrder', () => {
    const ref = { $ref: '#/components/schemas/CallInfoDetail' };
    expect(schemas.CallFinishedCallback.properties.callInfoDetail).toEqual(ref);
    expect(schemas.OrderFinishedCallback.properties.callInfoDetail).toEqual(ref);
    expect(schemas.OrderDetail.properties.callInfoDetailList.items).toEqual(ref);
    expect(schemas.OrderCall.properties.callInfoDetail).toEqual(ref);
    expect(schemas.ListCallResponse.properties.callList.items).toEqual({ $ref: '#/components/schemas/OrderCall' });
    expect(schemas.ListOrderResponse.properties.orderList.items).toEqual({ $ref: '#/components/schemas/OrderCall' });
  });

  it('one taskStat (TaskStat) for listTask and the task callback', () => {
    expect(schemas.TaskData.properties.taskStat).toEqual({ $ref: '#/components/schemas/TaskStat' });
    expect(schemas.TaskStatusCallback.properties.taskStat).toEqual({ $ref: '#/components/schemas/TaskStat' });
  });

  it("one answer envelope: every answer but importBatchCall's refers to AnswerRetCode, RetMsg and ResponseID", () => {
    for (const [, , , , , , answer] of operations) {
      if (answer === 'PingResponse' || answer === 'ImportBatchCallResponse') continue;
      expect(schemas[answer].properties.retCode, answer).toEqual({ $ref: '#/components/schemas/AnswerRetCode' });
      expect(schemas[answer].properties.retMsg, answer).toEqual({ $ref: '#/components/schemas/RetMsg' });
      expect(schemas[answer].properties.responseID, answer).toEqual({ $ref: '#/components/schemas/ResponseID' });
    }
  });
});

describe('the task-status callback (3.16): a webhook, and a callback of the operations that take taskCallbackUrl', () => {
  const payload = (pathItem: any) => resolve(resolve(pathItem).post.requestBody).content['application/json'].schema.$ref;

  it('the taskStatusChanged webhook carries a TaskStatusCallback, with an example', () => {
    const webhook = resolve(bundledSpec.webhooks.taskStatusChanged).post;
    expect(webhook.operationId).toBe('taskStatusChanged');
    expect(webhook.tags).toEqual(['Callbacks']);
    expect(payload(bundledSpec.webhooks.taskStatusChanged)).toBe('#/components/schemas/TaskStatusCallback');
    expect(resolve(Object.values<JsonObject>(resolve(webhook.requestBody).content['application/json'].examples)[0]).value.callbackType).toBe(1);
  });

  it.each([
    ['createTask', '{$request.body#/taskCallbackUrl}'],
    ['createAndCall', '{$request.body#/taskCreateSetting/taskCallbackUrl}'],
    ['updateTask', '{$request.body#/taskCreateSetting/taskCallbackUrl}'],
  ])('%s declares it at %s', (id, expression) => {
    const callback = resolve(op(id).callbacks.taskStatusChanged);
    expect(Object.keys(callback)).toEqual([expression]);
    expect(payload(callback[expression])).toBe('#/components/schemas/TaskStatusCallback');
  });

  it.each(['addBatchCall', 'createAndCall', 'importBatchCall'])('%s declares the order and call callbacks (shared components)', (id) => {
    expect(op(id).callbacks.orderFinished).toEqual({ $ref: '#/components/callbacks/OrderFinished' });
    expect(op(id).callbacks.callFinished).toEqual({ $ref: '#/components/callbacks/CallFinished' });
  });

  it('no other operation declares callbacks; every callback operationId is unique in the bundle', () => {
    const withCallbacks = [...byId.entries()]
      .filter(([, { op: o }]) => o.callbacks)
      .map(([id]) => id)
      .sort();
    expect(withCallbacks).toEqual(['addBatchCall', 'createAndCall', 'createTask', 'importBatchCall', 'updateTask']);
    const ids: string[] = [];
    const walk = (node: unknown) => {
      if (!node || typeof node !== 'object') return;
      if ('operationId' in node) ids.push(String((node as JsonObject).operationId));
      for (const child of Object.values(node)) walk(child);
    };
    walk(bundledSpec);
    expect(ids.length).toBe(new Set(ids).size);
  });
});

describe('every Unknown and Choice is written down', () => {
  const description = (pointer: string) => {
    const node = resolve({ $ref: pointer });
    expect(node, pointer).toBeDefined();
    return String(node.description);
  };
  it.each([
    // answer bodies the vendor does not show
    ['#/components/schemas/CallbotAnswer', '**Unknown:** the vendor shows no answer body for `createTask` and `updateTask`'],
    ['#/components/schemas/CallbotAnswer', 'the two fields `mgrTaskStatus`'],
    ['#/components/schemas/OrdersAddedResponse', '**Unknown:** the vendor shows no answer body for either'],
    ['#/components/schemas/ListCallResponse', "**Unknown:** the vendor's answer could not be read"],
    ['#/components/schemas/ListOrderResponse', "**Unknown:** the vendor's answer could not"],
    ['#/components/schemas/OrderCall', '**Choice:** their items are this shape'],
    // spellings and typos
    ['#/components/schemas/SmsFuncFlag', '**Choice:** the keys are `smsID` and `intentID`'],
    ['#/components/schemas/SmsFuncFlag', '`smsId` and `intentId`'],
    ['#/components/schemas/TaskCreateSetting', '`"dialAtUpHour "`, with a trailing space'],
    ['#/components/schemas/TaskCreateSetting', '**Choice:** the key is `dialAtUpHour`'],
    // where the vendor's own examples contradict the contract (callbot-api-notes §7)
    ['#/components/schemas/TaskCreateSetting/properties/dialAtWeekDay', '**Choice:** ISO 8601 weekday numbers'],
    ['#/components/schemas/AgentInfo', '**Choice:** every field may be `null`'],
    ['#/components/schemas/CallParam', '**Choice:** both fields optional, so an item may be `{}`'],
    ['#/components/schemas/CallInfoDetail', '**Choice:** items of `intents`, `sms`, `params` and `recordDetail` may be `{}`'],
    ['#/components/schemas/ProductID', '**Choice:** always `callbot`'],
    // where taskCallbackUrl goes
    ['#/components/schemas/CreateTaskRequest', '**Choice:** `taskCallbackUrl` (and `orderCallbackUrl`) at the top of the body'],
    ['#/components/schemas/TaskCreateSetting', '**Choice:** `taskCallbackUrl`, `maxCall` and `taskName` belong here'],
    // the callbackType values of the three callbacks
    ['#/components/schemas/TaskStatusCallback', '**Unknown:** the `callbackType` values of the three callbacks'],
    ['#/components/schemas/TaskStatusCallback', '1 for this callback'],
    // ping's envelope, paging, filters, exports
    ['#/components/schemas/PingResponse', '**Unknown:** whether a refused ping'],
    ['#/components/schemas/PageSize', '**Unknown:** the vendor publishes no'],
    ['#/components/schemas/ListOrderResponse/properties/totalCount', '**Unknown:** whether the vendor keeps it in step with its pages'],
    ['#/components/schemas/ListCallResponse/properties/totalCount', '**Unknown:** whether the vendor keeps it in step with its pages'],
    ['#/components/schemas/ListCallOptions', '`callingNumber` and `lineAddress`'],
    ['#/components/schemas/ListOrderOptions', '**Choice:** `intentLevel`'],
    ['#/components/schemas/UpdateTaskRequest', '**Unknown:** the vendor\'s table has no "required" column'],
    ['#/components/schemas/CreateAndCallRequest', "**Unknown:** the vendor's field table could not be read"],
    ['#/paths/~1callcentre~1api~1v3~1exportBatchCall/post', '**previous** batch'],
    ['#/paths/~1callcentre~1api~1v3~1updateTask/post', 'which retCode refuses an update of a running'],
    ['#/paths/~1callcentre~1api~1v3~1listCall/post', "**Unknown:** whether the answer's `sign` covers the compressed bytes"],
  ])('%s says %j', (pointer, phrase) => {
    expect(description(pointer)).toContain(phrase);
  });

  it("the generated validators hold the spelling choices (the vendor's typos are refused in requests)", () => {
    const base = { productID: 'callbot', userTaskID: 't', sceneID: 's' };
    expect(validators.CreateTaskRequest({ ...base, taskCreateSetting: { dialAtUpHour: '09:00' } })).toBe(true);
    expect(validators.CreateTaskRequest({ ...base, taskCreateSetting: { 'dialAtUpHour ': '09:00' } })).toBe(false);
    expect(validators.CreateTaskRequest({ ...base, funcFlag: { smsFuncFlag: [{ smsID: 'x', intentID: ['i'] }] } })).toBe(true);
    expect(validators.CreateTaskRequest({ ...base, funcFlag: { smsFuncFlag: [{ smsId: 'x' }] } })).toBe(false);
    expect(validators.CreateTaskRequest({ ...base, taskCallbackUrl: 'https://example.com/t' })).toBe(true);
    expect(
      validators.CreateAndCallRequest({
        ...base,
        taskCallbackUrl: 'https://example.com/t',
        callInfoList: { orderCallbackUrl: 'https://e.x/o', callCallbackUrl: 'https://e.x/c', callList: [] },
      }),
    ).toBe(false);
  });
});
