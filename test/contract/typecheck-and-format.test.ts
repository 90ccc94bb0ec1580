import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fromRoot, repoRoot } from 'callbot-test-kit/paths';

// The whole repository type-checks (the three packages' sources and tests, scripts, benchmarks
// and the examples the READMEs point at), and the hand-written code is formatted as Biome
// (pinned, biome.json) formats it. generated/ is left out of formatting: the drift check
// compares its bytes.
const run = promisify(execFile);

describe('the hand-written code', () => {
  it('type-checks with tsc --noEmit (strict, one tsconfig for all three packages)', async () => {
    // Incremental: tsc keeps what it learnt of each file (by content hash) in node_modules/.cache
    // and checks again only what changed and what depends on it — the same verdict, in a fraction
    // of the time when little changed since the last run.
    const incremental = ['--incremental', '--tsBuildInfoFile', fromRoot('node_modules/.cache/callbot-tsc/tsconfig.tsbuildinfo')];
    const result = await run(process.execPath, [fromRoot('node_modules/typescript/bin/tsc'), '-p', repoRoot, '--noEmit', ...incremental], {
      cwd: repoRoot,
    }).catch((error: { stdout: string }) => error);
    expect('stdout' in result ? result.stdout : '').toBe('');
    // A cold check (no cache yet) takes over a minute on two loaded cores: the replay stores' tests
    // check the real redis (4 and 5), ioredis and pg client types (about 109,000 types, not 74,000).
  }, 180_000);

  it('is formatted (`npm run format` fixes it)', async () => {
    const result = await run(fromRoot('node_modules/.bin/biome'), ['format', '--max-diagnostics=5', '--colors=off'], { cwd: repoRoot })
      .then(() => ({ code: 0, output: '' }))
      .catch((error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
