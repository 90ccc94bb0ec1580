import { fileURLToPath } from 'node:url';

// What every package's test project shares: the one build step (test/global-setup.ts builds
// the three packages once per run, whichever project asks first) and generous timeouts for the
// suites that start real processes on a two-core machine.
export const sharedTestOptions = {
  globalSetup: [fileURLToPath(new URL('./global-setup.ts', import.meta.url))],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // The client logs each attempt on stderr when CALLBOT_LOG=debug (read from process.env when a
  // client is made): a developer's own setting must not change what in-process verbs print.
  // Tests that want the log set it in a child's environment or pass a logger.
  env: { CALLBOT_LOG: '' },
};
