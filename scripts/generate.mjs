#!/usr/bin/env node
// Regenerates everything under generated/ from openapi/ (the single source of truth).
// Deterministic: the same spec and the same pinned tools give the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOperationsModule } from './lib/operations.mjs';
import { renderRetCodeModule } from './lib/retcodes.mjs';
import { renderValidatorModules } from './lib/validators.mjs';
import { renderVendorFactsModule } from './lib/vendor-facts.mjs';
import { fixDocsPage } from './lib/docs-page-fixes.mjs';
import { makeDocsOffline } from './lib/offline-docs.mjs';
import { linkChangesPage, renderChangesPage } from './lib/compat/changes-page.mjs';
import { lastRelease, lastReleaseDir } from './lib/compat/check.mjs';
import { classifySpecChanges } from './lib/compat/spec-diff.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'generated');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', NO_COLOR: '1', FORCE_COLOR: '0' };

function run(name, args) {
  execFileSync(bin(name), args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'docs'), { recursive: true });

// Lint first: nothing is generated from a spec that does not pass.
try {
  execFileSync(bin('redocly'), ['lint', '--format', 'stylish'], { cwd: root, env, stdio: 'pipe' });
} catch (error) {
  process.stderr.write(String(error.stdout ?? '') + String(error.stderr ?? ''));
  process.exit(1);
}

run('redocly', ['bundle', 'callbot', '--output', 'generated/openapi.yaml']);
run('redocly', ['bundle', 'callbot', '--ext', 'json', '--output', 'generated/openapi.json']);
run('openapi-typescript', []); // reads redocly.yaml (apis.callbot.x-openapi-ts.output)

const spec = JSON.parse(readFileSync(join(out, 'openapi.json'), 'utf8'));
writeFileSync(join(out, 'retcodes.ts'), renderRetCodeModule(spec));
writeFileSync(join(out, 'operations.ts'), renderOperationsModule(spec));
writeFileSync(join(out, 'vendor-facts.ts'), renderVendorFactsModule(spec));
// Precompiled validators for src/validate.ts: nothing compiles a schema at run time.
const validatorModules = renderValidatorModules(spec);
writeFileSync(join(out, 'validators.js'), validatorModules.js);
writeFileSync(join(out, 'validators.d.ts'), validatorModules.dts);

const docs = join(out, 'docs', 'index.html');
run('redocly', ['build-docs', 'generated/openapi.json', '--inlineBundle', '--output', 'generated/docs/index.html', '--title', 'nxtele Callbot v3 API']);
// The changes since the last release recorded (compat/last-release/), on a page of their own.
const release = lastRelease(root);
const changes = release ? classifySpecChanges(JSON.parse(readFileSync(join(lastReleaseDir(root), 'openapi.json'), 'utf8')), spec) : [];
const page = { version: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version, apiVersion: spec.info?.version, lastRelease: release, changes };
writeFileSync(join(out, 'docs', 'changes.html'), renderChangesPage(page));
writeFileSync(docs, linkChangesPage(fixDocsPage(makeDocsOffline(readFileSync(docs, 'utf8'))), page));
console.log('generated/ is up to date with openapi/');
