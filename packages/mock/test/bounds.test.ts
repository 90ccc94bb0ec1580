import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../test/support/listen.js';
import { RetCodes } from 'callbot-contract';
import { createMockServer, type MockLogger, type MockOptionsInput, type MockServer } from '../src/index.js';
import { getJson, importBody, sendImport, startReceiver, until } from './helpers.js';

// Issue 9, finding 6: the mock kept every task, batch and callback record forever, and built
// each debug listing as one JSON document. Its state is bounded now (oldest idle task evicted
// first, one log line each) and the listings page.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A logger that keeps every line, whatever its level. */
function recorder() {
  const lines: string[] = [];
  const logger: MockLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  return { lines, logger, evictions: () => lines.filter((line) => line.includes('evicted')) };
}

async function mockWith(options: MockOptionsInput): Promise<MockServer> {
  const server = await createMockServer({ port: 0, importingMs: 0, callbacks: { enabled: false }, ...options });
  cleanup.push(() => server.close());
  return server;
}

async function receiver() {
  const r = await startReceiver();
  cleanup.push(r.close);
  return r;
}

const tasksIn = async (mock: MockServer, query = '') =>
  ((await getJson(`${mock.url}/__mock/batches${query}`)).tasks as { userTaskID: string }[]).map((t) => t.userTaskID);

async function imported(mock: MockServer, userTaskID: string, orders = 1, callbackBase?: string) {
  const answer = await sendImport(mock.url, importBody(orders, { userTaskID, ...(callbackBase ? { callbackBase } : {}) }));
  expect(answer.json.retCode, userTaskID).toBe(RetCodes.Success.code);
}

describe('bounded state (maxTasks, maxStoredOrders, maxCallbackRecords)', () => {
  it('with maxTasks 3, a fourth task evicts the least recently imported idle task, and the log says so in one line', async () => {
    const log = recorder();
    const mock = await mockWith({ maxTasks: 3, logger: log.logger });
    for (const id of ['t1', 't2', 't3']) await imported(mock, id);
    await imported(mock, 't1'); // t1 imported again: now t2 is the oldest
    expect(log.evictions()).toEqual([]);

    await imported(mock, 't4');
    expect((await tasksIn(mock)).sort()).toEqual(['t1', 't3', 't4']);
    expect(log.evictions()).toHaveLength(1);
    const [line] = log.evictions();
    expect(line).toContain('"t2"');
    expect(line).toContain('maxTasks 3');
    expect(line).not.toContain('\n');

    await imported(mock, 't5');
    expect((await tasksIn(mock)).sort()).toEqual(['t1', 't4', 't5']);
    expect(log.evictions()).toHaveLength(2);
    expect(log.evictions()[1]).toContain('"t3"');
  });

  it('evicts an idle task before one that is still being dialed', async () => {
    const r = await receiver();
    const log = recorder();
    // The first order of a batch is dialed at once, the next one a minute later: a 2-order
    // batch stays busy, a 1-order batch is idle as soon as its order is dialed.
    const mock = await mockWith({ maxTasks: 3, logger: log.logger, callbacks: { firstDelayMs: 0, paceMs: 60_000 } });
    await imported(mock, 'busy', 2, r.url);
    await imported(mock, 'idle-1', 1, r.url);
    await imported(mock, 'idle-2', 1, r.url);
    await until(async () => {
      const { tasks } = await getJson(`${mock.url}/__mock/batches`);
      return tasks.length === 3 && tasks.every((t: any) => t.batches[0].counts.dialed === 1);
    });
    await imported(mock, 'new', 1, r.url);
    expect((await tasksIn(mock)).sort()).toEqual(['busy', 'idle-2', 'new']);
    expect(log.evictions()).toHaveLength(1);
    expect(log.evictions()[0]).toContain('"idle-1"');
  });

  it('bounds the orders kept over all tasks (maxStoredOrders), never evicting the task just imported', async () => {
    const log = recorder();
    const mock = await mockWith({ maxStoredOrders: 5, logger: log.logger });
    await imported(mock, 'a', 3);
    await imported(mock, 'b', 2);
    expect(log.evictions()).toEqual([]);
    await imported(mock, 'c', 3); // 8 orders kept: a (the oldest) goes
    expect((await tasksIn(mock)).sort()).toEqual(['b', 'c']);
    expect(log.evictions()).toHaveLength(1);
    expect(log.evictions()[0]).toMatch(/"a".*maxStoredOrders 5/);
    await imported(mock, 'd', 7); // larger than the bound alone: everything else goes, d stays
    expect(await tasksIn(mock)).toEqual(['d']);
    expect(log.evictions()).toHaveLength(3);
  });

  it('refuses limits that are not positive integers', async () => {
    await expect(createMockServer({ port: 0, maxTasks: 0 })).rejects.toThrow(/maxTasks/);
    await expect(createMockServer({ port: 0, maxCallbackRecords: -1 })).rejects.toThrow(/maxCallbackRecords/);
  });

  it('keeps at most maxCallbackRecords delivery records (the oldest forgotten first)', async () => {
    const r = await receiver();
    const mock = await mockWith({ maxCallbackRecords: 3, callbacks: { firstDelayMs: 0, paceMs: 1 } });
    await imported(mock, 'cb', 4, r.url);
    await until(() => r.received.filter((c) => c.path === '/order').length === 4);
    const page = await until(async () => {
      const view = await getJson(`${mock.url}/__mock/callbacks`);
      return view.callbacks.every((c: any) => c.status !== 'pending') ? view : undefined;
    });
    expect(page.callbacks).toHaveLength(3);
    expect(page.total).toBe(3);
    expect(page.callbacks.at(-1)).toMatchObject({ kind: 'order', status: 'delivered' });
  });

  it('delivers the callbacks of at most callbacks.maxInFlight orders at once: the simulated dialer waits', async () => {
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
    const mock = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 1, maxInFlight: 1 } });
    await imported(mock, 'in-flight', 4, slow.url);
    await until(() => orderCallbacks.length === 4);
    expect(orderCallbacks).toEqual(['order-0', 'order-1', 'order-2', 'order-3']);
    expect(most).toBe(1);
  });
});

