import { describe, expect, it } from 'vitest';
import { bundledSpec, operation, schemas } from 'callbot-test-kit/spec';

// Every row of the vendor's page (../shared/seed/, restated here as data) must be in the spec,
// with the same required flag. If the spec loses a field, a header or a code, this fails.

const requestHeaders = [
  // [name, required on the vendor page, how the spec carries it]
  ['requestID', true, 'security'],
  ['uuid', true, 'security'],
  ['createTs', true, 'security'],
  ['sign', true, 'security'],
  ['algorithm', false, 'parameter'],
  // Not a parameter: it describes the body's encoding, so whatever compresses the body sets it
  // (see other-toolchains.test.ts); the request body's x-callbot-request-encoding carries it.
  ['Content-Encoding', false, 'body-encoding'],
] as const;

const bodyFields = [
  // [JSON path, required on the vendor page, JSON type]
  ['productID', true, 'string'],
  ['userTaskID', true, 'string'],
  ['callInfoList', true, 'object'],
  ['callInfoList.orderCallbackUrl', true, 'string'],
  ['callInfoList.callCallbackUrl', true, 'string'],
  ['callInfoList.callList', true, 'array'],
  ['callInfoList.callList[].orderID', true, 'string'],
  ['callInfoList.callList[].userPhone', true, 'string'],
  ['callInfoList.callList[].other', true, 'string'],
  ['callInfoList.callList[].userName', true, 'string'],
  ['callInfoList.callList[].customerName', true, 'string'],
  ['callInfoList.callList[].params', true, 'array'],
  ['callInfoList.callList[].params[].name', true, 'string'],
  ['callInfoList.callList[].params[].value', true, 'string'],
] as const;

const responseFields = [
  ['retCode', true, 'integer'],
  ['retMsg', true, 'string'],
  ['responseID', true, 'string'],
  ['totalCount', true, 'integer'],
  ['successCount', true, 'integer'],
  ['errList', false, 'array'],
  ['errList[].phone', true, 'string'],
  ['errList[].errMsg', true, 'string'],
] as const;

const responseHeaders = [
  // [name, required on the vendor page, required in the spec]: an echo or a signature cannot be
  // on every answer (see the headers' **Choice:**), so those say when they are present instead.
  ['requestID', true, false],
  ['uuid', true, false],
  ['createTs', true, true],
  ['sign', true, false],
  ['algorithm', false, false],
] as const;

const retCodes = [
  [0, '成功'],
  [1, '通用错误'],
  [2, '参数丢失'],
  [3, '参数格式错误'],
  [4, '参数值错误'],
  [4001, '参数内容容量错误(数组元素过多)'],
  [5, '服务器维护'],
  [5001, '服务器内部错误'],
  [6, '签名不正确'],
  [6001, '签名错误丢失'],
  [6002, '账号不存在'],
  [6003, '用户没有权限'],
  [7, '系统正忙'],
  [1001, '批次导入进行中,不可导入导出'],
] as const;

function resolve(node: any): any {
  if (node?.$ref) {
    return resolve(
      node.$ref
        .slice(2)
        .split('/')
        .reduce((n: any, k: string) => n[k], bundledSpec),
    );
  }
  return node;
}

/** Walks `a.b[].c` through properties/items; returns the property schema and whether its parent requires it. */
function field(root: any, path: string): { schema: any; required: boolean } {
  let parent = resolve(root);
  let schema: any;
  let required = false;
  for (const segment of path.split('.')) {
    const name = segment.replace('[]', '');
    schema = resolve(parent.properties?.[name]);
    required = (parent.required ?? []).includes(name);
    expect(schema, `${path}: no property ${name}`).toBeDefined();
    parent = segment.endsWith('[]') ? resolve(schema.items) : schema;
  }
  return { schema, required };
}

