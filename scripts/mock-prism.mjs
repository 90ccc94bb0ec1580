#!/usr/bin/env node
// Plain Prism on the bundled spec (no signatures, no vendor semantics): `npm run mock:prism`.
// Started directly, not through npx, so that stopping this process stops Prism too.
// The operation's callbacks are removed from the copy Prism serves: Prism would POST the
// spec's example callbacks, unsigned, to whatever host each request names, and a mock must not
// become a way to make requests to arbitrary hosts. `npm start` (the callbot mock) fires
// signed callbacks, to loopback only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prism = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
const port = process.env.PORT ?? '4010';

const spec = JSON.parse(readFileSync(join(root, 'generated', 'openapi.json'), 'utf8'));
for (const pathItem of Object.values(spec.paths)) {
  for (const operation of Object.values(pathItem)) delete operation.callbacks;
}
const scratch = mkdtempSync(join(tmpdir(), 'callbot-prism-'));
const specFile = join(scratch, 'openapi.json');
writeFileSync(specFile, JSON.stringify(spec));

const child = spawn(process.execPath, [prism, 'mock', specFile, '-h', '127.0.0.1', '-p', port], { stdio: 'inherit' });
console.log(`Plain Prism mock on http://127.0.0.1:${port} (no signatures, no callbacks) — docs: ${join(root, 'generated', 'docs', 'index.html')}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => {
  rmSync(scratch, { recursive: true, force: true });
  process.exit(code ?? 0);
});
