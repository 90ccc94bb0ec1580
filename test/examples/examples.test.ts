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
