import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRoot, repoRoot, testOutput } from '../support/paths.js';

// The package as users get it: `npm pack`, unpacked into a consumer folder (inside the repo so
// its dependencies resolve from the repo's node_modules), then imported from ESM and CJS, and
// type-checked, on the Node running this suite (CI runs it on 20, 22 and 24).
const run = promisify(execFile);
const bin = (name: string) => fromRoot('node_modules', '.bin', name);
const work = testOutput(`package-${process.version}`);
const consumer = join(work, 'consumer');
let tarball = '';

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(consumer, 'node_modules', 'callbot-contract'), { recursive: true });
  await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: repoRoot });
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  await run('tar', ['-xzf', tarball, '-C', join(consumer, 'node_modules', 'callbot-contract'), '--strip-components=1']);
  cpSync(fromRoot('test/fixtures/consumer'), consumer, { recursive: true });
}, 120_000);

describe('the packed package', () => {
  it('ships dist/, generated/ and openapi/, and no tests or sources', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining([
      'package/dist/index.js', 'package/dist/index.cjs', 'package/dist/index.d.ts', 'package/dist/index.d.cts',
      'package/generated/openapi.json', 'package/generated/openapi.yaml', 'package/generated/docs/index.html', 'package/openapi/openapi.yaml',
    ]));
    expect(files.filter((f) => f.startsWith('package/test/') || f.startsWith('package/src/'))).toEqual([]);
  });

  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['run', tarball, '--strict']);
    expect(stdout).toContain('All good');
  });

  it('passes @arethetypeswrong/cli (node16 + bundler; the YAML file is an asset, not a module)', async () => {
    const result = await run(bin('attw'), [tarball, '--profile', 'node16', '--exclude-entrypoints', './openapi.yaml', '--format', 'json'])
      .catch((error: { stdout: string }) => error);
    const report = JSON.parse(result.stdout) as { analysis: { problems: Array<{ resolutionKind?: string }> } };
    // The json format also lists what the node16 profile ignores (node10, which has no `exports`).
    expect(report.analysis.problems.filter((p) => p.resolutionKind !== 'node10')).toEqual([]);
  });

  it('works from ESM: vectors, retCodes, openapi.json, and a client import with one retry', async () => {
    const { stdout } = await run(process.execPath, ['smoke.mjs'], { cwd: consumer });
    expect(stdout).toContain(`esm ok on node ${process.version}`);
  });

  it('works from CommonJS', async () => {
    const { stdout } = await run(process.execPath, ['smoke.cjs'], { cwd: consumer });
    expect(stdout).toContain(`cjs ok on node ${process.version}`);
  });

  it('type-checks for a consumer on moduleResolution node16 (and rejects what must not compile)', async () => {
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: [] },
      files: ['types.ts'],
    }));
    const result = await run(process.execPath, [fromRoot('node_modules/typescript/bin/tsc'), '-p', consumer]).catch((e: { stdout: string }) => e);
    expect('stdout' in result ? result.stdout : '').toBe('');
  });
});
