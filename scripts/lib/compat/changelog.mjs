// The CHANGELOG's list of contract changes, written by scripts/record-release.mjs into the section
// `changeset version` has just made for the new version.
import { readFileSync, writeFileSync } from 'node:fs';
import { formatChange } from './check.mjs';

// "### Contract changes" under `## <version>`, before its first subsection: the classified list a
// team that upgrades reads first. Written once: a section that has it is left alone.
export function insertChangelogSection(file, version, result) {
  const text = readFileSync(file, 'utf8');
  const heading = `## ${version}\n`;
  const start = text.indexOf(heading);
  if (start === -1) throw new Error(`record-release: CHANGELOG.md has no "## ${version}" section (run \`changeset version\` first)`);
  const bodyStart = start + heading.length;
  const nextVersion = text.indexOf('\n## ', bodyStart);
  const section = text.slice(bodyStart, nextVersion === -1 ? undefined : nextVersion);
  if (section.includes('### Contract changes')) return;
  writeFileSync(file, text.slice(0, bodyStart) + `\n${changelogList(result)}` + text.slice(bodyStart));
}

export function changelogList(result) {
  const since = result.lastRelease?.version ?? 'the last release';
  const lines = [`### Contract changes since ${since} (breaking / compatible)`, ''];
  if (result.changes.length === 0) lines.push('- none');
  for (const kind of ['breaking', 'compatible']) {
    for (const change of result.changes.filter((c) => c.kind === kind))
      lines.push(`- \`${formatChange(change, { accepted: false }).replace(/\s{2,}/g, '  ')}\``);
  }
  return `${lines.join('\n')}\n`;
}
