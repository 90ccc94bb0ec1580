import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { verifySignature } from 'callbot-contract';
import { createMockServer, isAllowedCallbackUrl, silentLogger, type MockLogger, type MockOptionsInput, type MockServer } from '../src/index.js';
import { advance, demo, getJson, importBody, order, sendImport, sendSigned, startReceiver, type ReceivedCallback } from './helpers.js';

// The simulated world's callbacks, with time moved by POST /__mock/clock (speed 0): no sleeps.
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWith(options: MockOptionsInput = {}): Promise<MockServer> {
  const server = await createMockServer({ port: 0, importingMs: 0, speed: 0, ...options });
  cleanup.push(() => server.close());
  return server;
}

async function receiver(status?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(status);
  cleanup.push(r.close);
  return r;
}

function verified(callback: ReceivedCallback, secretKey = demo.secretKey, algorithm: 'MD5' | 'SHA256' = 'MD5') {
  const header = (name: string) => String(callback.headers[name.toLowerCase()] ?? '');
  return verifySignature({
    secretKey,
    algorithm,
    body: callback.body,
    createTs: header('createTs'),
    requestID: header('requestID'),
    uuid: header('uuid'),
    sign: header('sign'),
  });
}

const ONE_HOUR = 3600;
const bodiesAt = (r: { received: ReceivedCallback[] }, path: string) => r.received.filter((c) => c.path === path).map((c) => JSON.parse(c.body));

