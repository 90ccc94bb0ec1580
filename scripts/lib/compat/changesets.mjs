// Which breaking changes the pending changesets accept. A breaking change passes when a pending
// changeset (.changeset/*.md) gives its package a level that says "breaking" — `major`, or
// `minor` while the version is below 1.0 (semver's 0.x rule, which changesets follows) — and its
// text names the change: one of the change's names (the last segment of its path — the field,
// header, parameter or operation — or the one holding it) appears in the text as a whole word.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import parseChangeset from '@changesets/parse';

const RANK = { none: 0, patch: 1, minor: 2, major: 3 };

export function readChangesets(dir) {
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return files.sort().map((file) => ({ file, ...parseChangeset(readFileSync(join(dir, file), 'utf8')) }));
}

/** The level a breaking change of `version` needs: `major`, or `minor` before 1.0. */
export const breakingLevel = (version) => (Number(String(version).split('.')[0]) >= 1 ? 'major' : 'minor');

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const namesIn = (text, name) => new RegExp(`(^|[^\\w-])${escape(name)}($|[^\\w-])`).test(text);

/**
 * The changeset accepting a breaking change of `pkg`, or undefined.
 * @param {{ names: string[] }} change
 */
export function acceptingChangeset(changesets, pkg, version, change) {
  const need = RANK[breakingLevel(version)];
  return changesets.find((cs) => cs.releases.some((r) => r.name === pkg && RANK[r.type] >= need) && change.names.some((name) => namesIn(cs.summary, name)));
}
