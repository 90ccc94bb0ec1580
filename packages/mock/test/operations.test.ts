import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../src/index.js';

// Every POST operation of the bundled spec, read here independently of the mock: a path added
// to the contract is covered by these tests without touching them.
type Json = Record<string, any>;
const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve('callbot-contract/openapi.json'), 'utf8')) as Json;

const deref = (value: any): any => {
  if (!value || typeof value !== 'object' || typeof value.$ref !== 'string') return value;
  return deref(
    value.$ref
      .slice(2)
      .split('/')
      .reduce((node: any, part: string) => node?.[part], spec),
  );
};

interface Operation {
  path: string;
  operationId: string;
  requestExample: Json;
  requestSchema: Json;
  answerSchemaRef: string;
  answerExamples: { name: string; value: Json }[];
  retCodes: number[];
}

const operations: Operation[] = Object.entries(spec.paths as Json)
  .filter(([, item]) => item.post)
  .map(([path, item]) => {
    const post = item.post;
    const request = post.requestBody.content['application/json'];
    const answer = post.responses['200'].content['application/json'];
    return {
      path,
      operationId: post.operationId,
      requestExample: deref(Object.values(request.examples)[0]).value,
      requestSchema: deref(request.schema),
      answerSchemaRef: answer.schema.$ref,
      answerExamples: Object.entries(answer.examples).map(([name, example]) => ({ name, value: deref(example).value })),
      retCodes: (post['x-callbot-retcodes'] ?? []) as number[],
    };
  });

// Answers are checked against the spec's own schemas, compiled by Ajv from the bundled spec.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ ...spec, $id: 'spec.json' });
const answerErrors = (op: Operation, body: unknown) => {
  const validate = ajv.getSchema(`spec.json${op.answerSchemaRef}`);
  if (!validate) throw new Error(`no schema ${op.answerSchemaRef}`);
  return validate(body) ? [] : validate.errors;
};

/** The vendor's signature, computed here from its definition (not with the contract's sign()). */
const md5Sign = (secret: string, body: string, createTs: string, requestID: string, uuid: string) =>
  createHash('md5').update(`${secret}&body=${body}&createTs=${createTs}&requestID=${requestID}&uuid=${uuid}`, 'utf8').digest('hex').toUpperCase();

const retCodeOf = (body: Json) => ('retCode' in body ? body.retCode : body.code);
const retMsgOf = (body: Json) => ('retMsg' in body ? body.retMsg : body.msg);
const idOf = (body: Json) => ('responseID' in body ? body.responseID : body.reqId);

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer({ port: 0, host: '127.0.0.1', importingMs: 0, callbacks: { enabled: false } });
});
afterAll(() => mock?.close());

async function post(path: string, body: unknown, { signed = true, headers = {} as Record<string, string> } = {}) {
  const text = JSON.stringify(body);
  const requestID = randomUUID().replace(/-/g, '');
  const createTs = String(Math.floor(Date.now() / 1000));
  const sent: Record<string, string> = { 'Content-Type': 'application/json', requestID, uuid: DEMO_ACCOUNT.uuid, createTs };
  if (signed) sent.sign = md5Sign(DEMO_ACCOUNT.secretKey, text, createTs, requestID, DEMO_ACCOUNT.uuid);
  Object.assign(sent, headers);
  const response = await fetch(`${mock.url}${path}`, { method: 'POST', headers: sent, body: text });
  const answerText = await response.text();
  const header = (name: string) => response.headers.get(name) ?? '';
  const signatureValid =
    header('algorithm') === 'MD5' && header('sign') === md5Sign(DEMO_ACCOUNT.secretKey, answerText, header('createTs'), header('requestID'), header('uuid'));
  return { status: response.status, requestID, header, body: JSON.parse(answerText) as Json, signatureValid };
}

it('the spec has operations, and every one has a success and a refusal example', () => {
  expect(operations.length).toBeGreaterThanOrEqual(13);
  for (const op of operations) {
    expect(
      op.answerExamples.some((example) => retCodeOf(example.value) === RetCodes.Success.code),
      op.operationId,
    ).toBe(true);
    expect(
      op.answerExamples.some((example) => retCodeOf(example.value) !== RetCodes.Success.code),
      op.operationId,
    ).toBe(true);
  }
});

