import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from 'callbot-contract';
import { createMockServer, isAllowedCallbackUrl, silentLogger, type MockLogger, type MockServer } from '../src/index.js';
import { demo, getJson, importBody, order, sendImport, startReceiver, until, type ReceivedCallback } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWith(options: Parameters<typeof createMockServer>[0]): Promise<MockServer> {
  const server = await createMockServer({ port: 0, importingMs: 0, ...options });
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

describe('callbacks', () => {
  it('sends signed call-finished and order-finished callbacks filled from the imported orders', async () => {
    const r = await receiver();
    const mock = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 10 } });
    const orders = [order(1, { other: 'crm-1', userName: '李雷' }), order(2), order(3)];
    const body = importBody(orders, { callbackBase: `${r.url}/hooks` });
    expect((await sendImport(mock.url, body)).json.retCode).toBe(0);

    await until(() => r.received.filter((c) => c.path === '/hooks/order').length === 3);
    const calls = r.received.filter((c) => c.path === '/hooks/call').map((c) => JSON.parse(c.body));
    const orderCallbacks = r.received.filter((c) => c.path === '/hooks/order').map((c) => JSON.parse(c.body));

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
    }
    // Per order: exactly one call callback says finish=true, and it is the order callback's call.
    for (const done of orderCallbacks) {
      const own = calls.filter((c) => c.orderID === done.orderID);
      expect(own.filter((c) => c.finish)).toHaveLength(1);
      expect(own.at(-1).callInfoDetail.callID).toBe(done.callInfoDetail.callID);
    }
  });

  it("signs callbacks with the account's console algorithm (SHA256 here)", async () => {
    const r = await receiver();
    const acme = { uuid: 'acme', secretKey: 'acme-secret', algorithm: 'SHA256' as const };
    const mock = await mockWith({ accounts: [acme], callbacks: { firstDelayMs: 0, paceMs: 10 } });
    const answer = await sendImport(mock.url, importBody(1, { callbackBase: r.url }), { uuid: acme.uuid, secretKey: acme.secretKey });
    expect(answer.json.retCode).toBe(0);
    await until(() => r.received.some((c) => c.path === '/order'));
    for (const callback of r.received) {
      expect(verified(callback, acme.secretKey, 'SHA256')).toBe(true);
      expect(String(callback.headers.sign)).toMatch(/^[0-9A-F]{64}$/);
    }
  });

  it('draws the same outcomes for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const r = await receiver();
      const mock = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 5, seed } });
      await sendImport(mock.url, importBody(8, { callbackBase: r.url, userTaskID: 'same-task' }));
      await until(() => r.received.filter((c) => c.path === '/order').length === 8);
      return r.received
        .filter((c) => c.path === '/order')
        .map((c) => JSON.parse(c.body))
        .map((c) => `${c.orderID}:${c.callInfoDetail.callStatus}:${c.callInfoDetail.callDuration}:${c.callInfoDetail.hangupCause}`)
        .sort();
    };
    const a = await outcomes(7);
    expect(await outcomes(7)).toEqual(a);
    expect(new Set(a.map((entry) => entry.split(':')[1])).size).toBeGreaterThan(1); // not all the same outcome
  });

  it('retries a failing receiver a bounded number of times, then gives up', async () => {
    // The first two deliveries fail with 500; everything after is accepted.
    const r = await receiver((_request, index) => (index < 2 ? 500 : 200));
    const mock = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 1000, retryDelayMs: 10, maxAttempts: 3 } });
    await sendImport(mock.url, importBody(1, { callbackBase: r.url }));
    const records = await until(async () => {
      const { callbacks } = await getJson(`${mock.url}/__mock/callbacks`);
      return callbacks.length >= 2 && callbacks.every((c: any) => c.status !== 'pending') ? callbacks : undefined;
    });
    expect(records[0]).toMatchObject({ kind: 'call', status: 'delivered', attempts: 3, lastStatusCode: 200 });
    // The three attempts of one callback share a requestID, each freshly signed.
    const firstCall = r.received.slice(0, 3);
    expect(new Set(firstCall.map((c) => c.headers.requestid)).size).toBe(1);
    expect(firstCall.every((c) => verified(c))).toBe(true);

    const down = await receiver(() => 503);
    const mock2 = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 1000, retryDelayMs: 5, maxAttempts: 2 } });
    await sendImport(mock2.url, importBody(1, { callbackBase: down.url }));
    const failed = await until(async () => {
      const { callbacks } = await getJson(`${mock2.url}/__mock/callbacks`);
      return callbacks.find((c: any) => c.kind === 'order' && c.status === 'failed');
    });
    expect(failed).toMatchObject({ attempts: 2, lastStatusCode: 503 });
  });

  it('does not send to a non-loopback host: the callback is skipped and recorded, nothing is sent', async () => {
    const warnings: string[] = [];
    const logger: MockLogger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const mock = await mockWith({ logger, callbacks: { firstDelayMs: 0, paceMs: 10 } });
    const body = importBody(1, { callbackBase: 'http://callbacks.invalid' });
    expect((await sendImport(mock.url, body)).json.retCode).toBe(0);
    const records = await until(async () => {
      const { callbacks } = await getJson(`${mock.url}/__mock/callbacks`);
      return callbacks.some((c: any) => c.kind === 'order') ? callbacks : undefined;
    });
    expect(records.map((c: any) => [c.kind, c.status, c.attempts])).toEqual([
      ['call', 'skipped', 0],
      ['order', 'skipped', 0],
    ]);
    expect(records[0].lastError).toContain('callbacks.invalid');
    expect(warnings.some((w) => w.includes('skipped') && w.includes('callbacks.invalid'))).toBe(true);
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
    const mock = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 1000, retryDelayMs: 5, maxAttempts: 1 } });
    await sendImport(mock.url, importBody(1, { callbackBase: r.url }));
    const record = await until(async () => {
      const { callbacks } = await getJson(`${mock.url}/__mock/callbacks`);
      return callbacks.find((c: any) => c.kind === 'order' && c.status !== 'pending');
    });
    expect(record).toMatchObject({ status: 'failed', lastStatusCode: 302 });
    expect(r.received.map((c) => c.path)).toEqual(['/call', '/order']);
  });

  it("sends nothing with callbacks off (and Prism never fires the spec's example callbacks)", async () => {
    const r = await receiver();
    const mock = await mockWith({ callbacks: { enabled: false, firstDelayMs: 0, paceMs: 1 } });
    expect((await sendImport(mock.url, importBody(5, { callbackBase: r.url }))).json.retCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toEqual([]);
    expect((await getJson(`${mock.url}/__mock/callbacks`)).callbacks).toEqual([]);
  });

  it('close() stops the simulation: no callback arrives after it', async () => {
    const r = await receiver();
    const mock = await createMockServer({ port: 0, importingMs: 0, callbacks: { firstDelayMs: 0, paceMs: 30 } });
    // Closed by the test itself; registered too, so a failure before that still closes it.
    let closed = false;
    cleanup.push(async () => {
      if (!closed) await mock.close();
    });
    await sendImport(mock.url, importBody(50, { callbackBase: r.url }));
    await until(() => r.received.some((c) => c.path === '/order'));
    await mock.close();
    closed = true;
    const afterClose = r.received.length;
    await new Promise((resolve) => setTimeout(resolve, 300)); // ten paces: ~20 more callbacks if it went on
    // A callback already on the wire when close() ran may still land: at most one order's two.
    expect(r.received.length - afterClose).toBeLessThanOrEqual(2);
    expect(afterClose).toBeLessThan(100);
  });
});
