import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockLogger, type MockServer } from '../src/index.js';
import { importBody, order, sendImport, sendSigned } from './helpers.js';

// The mock's log line per vendor request: an import counts its orders and the refused ones; a
// list counts what it lists (tasks for listTask, not "orders"), and refuses nothing.

const lines: string[] = [];
const logger: MockLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer({ port: 0, host: '127.0.0.1', importingMs: 0, callbacks: { enabled: false }, logger });
});
afterAll(async () => {
  await mock.close();
});

const lastLine = (path: string) => lines.filter((line) => line.includes(path)).at(-1) ?? '';

describe('the log line of a vendor request', () => {
  it('an import: its orders and how many were refused', async () => {
    const userTaskID = `log-${randomUUID()}`;
    await sendSigned(mock.url, '/callcentre/api/v3/createTask', { productID: 'callbot', userTaskID, sceneID: 'scene-1001' });
    await sendImport(mock.url, importBody([order(1), order(2), order(3, { userPhone: '12' })], { userTaskID }));
    expect(lastLine('/importBatchCall')).toMatch(/→ retCode 0 \(3 orders, 1 refused\)/);
  });

  it('listTask: the tasks it has in all, no "refused"', async () => {
    await sendSigned(mock.url, '/callcentre/api/v3/listTask', { productID: 'callbot', page: 1, size: 10, queryConditions: {} });
    const line = lastLine('/listTask');
    expect(line).toMatch(/→ retCode 0 \(\d+ tasks in all\)/);
    expect(line).not.toMatch(/refused|orders/);
  });

  it('listOrder: the orders it has in all, no "refused"', async () => {
    const userTaskID = `log-list-${randomUUID()}`;
    await sendSigned(mock.url, '/callcentre/api/v3/createTask', { productID: 'callbot', userTaskID, sceneID: 'scene-1001' });
    await sendImport(mock.url, importBody([order(1), order(2)], { userTaskID }));
    await sendSigned(mock.url, '/callcentre/api/v3/listOrder', { productID: 'callbot', userTaskID, options: {}, page: 1, size: 10 });
    const line = lastLine('/listOrder');
    expect(line).toMatch(/→ retCode 0 \(2 orders in all\)/);
    expect(line).not.toMatch(/refused/);
  });
});
