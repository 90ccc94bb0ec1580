import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../src/http/respond.js';
import { restoreSimulator } from '../src/simulator/world.js';
import { callInfoList, Driver, options, orders } from './simulator/support.js';

// The speed-ups of the listOrder page and of the answer's encoding (bench/mock-load.mjs) must not
// change a byte of what is sent: these hold the new code to what Buffer.from and spreads gave.

describe('utf8Bytes: the bytes of Buffer.from(text), through scratch space', () => {
  const texts = {
    empty: '',
    ascii: '{"retCode":0,"retMsg":"success"}',
    chinese: '{"userName":"张伟","customerName":"华南物流"}',
    emoji: '{"other":"😀 ok"}',
    'lone surrogates': 'a\ud800b\udc00c\udbff',
    'longer than the scratch space': `[${'"张伟",'.repeat(120_000)}"end"]`,
  };

  for (const [name, text] of Object.entries(texts)) {
    it(`${name}: the same bytes`, () => {
      expect(utf8Bytes(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
    });
  }

  it('each answer owns its bytes: the next answer does not overwrite the last', () => {
    const first = utf8Bytes('{"responseID":"first"}');
    const kept = Buffer.from(first);
    utf8Bytes('{"responseID":"SECOND, and longer"}');
    expect(first.equals(kept)).toBe(true);
    expect(first.length).toBe(kept.length);
  });
});

describe('list items and callback payloads keep their key order', () => {
  const U = 'u1';
  const ORDER_KEYS = ['orderID', 'userPhone', 'userName', 'sceneID', 'userTaskID', 'taskID', 'finish', 'other'];
  const NOT_CALLED_KEYS = [
    'callID',
    'callStatus',
    'callStartTs',
    'callAnswerTs',
    'callEndTs',
    'callDuration',
    'callAudioUrl',
    'hangupCause',
    'termSipCode',
    'intents',
    'sms',
    'agent',
    'params',
  ];

  function playedWorld() {
    const d = Driver.create({ importingSeconds: 0 });
    d.ok(U, 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(30)) });
    d.advance(120, 1); // some calls ended, most orders not called yet
    return d;
  }

  it('listOrder and listCall: the order fields in the spec order, then callInfoDetail (the stored detail, agent last)', () => {
    const d = playedWorld();
    const items = d.all(U, 'listOrder', 't');
    const called = items.filter((item) => item.callInfoDetail.callID !== '');
    const notCalled = items.filter((item) => item.callInfoDetail.callID === '');
    expect(called.length).toBeGreaterThan(0);
    expect(notCalled.length).toBeGreaterThan(0);
    for (const item of items) expect(Object.keys(item)).toEqual([...ORDER_KEYS, 'callInfoDetail']);
    for (const item of notCalled) expect(Object.keys(item.callInfoDetail)).toEqual(NOT_CALLED_KEYS);
    const calls = d.all(U, 'listCall', 't');
    for (const item of [...called, ...calls]) {
      const keys = Object.keys(item.callInfoDetail);
      expect(keys.at(-1)).toBe('agent');
      expect(keys.slice(0, 7)).toEqual(NOT_CALLED_KEYS.slice(0, 7));
      expect(keys).toContain('params');
    }
  });

  it('order and call events: callbackType first, the order fields, then callInfoDetail (calling number and line last)', () => {
    const d = playedWorld();
    const orderEvent = d.events.find((event) => event.kind === 'order');
    const callEvent = d.events.find((event) => event.kind === 'call');
    expect(orderEvent && callEvent).toBeTruthy();
    expect(Object.keys(orderEvent!.payload)).toEqual(['callbackType', ...ORDER_KEYS, 'callInfoDetail']);
    expect(orderEvent!.payload.finish).toBe(true);
    expect(Object.keys(callEvent!.payload)).toEqual(['callbackType', ...ORDER_KEYS, 'callInfoDetail']);
    const detailKeys = Object.keys(callEvent!.payload.callInfoDetail as object);
    expect(detailKeys.slice(-3)).toEqual(['agent', 'callingNumber', 'lineAddress']);
  });

  it('listOrderDetail: the order fields, then every call with calling number and line', () => {
    const d = playedWorld();
    const called = d.all(U, 'listOrder', 't').filter((item) => item.callInfoDetail.callID !== '');
    const answer = d.ok(U, 'listOrderDetail', { userTaskID: 't', orderList: [called[0].orderID] });
    const [detail] = answer.orderDetailList;
    expect(Object.keys(detail)).toEqual([...ORDER_KEYS, 'callInfoDetailList']);
    for (const call of detail.callInfoDetailList) expect(Object.keys(call).slice(-3)).toEqual(['agent', 'callingNumber', 'lineAddress']);
  });
});

describe('a stored call detail with an own "__proto__" key (a hand-edited state file)', () => {
  it('is listed with that key, as a spread copies it (Object.assign would set the prototype instead)', () => {
    const d = Driver.create({ importingSeconds: 0 });
    d.ok('u1', 'importBatchCall', { userTaskID: 't', callInfoList: callInfoList(orders(3)) });
    d.advance(600, 1);
    const text = JSON.stringify(d.sim.snapshot());
    const at = text.indexOf('"callID":"');
    expect(at).toBeGreaterThan(0);
    const edited = JSON.parse(`${text.slice(0, at)}"__proto__":{"hidden":1},${text.slice(at)}`);
    const restored = new Driver(restoreSimulator(edited, options({ importingSeconds: 0 })));
    const calls = restored.ok('u1', 'listCall', { userTaskID: 't', options: {}, page: 1, size: 100 }).callList;
    const texts = calls.map((call: object) => JSON.stringify(call));
    expect(texts.some((item: string) => item.includes('"__proto__":{"hidden":1}'))).toBe(true);
  });
});
