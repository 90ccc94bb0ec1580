import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';

// Every tarball name with a version in the Markdown a user reads (READMEs, CONTRIBUTING) is the
// package's current version: the root README once said callbot-contract-0.2.0.tgz while
// `npm run pack` wrote 0.3.0. (CHANGELOGs keep their history: not read.)

const PACKAGES: Record<string, string> = {
  'callbot-contract': fromRoot('package.json'),
  'callbot-mock': fromRoot('packages', 'mock', 'package.json'),
  'callbot-cli': fromRoot('packages', 'cli', 'package.json'),
};
const versionOf = (name: string) => (JSON.parse(readFileSync(PACKAGES[name]!, 'utf8')) as { version: string }).version;

function markdownFiles(): string[] {
  const top = readdirSync(fromRoot('.')).filter((f) => f.endsWith('.md') && f !== 'CHANGELOG.md');
  const packages = ['mock', 'cli'].flatMap((p) =>
    readdirSync(fromRoot('packages', p))
      .filter((f) => f.endsWith('.md') && f !== 'CHANGELOG.md')
      .map((f) => join('packages', p, f)),
  );
  return [...top, ...packages, join('openapi', 'README.md')];
}

describe('versions named in the docs', () => {
  it('finds the docs it reads', () => {
    expect(markdownFiles()).toEqual(expect.arrayContaining(['README.md', join('packages', 'mock', 'README.md'), join('packages', 'cli', 'README.md')]));
  });

  it('every callbot-*-X.Y.Z.tgz named is the package as it is now', () => {
    const stale: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(fromRoot(file), 'utf8');
      for (const [name, pkg, version] of text.matchAll(/\b(callbot-(?:contract|mock|cli))-(\d+\.\d+\.\d+)\.tgz/g)) {
        if (version !== versionOf(pkg!)) stale.push(`${file}: ${name} (the package is ${versionOf(pkg!)})`);
      }
    }
    expect(stale).toEqual([]);
  });
});
