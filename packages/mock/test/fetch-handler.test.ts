import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createCallbotClient, DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, RetCodes, sign, verifySignature } from 'callbot-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';
import { createMockHandler, type MockHandler } from '../src/index.js';
import { demo, importBody } from './helpers.js';

const run = promisify(execFile);
const EXAMPLE = fromRoot('packages', 'mock', 'examples', 'msw-fetch-handler.mjs');

// createMockHandler: the mock as a fetch handler, no server. The README's msw example is
// examples/msw-fetch-handler.mjs, included verbatim: the test checks they are the same, then runs it.
describe('the README example (msw → handler.fetch → the contract client)', () => {
  it('is the examples file, verbatim', () => {
    const readme = readFileSync(fromRoot('packages', 'mock', 'README.md'), 'utf8');
    const block = /<!-- example: examples\/msw-fetch-handler\.mjs -->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README block after <!-- example: examples/msw-fetch-handler.mjs -->').toBeDefined();
    expect(block).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('runs: the client imports through msw into the mock, and an hour of virtual time later every order is finished', async () => {
    const { stdout } = await run(process.execPath, [EXAMPLE], { cwd: fromRoot('packages', 'mock'), timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('imported 2 of 2');
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^o-1: finish=true callStatus=\d$/),
      expect.stringMatching(/^o-2: finish=true callStatus=\d$/),
    ]);
  });
});

let handler: MockHandler;
beforeAll(async () => {
  handler = await createMockHandler({ speed: 0, maxBodyBytes: 64 * 1024, callbacks: { enabled: false } });
});
afterAll(() => handler.close());

const BASE = 'http://mock.test';

function signedRequest(path: string, body: unknown, { headers = {} as Record<string, string>, gzip = false } = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const requestID = randomUUID().replace(/-/g, '');
  const createTs = String(Math.floor(Date.now() / 1000));
  const signature = sign({ secretKey: demo.secretKey, body: text, createTs, requestID, uuid: demo.uuid });
  const sent: Record<string, string> = { 'Content-Type': 'application/json', requestID, uuid: demo.uuid, createTs, sign: signature, ...headers };
  if (gzip) sent['Content-Encoding'] = 'gzip';
  return new Request(`${BASE}${path}`, { method: 'POST', headers: sent, body: gzip ? gzipSync(text) : text });
}

async function answerOf(response: Response) {
  const text = await response.text();
  const header = (name: string) => response.headers.get(name) ?? '';
  const signed = verifySignature({
    secretKey: demo.secretKey,
    body: text,
    createTs: header('createTs'),
    requestID: header('requestID'),
    uuid: header('uuid'),
    algorithm: 'MD5',
    sign: header('sign'),
  });
  return { status: response.status, json: JSON.parse(text), signed };
}

describe('createMockHandler', () => {
  it('answers a signed import (gzip too) with a signed answer from the simulator', async () => {
    const plain = await answerOf(await handler.fetch(signedRequest(IMPORT_BATCH_CALL_PATH, importBody(3))));
    expect(plain).toMatchObject({ status: 200, signed: true, json: { retCode: 0, totalCount: 3, successCount: 3 } });
    const zipped = await answerOf(await handler.fetch(signedRequest(IMPORT_BATCH_CALL_PATH, importBody(2), { gzip: true })));
    expect(zipped.json).toMatchObject({ retCode: 0, totalCount: 2 });
  });

  it("can be a client's fetch as is (called like the global fetch)", async () => {
    const client = createCallbotClient({ ...DEMO_ACCOUNT, baseUrl: BASE, fetch: handler.fetch });
    const { productID: _productID, ...body } = importBody(2, { userTaskID: 'through-fetch-option' });
    const imported = await client.importBatchCall(body);
    expect(imported).toMatchObject({ retCode: 0, successCount: 2 });
    const listed = await client.listOrders({ userTaskID: 'through-fetch-option', options: {} });
    expect(listed.orderList?.map((o) => o.orderID)).toEqual(['order-0', 'order-1']);
  });

  it('answers ping with its data echoed (透传字段), whatever it is: not the example\'s "hello"', async () => {
    for (const data of ['health-check 42 透传', '']) {
      const answer = await answerOf(await handler.fetch(signedRequest('/callcentre/api/v3/ping', { data })));
      expect(answer.signed).toBe(true);
      expect(answer.json).toMatchObject({ code: 0, data, msg: 'success' });
    }
  });

  it('applies the same checks: signature, body cap, validation naming the field', async () => {
    const unsigned = new Request(`${BASE}${IMPORT_BATCH_CALL_PATH}`, { method: 'POST', body: JSON.stringify(importBody(1)) });
    expect((await answerOf(await handler.fetch(unsigned))).json.retCode).toBe(RetCodes.MissingSignature.code);
    const big = await answerOf(await handler.fetch(signedRequest(IMPORT_BATCH_CALL_PATH, importBody(1000))));
    expect(big.json.retCode).toBe(RetCodes.TooManyElements.code);
    expect(big.json.retMsg).toContain('larger than 65536 bytes');
    const body: any = importBody(2);
    delete body.callInfoList.callList[1].orderID;
    const invalid = await answerOf(await handler.fetch(signedRequest(IMPORT_BATCH_CALL_PATH, body)));
    expect(invalid.json.retCode).toBe(RetCodes.MissingParameter.code);
    expect(invalid.json.retMsg).toContain('callInfoList.callList[1].orderID');
  });

  it('turns a dropped connection (injected fault) into a rejected fetch: a TypeError, like a network error', async () => {
    for (const fault of ['drop', 'drop-before-body']) {
      const request = signedRequest(IMPORT_BATCH_CALL_PATH, importBody(1), { headers: { 'x-callbot-mock-fault': fault } });
      await expect(handler.fetch(request)).rejects.toThrow(TypeError);
    }
    const busy = await answerOf(await handler.fetch(signedRequest(IMPORT_BATCH_CALL_PATH, importBody(1), { headers: { 'x-callbot-mock-fault': 'busy' } })));
    expect(busy).toMatchObject({ signed: true, json: { retCode: RetCodes.SystemBusy.code } });
  });

  it('serves the debug endpoints, the clock, the docs and 404/405 like the server', async () => {
    const before = await (await handler.fetch(new Request(`${BASE}/__mock/clock`))).json();
    const moved = await handler.fetch(new Request(`${BASE}/__mock/clock`, { method: 'POST', body: '{"advance": 120}' }));
    expect((await moved.json()).now - before.now).toBe(120);
    expect((await handler.clock.advance(30)).now - before.now).toBe(150);
    const tasks = await (await handler.fetch(new Request(`${BASE}/__mock/tasks`))).json();
    expect(tasks.total).toBeGreaterThanOrEqual(1);
    const docs = await handler.fetch(new Request(`${BASE}/openapi.json`, { method: 'HEAD' }));
    expect(docs.status).toBe(200);
    expect(await docs.text()).toBe('');
    expect((await handler.fetch(new Request(`${BASE}/nope`))).status).toBe(404);
    const get = await handler.fetch(new Request(`${BASE}${IMPORT_BATCH_CALL_PATH}`));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
