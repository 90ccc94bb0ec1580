#!/usr/bin/env node
// Plain Prism on the bundled spec (no signatures, no vendor semantics): `npm run mock:prism`.
// Started directly, not through npx, so that stopping this process stops Prism too.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prism = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
const port = process.env.PORT ?? '4010';
const child = spawn(process.execPath, [prism, 'mock', join(root, 'generated', 'openapi.yaml'), '-h', '127.0.0.1', '-p', port], { stdio: 'inherit' });
console.log(`Prism mock on http://127.0.0.1:${port} — docs: ${join(root, 'generated', 'docs', 'index.html')}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