describe('callbacks', () => {
  it('sends signed call-finished and order-finished callbacks filled from the imported orders', async () => {
    const r = await receiver();
    const mock = await mockWith();
    const orders = [order(1, { other: 'crm-1', userName: '李雷' }), order(2), order(3)];
    const body = importBody(orders, { callbackBase: `${r.url}/hooks` });
    expect((await sendImport(mock.url, body)).json.retCode).toBe(0);
    expect(r.received).toEqual([]); // speed 0: nothing happens until the clock moves

    const clock = await advance(mock.url, ONE_HOUR);
    expect(clock).toMatchObject({ speed: 0, pendingCallbacks: 0 });
    const calls = bodiesAt(r, '/hooks/call');
    const orderCallbacks = bodiesAt(r, '/hooks/order');

    for (const callback of r.received) {
      expect(verified(callback)).toBe(true);
      expect(callback.headers.algorithm).toBeUndefined(); // as on the vendor's callback pages
      expect(callback.headers.uuid).toBe(demo.uuid);
    }
    expect(orderCallbacks.map((c) => c.orderID).sort()).toEqual(['order-1', 'order-2', 'order-3']);
    const first = orderCallbacks.find((c) => c.orderID === 'order-1');
    expect(first).toMatchObject({
      callbackType: '2',
      finish: true,
      other: 'crm-1',
      userName: '李雷',
      userPhone: orders[0]!.userPhone,
      userTaskID: body.userTaskID,
    });
    expect(first.taskID).toMatch(/^\d+$/);
    expect(first.callInfoDetail.callingNumber).toBeUndefined();
    expect(first.callInfoDetail.params).toEqual(orders[0]!.params);

    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) {
      expect(call.callbackType).toBe(3);
      expect([1, 2, 3, 4]).toContain(call.callInfoDetail.callStatus);
      expect(typeof call.callInfoDetail.callingNumber).toBe('string');
      expect(call.callInfoDetail.callEndTs).toBeGreaterThanOrEqual(call.callInfoDetail.callStartTs);
      // Virtual time: the calls happened within the hour the clock was moved.
      expect(call.callInfoDetail.callStartTs).toBeLessThanOrEqual(clock.now);
    }
    // Per order: exactly one call callback says finish=true, the last one, and it is the order callback's call.
    for (const done of orderCallbacks) {
      const own = calls.filter((c) => c.orderID === done.orderID);
      expect(own.filter((c) => c.finish)).toHaveLength(1);
      expect(own.at(-1).finish).toBe(true);
      expect(own.at(-1).callInfoDetail.callID).toBe(done.callInfoDetail.callID);
    }
    const { callbacks } = await getJson(`${mock.url}/__mock/callbacks`);
    expect(callbacks).toHaveLength(r.received.length);
    expect(callbacks.every((c: any) => c.status === 'delivered' && c.userTaskID === body.userTaskID && typeof c.seq === 'number')).toBe(true);
  });

  it("signs callbacks with the account's console algorithm (SHA256 here)", async () => {
    const r = await receiver();
    const acme = { uuid: 'acme', secretKey: 'acme-secret', algorithm: 'SHA256' as const };
    const mock = await mockWith({ accounts: [acme] });
    const answer = await sendImport(mock.url, importBody(1, { callbackBase: r.url }), { uuid: acme.uuid, secretKey: acme.secretKey });
    expect(answer.json.retCode).toBe(0);
    await advance(mock.url, ONE_HOUR);
    expect(r.received.some((c) => c.path === '/order')).toBe(true);
    for (const callback of r.received) {
      expect(verified(callback, acme.secretKey, 'SHA256')).toBe(true);
      expect(String(callback.headers.sign)).toMatch(/^[0-9A-F]{64}$/);
    }
  });

  it('sends the task callback (kind task) on a status change, to the taskCallbackUrl', async () => {
    const r = await receiver();
    const mock = await mockWith();
    const userTaskID = 'task-with-status-callback';
    const created = await sendSigned(mock.url, '/callcentre/api/v3/createTask', {
      productID: 'callbot',
      userTaskID,
      sceneID: 'scene-1',
      taskCreateSetting: { startupType: 1 },
      taskCallbackUrl: `${r.url}/task`,
    });
    expect(created.json.retCode).toBe(0);
    const started = await sendSigned(mock.url, '/callcentre/api/v3/mgrTaskStatus', { productID: 'callbot', userTaskID, taskOperate: 1 });
    expect(started.json.retCode).toBe(0);
    await advance(mock.url, 1);
    const statuses = bodiesAt(r, '/task');
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    expect(statuses[0]).toMatchObject({ callbackType: 1, userTaskID, taskStatus: 2 });
    expect(r.received.filter((c) => c.path === '/task').every((c) => verified(c))).toBe(true);
    const { callbacks } = await getJson(`${mock.url}/__mock/callbacks`);
    expect(callbacks.find((c: any) => c.kind === 'task')).toMatchObject({ kind: 'task', status: 'delivered', userTaskID });
    expect(callbacks.find((c: any) => c.kind === 'task').orderID).toBeUndefined();
  });

  it('retries a failing receiver a bounded number of times, then gives up', async () => {
    // The first two deliveries fail with 500; everything after is accepted.
    const r = await receiver((_request, index) => (index < 2 ? 500 : 200));
    const mock = await mockWith({ callbacks: { retryDelayMs: 10, maxAttempts: 3 } });
    await sendImport(mock.url, importBody(1, { callbackBase: r.url }));
    await advance(mock.url, ONE_HOUR);
    const { callbacks: records } = await getJson(`${mock.url}/__mock/callbacks`);
    expect(records[0]).toMatchObject({ kind: 'call', status: 'delivered', attempts: 3, lastStatusCode: 200 });
    // The three attempts of one callback share a requestID, each freshly signed.
    const firstCall = r.received.slice(0, 3);
    expect(new Set(firstCall.map((c) => c.headers.requestid)).size).toBe(1);
    expect(firstCall.every((c) => verified(c))).toBe(true);

    const down = await receiver(() => 503);
    const mock2 = await mockWith({ callbacks: { retryDelayMs: 5, maxAttempts: 2 } });
    await sendImport(mock2.url, importBody(1, { callbackBase: down.url }));
    expect((await advance(mock2.url, ONE_HOUR)).pendingCallbacks).toBe(0);
    const failed = (await getJson(`${mock2.url}/__mock/callbacks`)).callbacks.find((c: any) => c.kind === 'order');
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 503 });
  });

  it('does not send to a non-loopback host: the callbacks are skipped and recorded, nothing is sent, one log line', async () => {
    const warnings: string[] = [];
    const logger: MockLogger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const mock = await mockWith({ logger });
    const body = importBody(3, { callbackBase: 'http://callbacks.invalid' });
    expect((await sendImport(mock.url, body)).json.retCode).toBe(0);
    await advance(mock.url, ONE_HOUR);
    const { callbacks: records } = await getJson(`${mock.url}/__mock/callbacks`);
    expect(records.filter((c: any) => c.kind === 'order')).toHaveLength(3);
    expect(records.every((c: any) => c.status === 'skipped' && c.attempts === 0)).toBe(true);
    expect(records[0].lastError).toContain('callbacks.invalid');
    expect(warnings.filter((w) => w.includes('callbacks.invalid'))).toHaveLength(1);
    expect(warnings[0]).toContain('skipped');
  });

  it('logs one line per unreachable origin (with how to start a receiver), not one per callback', async () => {
    const warnings: string[] = [];
    const logger: MockLogger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const mock = await mockWith({ logger, callbacks: { maxAttempts: 1 } });
    // Port 9 (discard) on loopback: nothing listens there.
    await sendImport(mock.url, importBody(5, { callbackBase: 'http://127.0.0.1:9/cb' }));
    await sendImport(mock.url, importBody(5, { callbackBase: 'http://127.0.0.1:9/other' }));
    await advance(mock.url, ONE_HOUR);
    const { callbacks: records, total } = await getJson(`${mock.url}/__mock/callbacks`);
    expect(total).toBeGreaterThanOrEqual(20); // every callback is still recorded…
    expect(records.every((c: any) => c.status === 'failed')).toBe(true);
    expect(warnings).toHaveLength(1); // …but one line for the origin
    expect(warnings[0]).toContain('http://127.0.0.1:9');
    expect(warnings[0]).toContain('callbot listen --port 9');
  });

  it('settle is bounded: a receiver that never answers makes POST /__mock/clock answer after settleTimeoutMs, callbacks still pending', async () => {
    const hanging = createServer(() => {}); // reads the request, never answers
    const silent = await listenOnLoopback(hanging);
    cleanup.push(async () => {
      hanging.closeAllConnections();
      await silent.close();
    });
    const mock = await mockWith({ settleTimeoutMs: 300, callbacks: { timeoutMs: 60_000 } });
    await sendImport(mock.url, importBody(1, { callbackBase: silent.url }));
    const started = performance.now();
    const clock = await advance(mock.url, ONE_HOUR);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(clock.pendingCallbacks).toBeGreaterThan(0);
    expect((await getJson(`${mock.url}/__mock/callbacks`)).callbacks[0]).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('classifies callback hosts: loopback by default, others only when allow-listed', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://127.1.2.3/x', 'http://localhost/x', 'http://[::1]:9/x', 'http://2130706433/x', 'http://0x7f.1/x']) {
      expect(isAllowedCallbackUrl(url).allowed, url).toBe(true);
    }
    for (const url of [
      'http://example.com/x',
      'http://10.0.0.1/x',
      'http://[::ffff:a00:1]/x',
      'http://127.0.0.1.nip.io/x',
      'ftp://127.0.0.1/x',
      'not a url',
      'http://localhost.example.com/',
    ]) {
      expect(isAllowedCallbackUrl(url).allowed, url).toBe(false);
    }
    expect(isAllowedCallbackUrl('https://hooks.example.com/x', ['hooks.example.com']).allowed).toBe(true);
    expect(isAllowedCallbackUrl('https://HOOKS.example.com/x', ['hooks.example.com']).allowed).toBe(true);
    expect(isAllowedCallbackUrl('https://evil.example.com/x', ['hooks.example.com']).allowed).toBe(false);
  });

  it('does not follow a redirect from a loopback receiver (it could point anywhere)', async () => {
    const r = await receiver(() => 302); // with Location: /elsewhere
    const mock = await mockWith({ callbacks: { retryDelayMs: 5, maxAttempts: 1 } });
    await sendImport(mock.url, importBody(1, { callbackBase: r.url }));
    await advance(mock.url, ONE_HOUR);
    const record = (await getJson(`${mock.url}/__mock/callbacks`)).callbacks.find((c: any) => c.kind === 'order');
    expect(record).toMatchObject({ status: 'failed', lastStatusCode: 302 });
    expect(new Set(r.received.map((c) => c.path))).toEqual(new Set(['/call', '/order']));
  });

  it("sends nothing with callbacks off (and Prism never fires the spec's example callbacks)", async () => {
    const r = await receiver();
    const mock = await mockWith({ callbacks: { enabled: false } });
    expect((await sendImport(mock.url, importBody(5, { callbackBase: r.url }))).json.retCode).toBe(0);
    expect((await advance(mock.url, ONE_HOUR)).pendingCallbacks).toBe(0);
    expect(r.received).toEqual([]);
    expect((await getJson(`${mock.url}/__mock/callbacks`)).callbacks).toEqual([]);
  });

  it('close() stops the world: no callback arrives after it', async () => {
    const r = await receiver();
    // Fast real-time play: ~10 virtual minutes per real second.
    const mock = await createMockServer({ port: 0, importingMs: 0, speed: 600 });
    let closed = false;
    cleanup.push(async () => {
      if (!closed) await mock.close();
    });
    await sendImport(mock.url, importBody(50, { callbackBase: r.url }));
    await advance(mock.url, 600, true); // the first calls end and are delivered
    expect(r.received.length).toBeGreaterThan(0);
    await mock.close();
    closed = true;
    const afterClose = r.received.length;
    // Real time passing is the point here: the clock would go on playing if anything were left running.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received.length).toBe(afterClose);
  });
});

