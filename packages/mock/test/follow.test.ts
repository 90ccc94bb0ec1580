import { createCallbotClient, DEMO_ACCOUNT } from 'callbot-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockHandler, createMockServer, type MockOptionsInput, type MockServer } from '../src/index.js';
import { advance, importBody, order, sendImport, startReceiver, until } from './helpers.js';

// `GET /__mock/callbacks?follow=1`: the callback log as JSON Lines while it happens, on both
// adapters, bounded (followers, unread bytes), with heartbeats, ended when the mock closes.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWith(options: MockOptionsInput = {}): Promise<MockServer> {
  const server = await createMockServer({ port: 0, importingMs: 0, speed: 0, ...options, callbacks: { retryDelayMs: 10, ...options.callbacks } });
  cleanup.push(() => server.close());
  return server;
}

/** Reads a JSON Lines body as it comes: `lines` grows; `done` once the body ends (or fails). */
function follow(body: ReadableStream<Uint8Array>) {
  const lines: any[] = [];
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  const done = (async () => {
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) return 'ended';
        rest += decoder.decode(value, { stream: true });
        const parts = rest.split('\n');
        rest = parts.pop()!;
        for (const part of parts) lines.push(JSON.parse(part));
      }
    } catch {
      return 'cut';
    }
  })();
  return { lines, done, cancel: () => reader.cancel().catch(() => {}) };
}

