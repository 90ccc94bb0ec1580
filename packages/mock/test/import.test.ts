import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetCodes } from 'callbot-contract';
import { createMockServer, type MockServer } from '../src/index.js';
import { answerSignatureValid, demo, importBody, order, sendImport } from './helpers.js';

// The import endpoint's business answers, on an in-process mock (speed 0, callbacks off: nothing is dialed).
let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer({ port: 0, maxOrders: 50, importingMs: 0, speed: 0, callbacks: { enabled: false } });
});
afterAll(() => mock.close());

describe('accepted imports', () => {
  it('answers retCode 0 with counts computed from the request, and a signed answer', async () => {
    const answer = await sendImport(mock.url, importBody(7));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ retCode: 0, retMsg: 'success', totalCount: 7, successCount: 7 });
    expect(answer.json.errList).toBeUndefined();
    expect(answer.json.responseID).toEqual(expect.any(String));
    expect(answer.json.responseID).not.toBe('');
    expect((await sendImport(mock.url, importBody(1))).json.responseID).not.toBe(answer.json.responseID);
    expect(answerSignatureValid(answer)).toBe(true);
  });

  it('lists refused orders in errList, in request order: duplicate orderID (the simulator), malformed phone and blocked test number (the pipeline)', async () => {
    const orders = [
      order(1),
      order(2, { orderID: 'order-1', userPhone: '8615600000777' }), // repeat of order-1's ID
      order(3, { userPhone: '+86 156-0000' }), // not a phone number (schema pattern)
      order(4, { userPhone: '8613900000042' }), // reserved "blocked" range
      order(5),
    ];
    const answer = await sendImport(mock.url, importBody(orders));
    expect(answer.json.retCode).toBe(0);
    expect(answer.json.totalCount).toBe(5);
    expect(answer.json.successCount).toBe(2);
    expect(answer.json.errList).toEqual([
      { phone: '8615600000777', errMsg: expect.stringContaining('"order-1"') },
      { phone: '+86 156-0000', errMsg: 'invalid phone number format' },
      { phone: '8613900000042', errMsg: 'phone number is blocked' },
    ]);
    expect(answerSignatureValid(answer)).toBe(true);
  });

  it('keeps retCode 0 with successCount 0 when every order is refused', async () => {
    const answer = await sendImport(mock.url, importBody([order(1, { userPhone: '8613900000000' })]));
    expect(answer.json).toMatchObject({ retCode: 0, totalCount: 1, successCount: 0 });
    expect(answer.json.errList).toHaveLength(1);
  });

  it('answers more than maxOrders orders with 4001', async () => {
    const answer = await sendImport(mock.url, importBody(51));
    expect(answer.json.retCode).toBe(4001);
    expect(answer.json.retMsg).toContain('51 orders');
    expect(answer.json.retMsg.startsWith(`${RetCodes.TooManyElements.zh}: `)).toBe(true); // the vendor's full message, from the spec's table
    expect(await sendImport(mock.url, importBody(50)).then((a) => a.json.retCode)).toBe(0);
  });
});

describe('schema violations (found by Prism) become 2, 3 or 4 naming the field', () => {
  const cases: [string, (body: any) => void, number, string][] = [
    ['missing userPhone', (b) => delete b.callInfoList.callList[3].userPhone, 2, 'callInfoList.callList[3].userPhone'],
    ['missing callInfoList', (b) => delete b.callInfoList, 2, 'callInfoList'],
    ['empty callList', (b) => (b.callInfoList.callList = []), 2, 'callInfoList.callList'],
    ['empty orderID', (b) => (b.callInfoList.callList[2].orderID = ''), 2, 'callInfoList.callList[2].orderID'],
    ['userPhone as a number', (b) => (b.callInfoList.callList[1].userPhone = 8615600000001), 3, 'callInfoList.callList[1].userPhone'],
    ['param value not a string', (b) => (b.callInfoList.callList[0].params[0].value = 12), 3, 'callInfoList.callList[0].params[0].value'],
    ['callback URL without scheme', (b) => (b.callInfoList.orderCallbackUrl = 'example.com/cb'), 3, 'callInfoList.orderCallbackUrl'],
    ['unknown top-level field', (b) => (b.extra = true), 3, 'extra'],
    ['unknown order field', (b) => (b.callInfoList.callList[4].phone = 'x'), 3, 'callInfoList.callList[4].phone'],
    ['productID not "callbot"', (b) => (b.productID = 'callbot2'), 4, 'productID'],
  ];
  for (const [name, mutate, retCode, field] of cases) {
    it(`${name} → ${retCode} (${field})`, async () => {
      const body = importBody(5);
      mutate(body);
      const answer = await sendImport(mock.url, body);
      expect(answer.status).toBe(200);
      expect(answer.json.retCode).toBe(retCode);
      expect(answer.json.retMsg).toContain(field);
      expect(answer.json).toMatchObject({ totalCount: 0, successCount: 0 });
      expect(answerSignatureValid(answer)).toBe(true);
    });
  }

  it('reports the first problem in body order and counts the others', async () => {
    const body: any = importBody(3);
    delete body.callInfoList.callList[2].orderID;
    body.callInfoList.callList[0].userName = 7;
    body.productID = 'nope';
    const answer = await sendImport(mock.url, body);
    expect(answer.json.retCode).toBe(4);
    expect(answer.json.retMsg).toMatch(/^参数值错误: productID .*\(and 2 more problems\)$/);
  });

  it('refuses a non-object JSON body with 3 and an empty body with 2', async () => {
    expect((await sendImport(mock.url, '[1,2,3]')).json.retCode).toBe(3);
    expect((await sendImport(mock.url, '"text"')).json.retCode).toBe(3);
    expect((await sendImport(mock.url, '')).json.retCode).toBe(2);
  });
});

describe('never Prism problem documents', () => {
  it('answers without content type, or with a foreign one, like any other request (HTTP 200 + retCode)', async () => {
    const answer = await sendImport(mock.url, importBody(1), { headers: { 'Content-Type': 'text/plain' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json.retCode).toBe(0);
  });

  it('keeps the demo account as the default one', () => {
    expect(mock.accounts[0]).toEqual({ ...demo });
  });
});
