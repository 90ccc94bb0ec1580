import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fromRoot, repoRoot } from '../support/paths.js';

const run = promisify(execFile);
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', NO_COLOR: '1' };
// Redocly 2.x prints a boxed "Node.js 20 support is ending" notice on every run; it is not a lint finding.
const withoutNodeNotice = (text: string) => text.split('\n').filter((line) => !/[║╔╚]/.test(line)).join('\n');

describe('the contract toolchain', () => {
  it('redocly lint passes with no errors and no warnings', async () => {
    const { stdout, stderr } = await run(fromRoot('node_modules/.bin/redocly'), ['lint', '--format', 'summary'], { cwd: repoRoot, env });
    const output = withoutNodeNotice(stdout + stderr);
    expect(output).not.toMatch(/warning/i);
    expect(output).toMatch(/valid/i);
  });

  it('the bundled spec is itself valid OpenAPI 3.1 to redocly (an independent re-lint of generated/openapi.json)', async () => {
    const { stdout, stderr } = await run(fromRoot('node_modules/.bin/redocly'), ['lint', 'generated/openapi.json', '--extends', 'recommended-strict', '--skip-rule', 'operation-4xx-response', '--format', 'summary'], { cwd: repoRoot, env });
    expect(stdout + stderr).toMatch(/valid/i);
  });

  it('generated/ is exactly what `npm run generate` makes from openapi/ (drift check)', async () => {
    const { stdout } = await run(process.execPath, [fromRoot('scripts/check-drift.mjs')], { cwd: repoRoot, env });
    expect(stdout).toMatch(/matches openapi\/ \(\d+ files compared byte for byte\)/);
  });
});
