import { execFileSync } from 'node:child_process';
import { fromRoot, repoRoot } from './support/paths.js';

// Suites that run the package as a user would (the `callbot` command, the mock as a process,
// `npm pack`) need dist/. Build it once per test run, from the current sources.
export default function setup() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
}
