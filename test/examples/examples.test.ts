import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importExample } from '../../examples/import-batch.js';
import { type MockProcess, startMockProcess } from '../support/mock-process.js';

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

  it('import-batch.ts reports a refusal by its outcome class (an unknown account: refused, nothing imported)', async () => {
    process.env.CALLBOT_UUID = 'nobody';
    try {
      expect(await importExample(mock.url)).toMatch(/^(refused: 6002 AccountNotFound|outcome unknown)/);
    } finally {
      delete process.env.CALLBOT_UUID;
    }
  });
});
