import { createMockServer, type FaultRule, type MockServer } from 'callbot-mock';

// The mock, in this process: callbot-mock's library entry (its dist/, built by the global setup)
// on a free loopback port. About a millisecond per server once Prism is loaded, so a test that
// needs a fault of its own gets a server of its own. No callbacks; back-to-back imports of one
// task are accepted (importingMs 0) unless a test asks otherwise.

const started = new Set<MockServer>();

export async function startMock(faults: FaultRule[] = []): Promise<MockServer> {
  const mock = await createMockServer({ host: '127.0.0.1', port: 0, importingMs: 0, faults, callbacks: { enabled: false } });
  started.add(mock);
  return mock;
}

/** Stops every mock this file started (afterAll). */
export async function stopMocks(): Promise<void> {
  await Promise.allSettled([...started].map((mock) => mock.close()));
  started.clear();
}
