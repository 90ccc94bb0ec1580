#!/usr/bin/env node
// Records a release in compat/last-release/ (openapi.json as released, release.json {version,
// commit}), what `npm run check:compat` compares against: a fresh clone needs no tags and no network.
// `npm run version-packages` runs it after `changeset version`: it first writes the contract changes
// since the previous record, classified, into the new version's section of CHANGELOG.md, then
// records the release, refreshes the TypeScript API reports (scripts/lib/compat/api-report.mjs,
// when that half is there) and regenerates generated/ (the docs' changes page starts empty again).
//   --from-commit SHA   record the release made at SHA (its generated/openapi.json and version)
//                       instead of the working tree; no CHANGELOG entry, no regeneration
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { insertChangelogSection } from './lib/compat/changelog.mjs';
import { apiReportModule, checkCompat, lastReleaseDir } from './lib/compat/check.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'from-commit': { type: 'string' } } });
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

const at = values['from-commit'];
const spec = at ? git('show', `${at}:generated/openapi.json`) : readFileSync(join(root, 'generated', 'openapi.json'), 'utf8');
const version = JSON.parse(at ? git('show', `${at}:package.json`) : readFileSync(join(root, 'package.json'), 'utf8')).version;
const commit = git('rev-parse', at ?? 'HEAD').trim();

if (!at) {
  const result = await checkCompat({ root });
  insertChangelogSection(join(root, 'CHANGELOG.md'), version, result);
}

const dir = lastReleaseDir(root);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'openapi.json'), spec);
// commit: the commit the release was made from (HEAD when version-packages ran: the release
// commit is its child).
writeFileSync(join(dir, 'release.json'), `${JSON.stringify({ version, commit }, null, 2)}\n`);
const reports = await apiReportModule(root);
if (reports?.recordApiReports) await reports.recordApiReports(root);
if (!at) execFileSync(process.execPath, [join(root, 'scripts', 'generate.mjs')], { cwd: root, stdio: 'inherit' });
console.log(`recorded release ${version} (${commit.slice(0, 7)}) in compat/last-release/`);
