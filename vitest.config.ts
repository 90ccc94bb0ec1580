import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from './test/vitest.shared.js';

// `npm test` runs every package's suites in one run (one report, one `N passed, N failed`):
// the contract's here, callbot-mock's and callbot-cli's from their own vitest.config.ts, each
// of which also runs alone (`npx vitest run --project callbot-cli`).
export default defineConfig({
  test: {
    // Two cores: keep the process-spawning suites from starving each other.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...sharedTestOptions,
          name: 'callbot-contract',
          // Files share a worker's module cache instead of each loading src/ and the kit again
          // (no suite here mocks modules or leaves fake timers, env or cwd changed behind it).
          isolate: false,
          include: ['test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      'packages/*/vitest.config.ts',
    ],
  },
});
