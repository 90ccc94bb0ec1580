import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importExample } from '../../examples/import-batch.js';
import { playDemoTask } from '../../examples/play-demo-task.js';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';

// The examples the README points at run as written, against the mock as a process.
let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess(['--no-callbacks', '--quiet']);
});
afterAll(() => mock?.stop());

describe('examples/', () => {
  it('import-batch.ts imports one order with the demo account', async () => {
    expect(await importExample(mock.url)).toMatch(/^imported 1 of 1 \(requestID [0-9a-f]{32}\); refused: \[\]$/);
  });

  // An unknown account gets retCode 6002 unsigned (the vendor has no secret to sign with). That
  // answer cannot be verified, so the client reports an unknown outcome rather than "refused".
  it('import-batch.ts reports an unverifiable refusal (an unknown account) as an unknown outcome', async () => {
    process.env.CALLBOT_UUID = 'nobody';
    try {
      expect(await importExample(mock.url)).toMatch(/^outcome unknown/);
    } finally {
      delete process.env.CALLBOT_UUID;
    }
  });
});

describe('examples/play-demo-task.ts', () => {
  let playMock: MockProcess;
  beforeAll(async () => {
    // Virtual time stopped: only the example's POST /__mock/clock moves it.
    playMock = await startMockProcess(['--speed', '0', '--quiet']);
  });
  afterAll(() => playMock?.stop());

  it('plays the demo task to the end: listTask, listOrder and the callbacks it received agree', async () => {
    const result = await playDemoTask(playMock.url);
    expect(result.advancedSeconds).toBeGreaterThan(0);
    expect(result.taskStat).toMatchObject({ totalOrderCount: 5, finishOrderCount: 5 });
    expect(result.orders).toHaveLength(5);
    expect(result.orders.every((order) => order.finish)).toBe(true);
    expect(result.callbacks.order).toBe(5);
    expect(result.callbacks.call).toBe(result.taskStat.totalCall);
    expect(result.callbacks.task).toBeGreaterThanOrEqual(1); // at least "running"
  });
});
