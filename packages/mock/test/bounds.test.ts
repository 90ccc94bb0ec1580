import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { RetCodes } from 'callbot-contract';
import { createMockServer, type MockOptionsInput, type MockServer } from '../src/index.js';
import { advance, getJson, importBody, sendImport, startReceiver, tasksOf } from './helpers.js';

// Issue 9, finding 6: the mock kept every task, batch and callback record forever, and built
// each debug listing as one JSON document. Its state is bounded now (the simulator forgets the
// least recently used idle task first) and the listings page. Time moves only by the clock
// endpoint here (speed 0): no sleeps.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWith(options: MockOptionsInput): Promise<MockServer> {
  const server = await createMockServer({ port: 0, importingMs: 0, speed: 0, callbacks: { enabled: false }, ...options });
  cleanup.push(() => server.close());
  return server;
}

async function receiver() {
  const r = await startReceiver();
  cleanup.push(r.close);
  return r;
}

const tasksIn = async (mock: MockServer) => (await tasksOf(mock.url)).map((t) => t.userTaskID as string);

async function imported(mock: MockServer, userTaskID: string, orders = 1, callbackBase?: string) {
  const answer = await sendImport(mock.url, importBody(orders, { userTaskID, ...(callbackBase ? { callbackBase } : {}) }));
  expect(answer.json.retCode, userTaskID).toBe(RetCodes.Success.code);
}

describe('bounded state (maxTasks, maxStoredOrders, maxCallbackRecords)', () => {
  it('with maxTasks 3, a fourth task makes the simulator forget the least recently used one', async () => {
    const mock = await mockWith({ maxTasks: 3 });
    for (const id of ['t1', 't2', 't3']) await imported(mock, id);
    await imported(mock, 't1'); // t1 used again: now t2 is the least recently used
    expect((await tasksIn(mock)).sort()).toEqual(['t1', 't2', 't3']);
    await imported(mock, 't4');
    expect((await tasksIn(mock)).sort()).toEqual(['t1', 't3', 't4']);
    await imported(mock, 't5');
    expect((await tasksIn(mock)).sort()).toEqual(['t1', 't4', 't5']);
  });

  it('bounds the orders kept over all tasks (maxStoredOrders), never forgetting the task just imported', async () => {
    const mock = await mockWith({ maxStoredOrders: 5 });
    await imported(mock, 'a', 3);
    await imported(mock, 'b', 2);
    expect((await tasksIn(mock)).sort()).toEqual(['a', 'b']);
    await imported(mock, 'c', 3); // 8 orders kept: a (the oldest) goes
    expect((await tasksIn(mock)).sort()).toEqual(['b', 'c']);
  });

  it('refuses limits that are not positive integers', async () => {
    await expect(createMockServer({ port: 0, maxTasks: 0 })).rejects.toThrow(/maxTasks/);
    await expect(createMockServer({ port: 0, maxCallbackRecords: -1 })).rejects.toThrow(/maxCallbackRecords/);
    await expect(createMockServer({ port: 0, speed: -1 })).rejects.toThrow(/speed/);
  });

  it('keeps at most maxCallbackRecords delivery records (the oldest forgotten first)', async () => {
    const r = await receiver();
    const mock = await mockWith({ maxCallbackRecords: 3, callbacks: { enabled: true } });
    await imported(mock, 'cb', 4, r.url);
    const clock = await advance(mock.url, 3600);
    expect(clock.pendingCallbacks).toBe(0);
    expect(r.received.filter((c) => c.path === '/order')).toHaveLength(4);
    const page = await getJson(`${mock.url}/__mock/callbacks`);
    expect(page.callbacks).toHaveLength(3);
    expect(page.total).toBe(3);
    const delivered = r.received.length;
    expect(page.callbacks.map((c: any) => c.id)).toEqual([delivered - 2, delivered - 1, delivered]);
    expect(page.callbacks.every((c: any) => c.status === 'delivered')).toBe(true);
  });

  it('delivers at most callbacks.maxInFlight callbacks at once, every one in the end', async () => {
    // A receiver that answers each callback 30 ms late and counts how many are open at once.
    let open = 0;
    let most = 0;
    const orderCallbacks: string[] = [];
    const server = createServer((req, res) => {
      open += 1;
      most = Math.max(most, open);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        setTimeout(() => {
          if (req.url === '/order') orderCallbacks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).orderID);
          open -= 1;
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"retCode":0}');
        }, 30);
      });
    });
    const slow = await listenOnLoopback(server);
    cleanup.push(slow.close);
    const mock = await mockWith({ callbacks: { enabled: true, maxInFlight: 1 } });
    await imported(mock, 'in-flight', 4, slow.url);
    expect((await advance(mock.url, 3600)).pendingCallbacks).toBe(0);
    expect(orderCallbacks.sort()).toEqual(['order-0', 'order-1', 'order-2', 'order-3']);
    expect(most).toBe(1);
  });
});

