import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

// The three builds (the contract, then callbot-mock and callbot-cli), skipped when the last one
// made here is still what is on disk: a stamp records a hash of every input of the builds
// (sources, generated/, configs, lockfile) and a hash of their outputs, and both must match. A
// changed input, or a dist/ rebuilt, edited or deleted since, means a build. Used by the tests'
// global setup and by `npm start` (scripts/start.mjs). tsup overwrites in place rather than
// emptying dist/ first, so a test run or a mock started meanwhile never finds a bin missing.

const INPUT_DIRS = ['src', 'generated', 'packages/mock/src', 'packages/cli/src'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsup.config.ts'].concat(
  ['packages/mock', 'packages/cli'].flatMap((dir) => [`${dir}/package.json`, `${dir}/tsup.config.ts`]),
);
const OUTPUT_DIRS = ['dist', 'packages/mock/dist', 'packages/cli/dist', 'packages/mock/docs'];
const STAMP = ['node_modules', '.cache', 'callbot-test-build.stamp'];

/** sha256 over the path and bytes of every file at or under `paths` (relative to `root`); a missing path counts too. */
function digest(root, paths) {
  const hash = createHash('sha256');
  for (const path of paths) {
    const full = join(root, path);
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
      hash.update(`${relative(root, file)}\0${bytes.length}\0`).update(bytes);
    }
  }
  return hash.digest('hex');
}

/** The stamp the last build left, or '' (none, or unreadable: then the build runs). */
function readStamp(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Builds the three packages unless the stamp says dist/ is what the current sources build. Returns whether it built. */
export function buildIfStale(root) {
  const stamp = join(root, ...STAMP);
  const inputs = digest(root, [...INPUT_DIRS, ...INPUT_FILES]);
  if (readStamp(stamp) === `${inputs} ${digest(root, OUTPUT_DIRS)}`) return false;
  const tsup = join(root, 'node_modules', '.bin', 'tsup');
  for (const dir of ['.', 'packages/mock', 'packages/cli']) execFileSync(tsup, ['--silent'], { cwd: join(root, dir), stdio: 'inherit' });
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${inputs} ${digest(root, OUTPUT_DIRS)}`);
  return true;
}
