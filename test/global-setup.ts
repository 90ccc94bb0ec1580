import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fromRoot } from 'callbot-test-kit/paths';

// Suites that run the packages as users would (the `callbot` and `callbot-mock` bins, the mock
// as a process, `npm pack`) and the sibling packages' tests (which import callbot-contract by
// name, i.e. its dist/) need every dist/. Build them once per test run, from the current sources,
// the contract first. (tsup overwrites in place rather than emptying dist/ first, so a second
// test run started meanwhile never finds a bin missing.) Every project names this setup; the
// environment variable makes the projects after the first skip it.
//
// The build (25 s of CPU, two minutes under load) is skipped when the last one this setup made
// is still what is on disk: a stamp records a hash of every input of the three builds (sources,
// generated/, configs, lockfile) and a hash of their outputs, and both must match. A changed
// input, or a dist/ rebuilt, edited or deleted since, means a build.
const INPUT_DIRS = ['src', 'generated', 'packages/mock/src', 'packages/cli/src'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsup.config.ts'].concat(
  ['packages/mock', 'packages/cli'].flatMap((dir) => [`${dir}/package.json`, `${dir}/tsup.config.ts`]),
);
const OUTPUT_DIRS = ['dist', 'packages/mock/dist', 'packages/cli/dist', 'packages/mock/docs'];
const STAMP = fromRoot('node_modules', '.cache', 'callbot-test-build.stamp');

/** sha256 over the path and bytes of every file at or under `paths`; a missing path counts too. */
function digest(paths: string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) {
    const full = fromRoot(path);
    if (!existsSync(full)) {
      hash.update(`missing ${path}\0`);
      continue;
    }
    const files = statSync(full).isDirectory()
      ? readdirSync(full, { withFileTypes: true, recursive: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name))
          .sort()
      : [full];
    for (const file of files) {
      const bytes = readFileSync(file);
      hash.update(`${relative(fromRoot(), file)}\0${bytes.length}\0`).update(bytes);
    }
  }
  return hash.digest('hex');
}

/** The stamp the last build left, or '' (none, or unreadable: then the build runs). */
function readStamp(): string {
  try {
    return readFileSync(STAMP, 'utf8');
  } catch {
    return '';
  }
}

export default function setup() {
  if (process.env.CALLBOT_TEST_BUILT === '1') return;
  const inputs = digest([...INPUT_DIRS, ...INPUT_FILES]);
  if (readStamp() === `${inputs} ${digest(OUTPUT_DIRS)}`) {
    console.log('global setup: dist/ is what the current sources build (stamp matches), build skipped');
  } else {
    const tsup = fromRoot('node_modules', '.bin', 'tsup');
    for (const dir of ['.', 'packages/mock', 'packages/cli']) {
      execFileSync(tsup, ['--silent'], { cwd: fromRoot(dir), stdio: 'inherit' });
    }
    mkdirSync(dirname(STAMP), { recursive: true });
    writeFileSync(STAMP, `${inputs} ${digest(OUTPUT_DIRS)}`);
  }
  process.env.CALLBOT_TEST_BUILT = '1';
}