describe('paged debug listings', () => {
  it('/__mock/batches pages by task: limit, a next link that keeps the filters, and a bounded page size', async () => {
    const mock = await mockWith({});
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await imported(mock, id);
    const seen: string[] = [];
    let next: string | null = '/__mock/batches?limit=2';
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

    const filtered = await getJson(`${mock.url}/__mock/batches?uuid=demo-0000-callbot-mock&limit=1`);
    expect(filtered.next).toMatch(/uuid=demo-0000-callbot-mock/);
    const whole = await getJson(`${mock.url}/__mock/batches`);
    expect(whole).toMatchObject({ limit: 100, next: null });
    expect((await getJson(`${mock.url}/__mock/batches?limit=100000`)).limit).toBe(1000);
    expect((await fetch(`${mock.url}/__mock/batches?limit=abc`)).status).toBe(400);
    expect((await fetch(`${mock.url}/__mock/batches?cursor=nonsense`)).status).toBe(400);
  });

  it('/__mock/batches also bounds the orders on a page (orderLimit): a large task continues on the next page', async () => {
    const mock = await mockWith({});
    await imported(mock, 'big', 5);
    await imported(mock, 'after', 1);
    const orders: string[] = [];
    const tasks: string[] = [];
    let next: string | null = '/__mock/batches?orderLimit=2';
    while (next) {
      const page: any = await getJson(`${mock.url}${next}`);
      let onPage = 0;
      for (const task of page.tasks) {
        tasks.push(task.userTaskID);
        for (const batch of task.batches) {
          expect(batch.counts.undialed + batch.counts.dialed).toBe(task.userTaskID === 'big' ? 5 : 1);
          for (const [i, order] of batch.orders.entries()) {
            expect(`order-${batch.ordersOffset + i}`).toBe(order.orderID);
            orders.push(`${task.userTaskID}/${order.orderID}`);
            onPage += 1;
          }
        }
      }
      expect(onPage).toBeLessThanOrEqual(2);
      next = page.next;
    }
    expect(orders).toEqual(['big/order-0', 'big/order-1', 'big/order-2', 'big/order-3', 'big/order-4', 'after/order-0']);
    expect(tasks).toEqual(['big', 'big', 'big', 'after']);
  });

  it('/__mock/callbacks pages by record: limit and a next link', async () => {
    const r = await receiver();
    const mock = await mockWith({ callbacks: { firstDelayMs: 0, paceMs: 1 } });
    await imported(mock, 'cb-pages', 3, r.url);
    await until(() => r.received.filter((c) => c.path === '/order').length === 3);
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
