#!/usr/bin/env node
// Fails when generated/ is not exactly what `npm run generate` makes from openapi/ today.
// Generation runs in a scratch copy, so the working tree is never touched (tests may read
// generated/ at the same time) and new, changed and missing files are all caught.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'callbot-drift-'));

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

try {
  for (const item of ['openapi', 'examples', 'scripts', 'compat', 'redocly.yaml', 'package.json']) {
    cpSync(join(root, item), join(scratch, item), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  execFileSync(process.execPath, [join(scratch, 'scripts', 'generate.mjs')], { cwd: scratch, stdio: 'pipe' });

  const committed = join(root, 'generated');
  const fresh = join(scratch, 'generated');
  const have = listFiles(committed);
  const want = listFiles(fresh);
  const problems = [
    ...want.filter((f) => !have.includes(f)).map((f) => `missing:  generated/${f}`),
    ...have.filter((f) => !want.includes(f)).map((f) => `extra:    generated/${f}`),
    ...want
      .filter((f) => have.includes(f))
      .filter((f) => !readFileSync(join(committed, f)).equals(readFileSync(join(fresh, f))))
      .map((f) => `changed:  generated/${f}`),
  ];
  if (problems.length > 0) {
    console.error(`generated/ has drifted from openapi/ — run \`npm run generate\` and commit:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1; // not process.exit(): the scratch copy is removed in `finally`
  } else {
    console.log(`generated/ matches openapi/ (${want.length} files compared byte for byte)`);
  }
} catch (error) {
  console.error(String(error.stderr ?? error.message ?? error));
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
