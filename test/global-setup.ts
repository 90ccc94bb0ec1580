import { fromRoot } from 'callbot-test-kit/paths';
import { buildIfStale } from '../scripts/lib/build-stamp.mjs';

// Suites that run the packages as users would (the `callbot` and `callbot-mock` bins, the mock
// as a process, `npm pack`) and the sibling packages' tests (which import callbot-contract by
// name, i.e. its dist/) need every dist/. Build them once per test run, from the current sources,
// the contract first — or not at all when the last build is still what is on disk (the build is
// 25 s of CPU, two minutes under load; scripts/lib/build-stamp.mjs). Every project names this
// setup; the environment variable makes the projects after the first skip it.
export default function setup() {
  if (process.env.CALLBOT_TEST_BUILT === '1') return;
  if (!buildIfStale(fromRoot())) console.log('global setup: dist/ is what the current sources build (stamp matches), build skipped');
  process.env.CALLBOT_TEST_BUILT = '1';
}
