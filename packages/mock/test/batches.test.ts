import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../src/index.js';
import { getJson, importBody, order, sendImport, startReceiver, until } from './helpers.js';

// Batch semantics (批次): a new import replaces the undialed orders of the previous batch and
// keeps the dialed ones, visible at the read-only debug endpoint.
let mock: MockServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
  // The first order of a batch is dialed at once; the next would wait a minute.
  mock = await createMockServer({ port: 0, importingMs: 0, callbacks: { firstDelayMs: 0, paceMs: 60_000 } });
});
afterAll(async () => {
  await mock.close();
  await receiver.close();
});

const batchesOf = (userTaskID: string) => getJson(`${mock.url}/__mock/batches?userTaskID=${encodeURIComponent(userTaskID)}`);

describe('batches', () => {
  it("a new import drops the previous batch's undialed orders and keeps its dialed ones", async () => {
    const userTaskID = 'task-replace';
    const first = importBody([order(1), order(2), order(3)], { userTaskID, callbackBase: receiver.url });
    expect((await sendImport(mock.url, first)).json.retCode).toBe(0);

    const before = await until(async () => {
      const view = await batchesOf(userTaskID);
      return view.tasks[0]?.batches[0]?.counts.dialed === 1 ? view : undefined;
    });
    expect(before.tasks[0].batches[0]).toMatchObject({ sequence: 1, current: true, counts: { dialed: 1, undialed: 2 } });

    const second = importBody([order(4), order(5)], { userTaskID, callbackBase: receiver.url });
    expect((await sendImport(mock.url, second)).json.retCode).toBe(0);

    const after = await batchesOf(userTaskID);
    expect(after.tasks).toHaveLength(1);
    const [old, newest] = after.tasks[0].batches;
    expect(old).toMatchObject({ sequence: 1, current: false, droppedUndialed: 2, counts: { dialed: 1, undialed: 0 } });
    expect(old.orders).toEqual([{ orderID: 'order-1', userPhone: first.callInfoList.callList[0]!.userPhone, state: 'dialed' }]);
    expect(newest.sequence).toBe(2);
    expect(newest.current).toBe(true);
    expect(newest.orders.map((o: any) => o.orderID)).toEqual(['order-4', 'order-5']);
  });

  it('keeps batches per account and task, and filters by uuid and userTaskID', async () => {
    await sendImport(mock.url, importBody(1, { userTaskID: 'task-a', callbackBase: receiver.url }));
    await sendImport(mock.url, importBody(2, { userTaskID: 'task-b', callbackBase: receiver.url }));
    const a = await batchesOf('task-a');
    expect(a.tasks.map((t: any) => t.userTaskID)).toEqual(['task-a']);
    const byUuid = await getJson(`${mock.url}/__mock/batches?uuid=demo-0000-callbot-mock`);
    expect(byUuid.tasks.map((t: any) => t.userTaskID)).toEqual(expect.arrayContaining(['task-a', 'task-b']));
    const none = await getJson(`${mock.url}/__mock/batches?uuid=someone-else`);
    expect(none.tasks).toEqual([]);
  });

  it('only imports the orders it accepted (errList orders are not in the batch)', async () => {
    const body = importBody([order(1), order(2, { userPhone: '8613900000001' })], { userTaskID: 'task-partial', callbackBase: receiver.url });
    expect((await sendImport(mock.url, body)).json.successCount).toBe(1);
    const view = await batchesOf('task-partial');
    expect(view.tasks[0].batches[0].orders.map((o: any) => o.orderID)).toEqual(['order-1']);
  });

  it('is read-only and never shows secrets', async () => {
    const response = await fetch(`${mock.url}/__mock/batches`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    const text = await (await fetch(`${mock.url}/__mock/batches`)).text();
    expect(text).not.toContain('demo-secret-for-the-local-mock-only');
    const callbacks = await (await fetch(`${mock.url}/__mock/callbacks`)).text();
    expect(callbacks).not.toContain('demo-secret-for-the-local-mock-only');
  });
});