describe.each(operations.map((op) => [op.operationId, op] as const))('%s', (_name, op) => {
  const ping = op.operationId === 'ping';

  it('answers its signed request example (from the simulated world: one of its retCodes), signed over the answer, with echo headers and a valid answer body', async () => {
    const answer = await post(op.path, op.requestExample);
    expect(answer.status).toBe(200);
    expect(answer.header('requestID')).toBe(answer.requestID);
    expect(answer.header('uuid')).toBe(DEMO_ACCOUNT.uuid);
    expect(answer.signatureValid).toBe(true);
    expect(answerErrors(op, answer.body)).toEqual([]);
    expect(op.retCodes, JSON.stringify(answer.body)).toContain(retCodeOf(answer.body));
    if (ping) {
      // Answered by the pipeline: data echoed, the real clock's time.
      expect(answer.body).toMatchObject({ code: RetCodes.Success.code, data: op.requestExample.data });
      expect(Math.abs(answer.body.timestamp - Date.now() / 1000)).toBeLessThanOrEqual(5);
    }
    // A fresh id per answer.
    expect(idOf((await post(op.path, op.requestExample)).body)).not.toBe(idOf(answer.body));
  });

  it('refuses the same body unsigned with MissingSignature', async () => {
    const answer = await post(op.path, op.requestExample, { signed: false });
    expect(answer.status).toBe(200);
    expect(retCodeOf(answer.body)).toBe(RetCodes.MissingSignature.code);
    expect(answer.signatureValid).toBe(true);
    expect(answerErrors(op, answer.body)).toEqual([]);
  });

  it('refuses a body without a required field with MissingParameter, naming the field', async () => {
    const field = (op.requestSchema.required as string[]).find((name) => name in op.requestExample);
    expect(field, 'a required field present in the request example').toBeDefined();
    const { [field!]: _dropped, ...body } = op.requestExample;
    const answer = await post(op.path, body);
    expect(retCodeOf(answer.body)).toBe(RetCodes.MissingParameter.code);
    expect(retMsgOf(answer.body)).toContain(field!);
    expect(answer.signatureValid).toBe(true);
    expect(answerErrors(op, answer.body)).toEqual([]);
  });

  it('answers GET with HTTP 405', async () => {
    const response = await fetch(`${mock.url}${op.path}`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await response.json()).retCode).toBe(RetCodes.GeneralError.code);
  });

  it('answers the refusal example that Prefer: example=NAME picks, signed', async () => {
    const refusal = op.answerExamples.find((example) => retCodeOf(example.value) !== RetCodes.Success.code)!;
    const answer = await post(op.path, op.requestExample, { headers: { Prefer: `example=${refusal.name}` } });
    expect(retCodeOf(answer.body)).toBe(retCodeOf(refusal.value));
    expect(retMsgOf(answer.body)).toBe(retMsgOf(refusal.value));
    expect(answer.signatureValid).toBe(true);
    expect(answerErrors(op, answer.body)).toEqual([]);
  });
});

describe('operations: Prefer, faults, refusals', () => {
  const op = operations.find((candidate) => candidate.path !== IMPORT_BATCH_CALL_PATH && 'retCode' in candidate.answerExamples[0]!.value)!;
  const ping = operations.find((candidate) => candidate.operationId === 'ping');

  it('refuses an unknown example name with GeneralError, naming the known ones', async () => {
    const answer = await post(op.path, op.requestExample, { headers: { Prefer: 'example=NoSuchExample' } });
    expect(answer.body.retCode).toBe(RetCodes.GeneralError.code);
    expect(answer.body.retMsg).toContain('NoSuchExample');
    expect(answer.body.retMsg).toContain(op.answerExamples[0]!.name);
    expect(answer.signatureValid).toBe(true);
  });

  it('applies injected faults after the signature check, signed', async () => {
    const answer = await post(op.path, op.requestExample, { headers: { 'x-callbot-mock-fault': 'busy' } });
    expect(answer.body.retCode).toBe(RetCodes.SystemBusy.code);
    expect(answer.signatureValid).toBe(true);
    const unsigned = await post(op.path, op.requestExample, { signed: false, headers: { 'x-callbot-mock-fault': 'busy' } });
    expect(unsigned.body.retCode).toBe(RetCodes.MissingSignature.code);
  });

  it('refuses a wrong signature, a wrong type and an unknown field', async () => {
    const wrong = await post(op.path, op.requestExample, { headers: { sign: 'A'.repeat(32) } });
    expect(wrong.body.retCode).toBe(RetCodes.IncorrectSignature.code);
    const typeAnswer = await post(op.path, { ...op.requestExample, productID: 7 });
    expect(typeAnswer.body.retCode).toBe(RetCodes.ParameterFormatError.code);
    const unknown = await post(op.path, { ...op.requestExample, notAField: 'x' });
    expect(unknown.body.retCode).toBe(RetCodes.ParameterFormatError.code);
    expect(unknown.body.retMsg).toContain('notAField');
  });

  it.skipIf(!ping)("answers ping refusals in ping's own envelope", async () => {
    const answer = await post(ping!.path, ping!.requestExample, { signed: false });
    expect(answer.body).toMatchObject({ code: RetCodes.MissingSignature.code, data: '' });
    expect(typeof answer.body.reqId).toBe('string');
    expect(answerErrors(ping!, answer.body)).toEqual([]);
  });

  it("still answers 404 for an unknown path (405 for a POST to it: the mock's own endpoints are read-only)", async () => {
    expect((await fetch(`${mock.url}/callcentre/api/v3/noSuchOperation`)).status).toBe(404);
    expect((await fetch(`${mock.url}/callcentre/api/v3/noSuchOperation`, { method: 'POST', body: '{}' })).status).toBe(405);
  });
});