describe('the spec carries every row of the vendor page', () => {
  it('has the endpoint: POST /callcentre/api/v3/importBatchCall, operationId importBatchCall', () => {
    expect(operation.operationId).toBe('importBatchCall');
    expect(bundledSpec.servers.map((s: any) => s.url)).toEqual(['https://nxbot.nxcloud.com', 'http://127.0.0.1:4010']);
  });

  it.each(requestHeaders)('request header %s (required: %s) is carried as a %s', (name, required, how) => {
    if (how === 'security') {
      const requirement = operation.security[0];
      const scheme = Object.keys(requirement)
        .map((k) => bundledSpec.components.securitySchemes[k])
        .find((s: any) => s.name === name);
      expect(scheme, `no security scheme for header ${name}`).toMatchObject({ type: 'apiKey', in: 'header', name });
    } else if (how === 'parameter') {
      const parameter = operation.parameters.map(resolve).find((p: any) => p.name === name);
      expect(parameter).toMatchObject({ in: 'header', required });
    } else {
      expect(required).toBe(false);
      expect(resolve(operation.requestBody)['x-callbot-request-encoding']).toMatchObject({ header: name, optional: true });
    }
  });

  it.each(bodyFields)('body field %s (required: %s, %s)', (path, required, type) => {
    const { schema, required: isRequired } = field(schemas.ImportBatchCallRequest, path);
    expect(isRequired).toBe(required);
    expect(schema.type).toBe(type);
    expect(schema.description).toBeTruthy();
  });

  it.each(responseFields)('response field %s (required: %s, %s)', (path, required, type) => {
    const { schema, required: isRequired } = field(schemas.ImportBatchCallResponse, path);
    expect(isRequired).toBe(required);
    // retCode is anyOf [RetCode, integer] (open to codes the vendor adds): every branch has the type.
    const branches = schema.anyOf ? schema.anyOf.map(resolve) : [resolve(schema)];
    for (const branch of branches) expect(branch.type).toBe(type);
  });

  it.each(responseHeaders)('signed response header %s (vendor: required %s; spec: required %s)', (name, vendorRequired, specRequired) => {
    const header = resolve(operation.responses['200'].headers[name]);
    expect(header.required).toBe(specRequired);
    if (vendorRequired && !specRequired) {
      // A departure from the vendor's table is a documented choice, with its condition for tools.
      expect(header.description).toContain('**Choice:**');
      expect(header['x-callbot-present-when']).toBeDefined();
    }
  });

  it.each(retCodes)('retCode %i (%s) is in RetCode with its Chinese text', (code, text) => {
    const retCode = schemas.RetCode;
    const index = retCode.enum.indexOf(code);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(retCode['x-enum-descriptions'][index]).toContain(text);
  });

  it('RetCode has no code the vendor does not document; 5, 7, 1001 are the not-processed ones, 5001 the unknown one', () => {
    expect([...schemas.RetCode.enum].sort((a: number, b: number) => a - b)).toEqual(retCodes.map(([c]) => c).sort((a, b) => a - b));
    const outcomes = schemas.RetCode['x-callbot-outcomes'];
    expect(outcomes['not-processed']).toEqual([5, 7, 1001]);
    expect(outcomes.unknown).toEqual([5001]);
    expect(outcomes.success).toEqual([0]);
    // Every documented code in exactly one class.
    expect(
      Object.values(outcomes)
        .flat()
        .sort((a: any, b: any) => a - b),
    ).toEqual([...schemas.RetCode.enum].sort((a: number, b: number) => a - b));
  });

  it('productID is the constant "callbot" and the signature algorithm is MD5 | SHA256 defaulting to MD5', () => {
    expect(schemas.ImportBatchCallRequest.properties.productID).toEqual({ $ref: '#/components/schemas/ProductID' });
    expect(schemas.ProductID.const).toBe('callbot');
    expect(schemas.SignAlgorithm).toMatchObject({ enum: ['MD5', 'SHA256'], default: 'MD5' });
  });

  it('documents the signature base string and the worked example in the security scheme', () => {
    const text = bundledSpec.components.securitySchemes.CallbotSign.description;
    expect(text).toContain('<secretKey>&body=<body>&createTs=<createTs>&requestID=<requestID>&uuid=<uuid>');
    expect(text).toContain('EF8C2D6438591DEA7E79D53F04982B99');
  });

  it('declares both callbacks on the operation and as webhooks, with shared payload schemas', () => {
    expect(Object.keys(operation.callbacks).sort()).toEqual(['callFinished', 'orderFinished']);
    // The task-status webhook belongs to the task operations (api-coverage.test.ts).
    expect(Object.keys(bundledSpec.webhooks).sort()).toEqual(['callFinished', 'orderFinished', 'taskStatusChanged']);
    const payload = (pathItem: any) => resolve(resolve(pathItem).post.requestBody).content['application/json'].schema.$ref;
    // The operation's callbacks are shared components (#/components/callbacks/…), one per expression.
    const callback = (name: string) => Object.values(resolve(operation.callbacks[name]))[0];
    expect(payload(bundledSpec.webhooks.orderFinished)).toBe('#/components/schemas/OrderFinishedCallback');
    expect(payload(callback('orderFinished'))).toBe('#/components/schemas/OrderFinishedCallback');
    expect(payload(callback('callFinished'))).toBe('#/components/schemas/CallFinishedCallback');
  });
});
