#!/usr/bin/env node
// `npm run pack`: builds the three packages and writes their tarballs into packs/ (ignored by
// git). They install together into any project with one command, asking no registry for our
// own names:  npm install ./packs/*.tgz
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packs = join(root, 'packs');
rmSync(packs, { recursive: true, force: true });
mkdirSync(packs);
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
// Every workspace but the private ones (callbot-test-kit, the suites' shared kit, is never shipped).
const published = JSON.parse(execFileSync('npm', ['query', '.workspace:not(:private)'], { cwd: root, encoding: 'utf8' })).map((w) => w.name);
const workspaces = published.map((name) => `--workspace=${name}`);
const out = execFileSync('npm', ['pack', '--ignore-scripts', ...workspaces, '--pack-destination', packs, '--json', '--loglevel=error'], {
  cwd: root,
  encoding: 'utf8',
});
for (const { filename, size, unpackedSize } of JSON.parse(out)) {
  console.log(`packs/${filename}  ${(size / 1024).toFixed(0)} KB packed, ${(unpackedSize / 1024).toFixed(0)} KB unpacked`);
}
console.log('install them together with:  npm install ./packs/*.tgz');