describe('the same seed and the same requests give the same world', () => {
  const startAt = Date.UTC(2026, 0, 5, 9, 0, 0); // a Monday morning, fixed: virtual time is the same in every run

  async function play(seed: number) {
    const r = await receiver();
    const mock = await mockWith({ seed, startAt });
    const answers: unknown[] = [];
    const send = async (path: string, body: unknown) => {
      const answer = await sendSigned(mock.url, `/callcentre/api/v3/${path}`, body);
      answers.push(answer.json);
      return answer.json;
    };
    await send('createTask', {
      productID: 'callbot',
      userTaskID: 'same',
      sceneID: 's',
      taskCreateSetting: { startupType: 1 },
      taskCallbackUrl: `${r.url}/task`,
    });
    const body = importBody(12, { userTaskID: 'same', callbackBase: r.url });
    await send('importBatchCall', body);
    await send('mgrTaskStatus', { productID: 'callbot', userTaskID: 'same', taskOperate: 1 });
    await advance(mock.url, 120);
    await send('listOrder', { productID: 'callbot', userTaskID: 'same', options: {}, page: 1, size: 100 });
    await advance(mock.url, 6 * ONE_HOUR);
    await send('listCall', { productID: 'callbot', userTaskID: 'same', options: {}, page: 1, size: 100 });
    await send('listTask', { productID: 'callbot', page: 1, size: 10, queryConditions: {} });
    // Callbacks of different orders may arrive in any order (several are sent at once): compare them sorted.
    const callbacks = r.received.map((c) => `${c.path} ${c.body}`).sort();
    return { answers, callbacks };
  }

  it('answers and callback payloads are identical (signature headers apart); another seed differs', async () => {
    const first = await play(7);
    const second = await play(7);
    expect(first.callbacks.length).toBeGreaterThan(12 * 2); // call and order callbacks of 12 orders at least
    expect(second.answers).toEqual(first.answers);
    expect(second.callbacks).toEqual(first.callbacks);
    const other = await play(8);
    expect(other.callbacks).not.toEqual(first.callbacks);
  });
});
