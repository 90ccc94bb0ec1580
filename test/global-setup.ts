import { execFileSync } from 'node:child_process';
import { fromRoot } from 'callbot-test-kit/paths';

// Suites that run the packages as users would (the `callbot` and `callbot-mock` bins, the mock
// as a process, `npm pack`) and the sibling packages' tests (which import callbot-contract by
// name, i.e. its dist/) need every dist/. Build them once per test run, from the current sources,
// the contract first. (tsup overwrites in place rather than emptying dist/ first, so a second
// test run started meanwhile never finds a bin missing.) Every project names this setup; the
// environment variable makes the projects after the first skip it.
export default function setup() {
  if (process.env.CALLBOT_TEST_BUILT === '1') return;
  const tsup = fromRoot('node_modules', '.bin', 'tsup');
  for (const dir of ['.', 'packages/mock', 'packages/cli']) {
    execFileSync(tsup, ['--silent'], { cwd: fromRoot(dir), stdio: 'inherit' });
  }
  process.env.CALLBOT_TEST_BUILT = '1';
}
