import { execFileSync } from 'node:child_process';
import { fromRoot, repoRoot } from './support/paths.js';

// Suites that run the package as a user would (the `callbot` command, the mock as a process,
// `npm pack`) need dist/. Build it once per test run, from the current sources. (tsup
// overwrites in place rather than emptying dist/ first, so a second test run started
// meanwhile never finds dist/cli.js missing.)
export default function setup() {
  execFileSync(fromRoot('node_modules', '.bin', 'tsup'), ['--silent'], { cwd: repoRoot, stdio: 'inherit' });
}
