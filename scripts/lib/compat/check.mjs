// The compatibility check: the spec (and, when its half is there, the TypeScript API reports)
// against the last release recorded in compat/last-release/, each breaking change held to the
// pending changesets. Used by scripts/check-compat.mjs (the command), scripts/record-release.mjs
// (the CHANGELOG's list) and scripts/generate.mjs (the docs' changes page).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { acceptingChangeset, breakingLevel, readChangesets } from './changesets.mjs';
import { classifySpecChanges } from './spec-diff.mjs';

export const ROOT_PACKAGE = 'callbot-contract';
export const lastReleaseDir = (root) => join(root, 'compat', 'last-release');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The release recorded ({ version, commit }), or undefined in a repository without one. */
export function lastRelease(root) {
  const file = join(lastReleaseDir(root), 'release.json');
  return existsSync(file) ? readJson(file) : undefined;
}

// The TypeScript half (scripts/lib/compat/api-report.mjs) is optional: absent, the check is the
// spec's alone.
export async function apiReportModule(root) {
  const file = join(root, 'scripts', 'lib', 'compat', 'api-report.mjs');
  return existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

/**
 * @param {{ root: string, from?: string, to?: string, fromText?: string, toText?: string, changesetsDir?: string, apiReleaseDir?: string, types?: boolean }} options
 */
export async function checkCompat({ root, from, to, fromText, toText, changesetsDir, apiReleaseDir, types = true }) {
  const fromFile = from ?? join(lastReleaseDir(root), 'openapi.json');
  const toFile = to ?? join(root, 'generated', 'openapi.json');
  const version = readJson(join(root, 'package.json')).version;
  const problems = [];
  const changes = [];
  if (fromText === undefined && !existsSync(fromFile)) problems.push(`no release recorded: ${fromFile} is missing (scripts/record-release.mjs writes it)`);
  else {
    const before = JSON.parse(fromText ?? readFileSync(fromFile, 'utf8'));
    const after = JSON.parse(toText ?? readFileSync(toFile, 'utf8'));
    for (const change of classifySpecChanges(before, after)) changes.push({ package: ROOT_PACKAGE, ...change });
  }
  const reports = types ? await apiReportModule(root) : undefined;
  if (reports?.checkApiReports) {
    const result = await reports.checkApiReports({ root, releaseDir: apiReleaseDir });
    problems.push(...result.problems);
    for (const c of result.changes) {
      // A changeset accepts it by naming the export (not the report file the change was found in).
      const names = c.exportName ? [c.exportName] : namesOfTypePath(c.path);
      changes.push({ package: c.package, kind: c.kind, side: 'types', path: c.exportName ? `${c.path} ${c.exportName}` : c.path, what: c.message, names });
    }
  }
  const changesets = readChangesets(changesetsDir ?? join(root, '.changeset'));
  for (const change of changes) {
    if (change.kind !== 'breaking') continue;
    change.acceptedBy = acceptingChangeset(changesets, change.package, version, change)?.file;
  }
  const breaking = changes.filter((c) => c.kind === 'breaking');
  const unaccepted = breaking.filter((c) => !c.acceptedBy);
  return {
    from: fromFile,
    to: toFile,
    lastRelease: from ? undefined : lastRelease(root),
    version,
    level: breakingLevel(version),
    changes,
    problems,
    summary: {
      breaking: breaking.length,
      accepted: breaking.length - unaccepted.length,
      unaccepted: unaccepted.length,
      compatible: changes.length - breaking.length,
    },
    ok: unaccepted.length === 0 && problems.length === 0,
  };
}

// A TypeScript surface path such as `callbot-contract: CallbotClient.createTask`: its last two
// identifiers, the member first.
function namesOfTypePath(path) {
  const words = String(path).match(/[A-Za-z_$][\w$-]*/g) ?? [];
  return words.slice(-2).reverse();
}

/** One line a change: `breaking    answer   <path>  <what>`. */
export function formatChange(change, { accepted = true } = {}) {
  const pkg = change.package === ROOT_PACKAGE ? '' : `[${change.package}] `;
  const note = accepted && change.acceptedBy ? `  (changeset ${change.acceptedBy})` : '';
  return `${change.kind.padEnd(10)}  ${change.side.padEnd(7)}  ${pkg}${change.path}  ${change.what}${note}`;
}

export function formatReport(result) {
  const since = result.lastRelease ? `${result.lastRelease.version} (compat/last-release)` : result.from;
  const lines = [`Contract changes since ${since} → ${result.to}`];
  for (const kind of ['breaking', 'compatible']) {
    const group = result.changes.filter((c) => c.kind === kind);
    if (group.length === 0) continue;
    lines.push('', `${kind} (${group.length}):`, ...group.map((c) => formatChange(c)));
  }
  for (const problem of result.problems) lines.push('', `problem: ${problem}`);
  const s = result.summary;
  lines.push(
    '',
    `${s.breaking} breaking (${s.accepted} accepted by a changeset, ${s.unaccepted} not), ${s.compatible} compatible, ${result.problems.length} problems.`,
  );
  const open = result.changes.filter((c) => c.kind === 'breaking' && !c.acceptedBy);
  if (open.length > 0) {
    const pkgs = [...new Set(open.map((c) => c.package))];
    const names = [...new Set(open.map((c) => c.names[0]))];
    lines.push(
      '',
      `Breaking changes need a changeset that says so. Add .changeset/<name>.md with`,
      '---',
      ...pkgs.map((p) => `"${p}": ${result.level}`),
      '---',
      `and a text naming each change (${result.level === 'minor' ? 'minor before 1.0, major from 1.0' : 'major'}; saying "Breaking", each written as code, in backquotes: the last segment of its path, or the one holding it): ${names.map((n) => `\`${n}\``).join(', ')}`,
    );
  }
  return lines.join('\n');
}
