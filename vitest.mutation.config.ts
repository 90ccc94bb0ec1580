import { defineConfig } from 'vitest/config';

// The suites that exercise the six modules carrying the receiver's and the client's promises
// (sign, retry, replay-cache, verify-middleware, answer-guard, callbacks), run by StrykerJS for
// `npm run test:mutation`. No global build: these suites import src/ directly. timeout-gc runs
// the built client (dist/) in a child process, which no mutant of src/ reaches: left out.
export default defineConfig({
  test: {
    include: ['test/client/**/*.test.ts'],
    exclude: ['test/client/timeout-gc.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