describe('paged debug listings', () => {
  it('/__mock/tasks pages by task: limit, a next link that keeps the filters, and a bounded page size', async () => {
    const mock = await mockWith({});
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await imported(mock, id);
    const seen: string[] = [];
    let next: string | null = '/__mock/tasks?limit=2';
    let pages = 0;
    while (next) {
      const page: any = await getJson(`${mock.url}${next}`);
      expect(page.tasks.length).toBeLessThanOrEqual(2);
      expect(page.total).toBe(5);
      seen.push(...page.tasks.map((t: any) => t.userTaskID));
      next = page.next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);

    const filtered = await getJson(`${mock.url}/__mock/tasks?uuid=demo-0000-callbot-mock&limit=1`);
    expect(filtered.next).toMatch(/uuid=demo-0000-callbot-mock/);
    const whole = await getJson(`${mock.url}/__mock/tasks`);
    expect(whole).toMatchObject({ limit: 100, next: null, total: 5 });
    expect(whole.tasks[0]).toMatchObject({ uuid: 'demo-0000-callbot-mock', userTaskID: 'p1', taskStatus: expect.any(Number) });
    expect((await getJson(`${mock.url}/__mock/tasks?limit=100000`)).limit).toBe(1000);
    expect((await fetch(`${mock.url}/__mock/tasks?limit=abc`)).status).toBe(400);
    expect((await fetch(`${mock.url}/__mock/tasks?cursor=nonsense`)).status).toBe(400);
  });

  it("/__mock/tasks?userTaskID= carries the task's orders, a page of orderLimit at a time", async () => {
    const mock = await mockWith({});
    await imported(mock, 'big', 5);
    await imported(mock, 'after', 1);
    const orders: string[] = [];
    let next: string | null = '/__mock/tasks?userTaskID=big&orderLimit=2';
    let pages = 0;
    while (next) {
      const page: any = await getJson(`${mock.url}${next}`);
      const [task] = page.tasks;
      expect(page.tasks).toHaveLength(1);
      expect(task.ordersTotal).toBe(5);
      expect(task.orders.length).toBeLessThanOrEqual(2);
      orders.push(...task.orders.map((o: any) => o.orderID));
      next = task.ordersNext;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(orders).toEqual(['order-0', 'order-1', 'order-2', 'order-3', 'order-4']);
  });

  it('/__mock/callbacks pages by record: limit and a next link', async () => {
    const r = await receiver();
    const mock = await mockWith({ callbacks: { enabled: true } });
    await imported(mock, 'cb-pages', 3, r.url);
    await advance(mock.url, 3600);
    expect(r.received.filter((c) => c.path === '/order')).toHaveLength(3);
    const all = await getJson(`${mock.url}/__mock/callbacks`);
    expect(all).toMatchObject({ limit: 100, next: null });
    const ids: number[] = [];
    let next: string | null = '/__mock/callbacks?limit=2';
    while (next) {
      const page: any = await getJson(`${mock.url}${next}`);
      expect(page.callbacks.length).toBeLessThanOrEqual(2);
      ids.push(...page.callbacks.map((c: any) => c.id));
      next = page.next;
    }
    expect(ids).toEqual(all.callbacks.map((c: any) => c.id));
    expect(ids.length).toBe(all.total);
    expect((await getJson(`${mock.url}/__mock/callbacks?limit=100000`)).limit).toBe(1000);
  });
});
