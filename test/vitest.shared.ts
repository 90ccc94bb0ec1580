import { fileURLToPath } from 'node:url';

// What every package's test project shares: the one build step (test/global-setup.ts builds
// the three packages once per run, whichever project asks first) and generous timeouts for the
// suites that start real processes on a two-core machine.
export const sharedTestOptions = {
  globalSetup: [fileURLToPath(new URL('./global-setup.ts', import.meta.url))],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};
