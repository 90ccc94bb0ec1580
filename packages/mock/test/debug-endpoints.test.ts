import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, MAX_ADVANCE_SECONDS, type MockServer } from '../src/index.js';
import { advance, getJson, importBody, order, sendImport, tasksOf } from './helpers.js';

// The mock's own endpoints: the clock (GET reads it, POST moves it), the read-only listings.
let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer({ port: 0, speed: 0, startAt: Date.UTC(2026, 0, 5, 9), callbacks: { enabled: false } });
});
afterAll(() => mock.close());

const postClock = (body: string) => fetch(`${mock.url}/__mock/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

describe('/__mock/clock', () => {
  it('GET answers exactly {now, speed, pendingCallbacks}: virtual Unix seconds from startAt', async () => {
    const clock = await getJson(`${mock.url}/__mock/clock`);
    expect(Object.keys(clock).sort()).toEqual(['now', 'pendingCallbacks', 'speed']);
    expect(clock.speed).toBe(0);
    expect(clock.pendingCallbacks).toBe(0);
    expect(clock.now).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 5, 9) / 1000);
  });

  it('POST {"advance": N} moves virtual time exactly N seconds at speed 0 (settle by default); the server clock stays real', async () => {
    const before = await getJson(`${mock.url}/__mock/clock`);
    const after = await advance(mock.url, 90);
    expect(after.now - before.now).toBe(90);
    expect((await getJson(`${mock.url}/__mock/clock`)).now).toBe(after.now);
    expect((await (await postClock('{"advance": 0, "settle": false}')).json()).now).toBe(after.now);
    expect((await (await postClock('')).json()).now).toBe(after.now); // an empty body: advance 0
    expect(mock.clock.now()).toBe(after.now * 1000);
    // Requests are still signed and checked against the real clock.
    expect((await sendImport(mock.url, importBody(1))).json.retCode).toBe(0);
  });

  it('refuses a bad advance with 400 naming the field, and other methods with 405', async () => {
    for (const [body, words] of [
      ['{"advance": -1}', 'advance'],
      [`{"advance": ${MAX_ADVANCE_SECONDS + 1}}`, 'advance'],
      ['{"advance": "10"}', 'advance'],
      ['{"settle": "yes"}', 'settle'],
      ['{"advance": 1, "speed": 5}', '"speed"'],
      ['[1]', 'JSON object'],
      ['{', 'not JSON'],
    ] as const) {
      const response = await postClock(body);
      expect(response.status, body).toBe(400);
      expect((await response.json()).retMsg, body).toContain(words);
    }
    const put = await fetch(`${mock.url}/__mock/clock`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });

  it('the library exposes the same clock: server.clock.advance', async () => {
    const before = mock.clock.view();
    const after = await mock.clock.advance(30, { settle: false });
    expect(after.now - before.now).toBe(30);
    expect(after).toEqual(mock.clock.view());
    await expect(mock.clock.advance(-5)).rejects.toThrow(/advance/);
  });
});

describe('/__mock/tasks and /__mock/callbacks', () => {
  it('/__mock/batches (deprecated) rebuilds the old view: orders kept from earlier batches, then the current batch', async () => {
    await sendImport(mock.url, importBody([order(1), order(2)], { userTaskID: 'batched' }));
    await advance(mock.url, 3600); // both called: kept when the next batch replaces the undialed ones
    await sendImport(mock.url, importBody([order(3), order(4), order(5)], { userTaskID: 'batched' }));
    await advance(mock.url, 3, false); // past the import lock (exportBatchCall answers 1001 during it)
    const view = await getJson(`${mock.url}/__mock/batches?userTaskID=batched`);
    expect(view.tasks).toHaveLength(1);
    const [earlier, current] = view.tasks[0].batches;
    expect(earlier).toMatchObject({ current: false, truncated: false });
    expect(earlier.orders.map((o: any) => o.orderID)).toEqual(['order-1', 'order-2']);
    expect(current.current).toBe(true);
    expect(current.orders.map((o: any) => [o.orderID, o.userPhone])).toEqual([3, 4, 5].map((i) => [`order-${i}`, order(i).userPhone]));
    expect((await getJson(`${mock.url}/__mock/batches?userTaskID=nothing-here`)).tasks).toEqual([]);
  });

  it('are read-only and never show secrets', async () => {
    await sendImport(mock.url, importBody(2, { userTaskID: 'listed' }));
    expect((await tasksOf(mock.url, { userTaskID: 'listed' }))[0]).toMatchObject({ userTaskID: 'listed', ordersTotal: 2 });
    const response = await fetch(`${mock.url}/__mock/tasks`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    const text = await (await fetch(`${mock.url}/__mock/tasks?userTaskID=listed`)).text();
    expect(text).not.toContain('demo-secret-for-the-local-mock-only');
    const callbacks = await (await fetch(`${mock.url}/__mock/callbacks`)).text();
    expect(callbacks).not.toContain('demo-secret-for-the-local-mock-only');
  });
});
