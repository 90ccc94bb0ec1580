// Which breaking changes the pending changesets accept. A breaking change passes when a pending
// changeset (.changeset/*.md) gives its package a level that says "breaking" — `major`, or
// `minor` while the version is below 1.0 (semver's 0.x rule, which changesets follows) — and its
// text names the change: one of the change's names (the last segment of its path — the field,
// header, parameter, operation or export — or the one holding it) is written as code in the text,
// alone or as a segment of a dotted path: `dialAtWeekDay` or `taskCreateSetting.dialAtWeekDay`.
// As code, not as a word, and in a changeset that says "breaking": one that says "sign" or shows
// `sign` in passing, about something else, does not accept a change to the `sign` header.
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

/** The identifiers written as code (`…`) in a changeset's text, each segment of a dotted or slashed path on its own. */
const codeNames = (text) => new Set([...text.matchAll(/`([^`\n]+)`/g)].flatMap((m) => m[1].split(/[^\w$-]+/)).filter(Boolean));

/**
 * The changeset accepting a breaking change of `pkg`, or undefined.
 * @param {{ names: string[] }} change
 */
export function acceptingChangeset(changesets, pkg, version, change) {
  const need = RANK[breakingLevel(version)];
  return changesets.find((cs) => {
    if (!cs.releases.some((r) => r.name === pkg && RANK[r.type] >= need)) return false;
    // It must say it breaks something: a changeset about another matter that happens to name a
    // field in passing does not accept that field's break.
    if (!/\bbreaking\b/i.test(cs.summary)) return false;
    const named = codeNames(cs.summary);
    return change.names.some((name) => named.has(name));
  });
}
