import { describe, expect, it } from 'vitest';
import { createMockHandler } from '../src/index.js';
import { restoreSimulator } from '../src/simulator/world.js';
import { demo, importBody } from './helpers.js';
import { IMPORT_BATCH_CALL_PATH, sign } from 'callbot-contract';

// openWorld, the hook `--state FILE` plugs into: the world can come from a snapshot and be
// handed back on close; the clock goes on from the restored world's time.
function signed(body: unknown): Request {
  const text = JSON.stringify(body);
  const createTs = String(Math.floor(Date.now() / 1000));
  const headers = {
    requestID: 'r1',
    uuid: demo.uuid,
    createTs,
    sign: sign({ secretKey: demo.secretKey, body: text, createTs, requestID: 'r1', uuid: demo.uuid }),
  };
  return new Request(`http://mock.test${IMPORT_BATCH_CALL_PATH}`, { method: 'POST', headers, body: text });
}

describe('openWorld', () => {
  it('restores a snapshot, goes on from its time, and is told on close', async () => {
    const startAt = Date.UTC(2026, 0, 5, 9);
    const first = await createMockHandler({ speed: 0, startAt, callbacks: { enabled: false } });
    expect((await (await first.fetch(signed(importBody(3, { userTaskID: 'kept' })))).json()).retCode).toBe(0);
    await first.clock.advance(7200);
    const saved = JSON.parse(JSON.stringify(first.simulator.snapshot()));
    await first.close();

    let closedWith: unknown;
    const second = await createMockHandler({
      speed: 0,
      startAt,
      callbacks: { enabled: false },
      openWorld: (_fresh, options) => {
        const simulator = restoreSimulator(saved, options);
        return { simulator, close: async () => void (closedWith = simulator.snapshot()) };
      },
    });
    expect(second.clock.now()).toBe(startAt + 7200 * 1000);
    const tasks = await (await second.fetch(new Request('http://mock.test/__mock/tasks?userTaskID=kept'))).json();
    expect(tasks.tasks[0]).toMatchObject({ userTaskID: 'kept', ordersTotal: 3 });
    expect(tasks.tasks[0].orders.every((order: any) => order.finish === true)).toBe(true);
    await second.close();
    expect(closedWith).toBeDefined();
  });
});
