import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackHandler, type OrderFinishedCallback } from '../../src/callbacks.js';
import { DIRECT_RECEIVE, type DirectlyReceiving } from '../../src/direct-receive.js';
import { toNodeListener } from '../../src/node-adapter.js';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { fromRoot } from 'callbot-test-kit/paths';

// toNodeListener calls createCallbackHandler's receive step directly (no Request, no Response:
// src/direct-receive.ts). The same deliveries sent to two servers — one taking that path, one
// through a plain wrapper `(request) => handler(request)`, which only has the Fetch path — must
// get the same answers, byte for byte, for every class of callback: the shortcut is only faster.
// Signatures are computed here with node:crypto.

const account = { uuid: 'acct-direct', secretKey: 'DIRECT-path-secret-0123' };
const NOW = 1_800_000_000_000;
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const order = spec.components.examples.OrderFinished.value as OrderFinishedCallback;

interface Side {
  url: string;
  close: () => Promise<void>;
  /** Times the Fetch handler itself was called. */
  fetchCalls: number;
  handled: string[];
  release: () => void;
}

/** A server in front of a fresh handler: `direct` keeps the handler's receive step, else only the Fetch handler. */
async function side(direct: boolean, options: { replayCacheSize?: number } = {}): Promise<Side> {
  let release = () => {};
  const handled: string[] = [];
  const handler = createCallbackHandler({
    ...account,
    now: () => NOW,
    maxBodyBytes: 4096,
    replayCacheSize: options.replayCacheSize,
    onOrderFinished: async (payload) => {
      if (payload.orderID === 'throws') throw new Error('handler bug');
      if (payload.orderID === 'slow') await new Promise<void>((resolve) => (release = resolve));
      handled.push(payload.orderID);
    },
  });
  const state = { fetchCalls: 0 };
  const counted = (request: Request) => {
    state.fetchCalls += 1;
    return handler(request);
  };
  const mounted = direct ? Object.assign(counted, { [DIRECT_RECEIVE]: (handler as DirectlyReceiving)[DIRECT_RECEIVE] }) : counted;
  const server = await listenOnLoopback(createServer(toNodeListener(mounted, { maxBodyBytes: 64 * 1024 })));
  return Object.assign(state, server, { handled, release: () => release() });
}

const sign = (text: string, createTs: string, requestID: string, secretKey = account.secretKey) =>
  createHash('md5').update(`${secretKey}&body=${text}&createTs=${createTs}&requestID=${requestID}&uuid=${account.uuid}`, 'utf8').digest('hex').toUpperCase();

interface Delivery {
  method?: string;
  body: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

function signed(payload: unknown, requestID: string, { createTs = String(NOW / 1000), secretKey = account.secretKey, gzip = false } = {}): Delivery {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    requestID,
    uuid: account.uuid,
    createTs,
    sign: sign(text, createTs, requestID, secretKey),
  };
  if (!gzip) return { body: text, headers };
  return { body: new Uint8Array(gzipSync(text)), headers: { ...headers, 'Content-Encoding': 'gzip' } };
}

async function send(url: string, delivery: Delivery) {
  const method = delivery.method ?? 'POST';
  const res = await fetch(`${url}/callbacks/order`, { method, headers: delivery.headers, body: method === 'GET' ? undefined : delivery.body });
  return { status: res.status, contentType: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

let direct: Side;
let viaFetch: Side;
beforeAll(async () => {
  [direct, viaFetch] = await Promise.all([side(true), side(false)]);
});
afterAll(async () => {
  await Promise.all([direct.close(), viaFetch.close()]);
});

const stale = String(NOW / 1000 - 301);
const cases: Array<[string, Delivery, number]> = [
  ['a signed order callback', signed(order, 'd-1'), 200],
  ['the same delivery again', signed(order, 'd-1'), 200],
  ['a gzipped one', signed({ ...order, orderID: 'gz' }, 'd-gz', { gzip: true }), 200],
  ['a corrupt gzip body', { ...signed(order, 'd-badgz'), headers: { ...signed(order, 'd-badgz').headers, 'Content-Encoding': 'gzip' } }, 400],
  ['a wrong signature', signed(order, 'd-2', { secretKey: 'another-secret' }), 401],
  [
    'no sign header',
    { body: JSON.stringify(order), headers: { 'Content-Type': 'application/json', requestID: 'd-3', uuid: account.uuid, createTs: String(NOW / 1000) } },
    401,
  ],
  ['another account', { ...signed(order, 'd-4'), headers: { ...signed(order, 'd-4').headers, uuid: 'someone-else' } }, 401],
  ['a stale createTs', signed(order, 'd-5', { createTs: stale }), 401],
  ['a body that is not JSON', signed('{"orderID":', 'd-6'), 400],
  ['a JSON array', signed([order], 'd-7'), 400],
  ['a body over maxBodyBytes', signed({ ...order, other: 'x'.repeat(5000) }, 'd-8'), 413],
  ['a handler that throws', signed({ ...order, orderID: 'throws' }, 'd-9'), 500],
  ['a GET', { method: 'GET', body: '', headers: {} }, 405],
  ['a payload with prototype keys', signed(JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(order).slice(1)}`), 'd-10'), 200],
];

describe('toNodeListener in front of createCallbackHandler: the direct path answers as the Fetch path does', () => {
  it.each(cases)('%s', async (_, delivery, status) => {
    const [a, b] = [await send(direct.url, delivery), await send(viaFetch.url, delivery)];
    expect(a).toEqual(b);
    expect(a.status).toBe(status);
    expect(a.contentType).toBe('application/json');
    expect(direct.handled).toEqual(viaFetch.handled);
  });

  it('a repeat while the handler runs: 409 on both', async () => {
    const slow = signed({ ...order, orderID: 'slow' }, 'd-slow');
    const first = [send(direct.url, slow), send(viaFetch.url, slow)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [a, b] = [await send(direct.url, slow), await send(viaFetch.url, slow)];
    expect(a).toEqual(b);
    expect(a.status).toBe(409);
    direct.release();
    viaFetch.release();
    const [c, d] = await Promise.all(first);
    expect([c!.status, c]).toEqual([200, d]);
  });

  it('a full replay memory: 503 with the same Retry-After on both', async () => {
    const [small, smallFetch] = await Promise.all([side(true, { replayCacheSize: 1 }), side(false, { replayCacheSize: 1 })]);
    try {
      for (const [requestID, status] of [
        ['f-1', 200],
        ['f-2', 503],
      ] as const) {
        const delivery = signed({ ...order, orderID: requestID }, requestID);
        const [a, b] = [await send(small.url, delivery), await send(smallFetch.url, delivery)];
        expect(a).toEqual(b);
        expect(a.status).toBe(status);
        if (status === 503) expect(Number(a.retryAfter)).toBeGreaterThan(0);
      }
    } finally {
      await Promise.all([small.close(), smallFetch.close()]);
    }
  });

  it('the direct path is the one taken: the Fetch handler is never called when the receive step is there', () => {
    expect(direct.fetchCalls).toBe(0);
    expect(viaFetch.fetchCalls).toBeGreaterThan(cases.length);
  });
});