async function openFollow(base: string, query = '') {
  const response = await fetch(`${base}/__mock/callbacks?follow=1${query}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  const followed = follow(response.body!);
  cleanup.push(followed.cancel);
  return followed;
}

const deliveries = (lines: any[]) => lines.filter((line) => line.type === 'delivery');

describe('GET /__mock/callbacks?follow=1 (node:http)', () => {
  it('prints each delivery attempt as it happens: a failed first attempt (retrying, 500) and its retry (delivered)', async () => {
    const r = await startReceiver((_request, index) => (index === 0 ? 500 : 200));
    cleanup.push(r.close);
    const mock = await mockWith();
    const followed = await openFollow(mock.url);
    const body = importBody([order(1)], { callbackBase: `${r.url}/hooks`, userTaskID: 'followed' });
    expect((await sendImport(mock.url, body)).json.retCode).toBe(0);
    await advance(mock.url, 3600);
    const lines = await until(() => {
      const seen = deliveries(followed.lines);
      return seen.length >= r.received.length && seen.length > 1 && seen;
    });
    const [failed, ...rest] = lines;
    expect(failed).toMatchObject({ status: 'retrying', attempt: 1, maxAttempts: 3, statusCode: 500, userTaskID: 'followed', orderID: 'order-1' });
    expect(failed.url).toBe(`${r.url}/hooks/${failed.kind}`);
    expect(typeof failed.ms).toBe('number');
    expect(failed.requestID).toMatch(/^[0-9a-f]{32}$/);
    const retry = rest.find((line) => line.id === failed.id);
    expect(retry).toMatchObject({ status: 'delivered', attempt: 2, statusCode: 200, requestID: failed.requestID });
    // Every callback the receiver got is a line; nothing else (no secrets, no signatures) is in them.
    expect(lines).toHaveLength(r.received.length);
    expect(JSON.stringify(followed.lines)).not.toContain(DEMO_ACCOUNT.secretKey);

    // With a cursor the follow starts with the records kept after it, as they stand.
    const replayed = await openFollow(mock.url, '&cursor=0');
    const kept = await until(() => deliveries(replayed.lines).length >= 2 && deliveries(replayed.lines));
    expect(kept[0]).toMatchObject({ id: 1, status: 'delivered', attempt: 2 });
    expect(kept[0].ms).toBeUndefined();
  });

  it('at most follow.maxFollowers at once (then 503 naming the bound); a follower that leaves frees its place', async () => {
    const mock = await mockWith({ follow: { maxFollowers: 2 } });
    const first = await openFollow(mock.url);
    await openFollow(mock.url);
    const refused = await fetch(`${mock.url}/__mock/callbacks?follow=1`);
    expect(refused.status).toBe(503);
    expect((await refused.json()).retMsg).toContain('at most 2 followers');
    const bad = await fetch(`${mock.url}/__mock/callbacks?follow=1&cursor=x`);
    expect(bad.status).toBe(400);
    await expect(createMockServer({ port: 0, follow: { maxFolowers: 3 } as never })).rejects.toThrow(/follow\.maxFolowers: unknown/);
    await expect(createMockServer({ port: 0, follow: { heartbeatMs: 0 } })).rejects.toThrow(/follow\.heartbeatMs/);
    await first.cancel();
    const again = await until(async () => {
      const response = await fetch(`${mock.url}/__mock/callbacks?follow=1`);
      if (response.status === 200) return response;
      await response.body?.cancel();
      return undefined;
    });
    await again.body!.cancel();
    // The plain listing is unchanged.
    expect((await (await fetch(`${mock.url}/__mock/callbacks`)).json()).callbacks).toEqual([]);
  });

  it('sends a heartbeat line while nothing happens, and the follow ends when the server closes (close does not hang)', async () => {
    // The server's request bounds are for receiving a request: a follow outlives them.
    const mock = await createMockServer({
      port: 0,
      speed: 0,
      headersTimeoutMs: 100,
      requestTimeoutMs: 150,
      keepAliveTimeoutMs: 100,
      follow: { heartbeatMs: 30 },
    });
    const followed = await openFollow(mock.url);
    await until(() => followed.lines.filter((line) => line.type === 'heartbeat').length >= 15);
    expect(followed.lines.every((line) => line.type === 'heartbeat')).toBe(true);
    await mock.close();
    expect(['ended', 'cut']).toContain(await followed.done);
  });
});

describe('GET /__mock/callbacks?follow=1 (fetch handler)', () => {
  it('drops a follower that reads nothing for follow.stalledMs: its place is freed', async () => {
    const handler = await createMockHandler({ speed: 0, follow: { maxFollowers: 1, heartbeatMs: 10, stalledMs: 50, maxBufferedBytes: 1 } });
    cleanup.push(() => handler.close());
    const unread = await handler.fetch('http://mock.test/__mock/callbacks?follow=1');
    expect(unread.status).toBe(200);
    expect((await handler.fetch('http://mock.test/__mock/callbacks?follow=1')).status).toBe(503);
    const next = await until(async () => {
      const response = await handler.fetch('http://mock.test/__mock/callbacks?follow=1');
      return response.status === 200 && response;
    });
    await next.body!.cancel();
    // The dropped one ends after what it had queued (a heartbeat), without an end line: it had no room.
    const followed = follow(unread.body!);
    expect(await followed.done).toBe('ended');
    expect(followed.lines.map((line) => line.type)).toEqual(['heartbeat']);
  });

  it('streams too, and a reader that does not read gets a "missed N" line instead of an unbounded buffer', async () => {
    const r = await startReceiver();
    cleanup.push(r.close);
    const handler = await createMockHandler({ speed: 0, importingMs: 0, follow: { heartbeatMs: 20, maxBufferedBytes: 1 } });
    cleanup.push(() => handler.close());
    const response = await handler.fetch('http://mock.test/__mock/callbacks?follow=1');
    expect(response.status).toBe(200);
    const client = createCallbotClient({ ...DEMO_ACCOUNT, baseUrl: 'http://mock.test', fetch: handler.fetch });
    const { productID: _productID, ...body } = importBody([order(1), order(2)], { callbackBase: `${r.url}/hooks` });
    expect(await client.importBatchCall(body)).toMatchObject({ retCode: 0 });
    await handler.clock.advance(3600);
    expect(r.received.length).toBeGreaterThan(2);
    // Nothing read so far: the first line (a delivery, or a heartbeat when one came first) is
    // queued, the deliveries after it were skipped and counted.
    const followed = follow(response.body!);
    const missed = await until(() => followed.lines.find((line) => line.type === 'missed'));
    const shown = deliveries(followed.lines.slice(0, followed.lines.indexOf(missed)));
    expect(shown.length).toBeLessThanOrEqual(1);
    for (const line of shown) expect(line).toMatchObject({ status: 'delivered', attempt: 1 });
    expect(missed.count).toBe(r.received.length - shown.length);
    await handler.close();
    expect(await followed.done).toBe('ended');
    expect(followed.lines.at(-1)).toMatchObject({ type: 'end' });
  });
});
