import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { fromRoot, repoRoot } from 'callbot-test-kit/paths';

const run = promisify(execFile);
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', NO_COLOR: '1' };
// Redocly 2.x prints a boxed "Node.js 20 support is ending" notice on every run; it is not a lint finding.
const withoutNodeNotice = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/[║╔╚]/.test(line))
    .join('\n');

describe('the contract toolchain', () => {
  it('redocly lint passes with no errors and no warnings', async () => {
    const { stdout, stderr } = await run(fromRoot('node_modules/.bin/redocly'), ['lint', '--format', 'summary'], { cwd: repoRoot, env });
    const output = withoutNodeNotice(stdout + stderr);
    expect(output).not.toMatch(/warning/i);
    expect(output).toMatch(/valid/i);
  });

  it('the bundled spec is itself valid OpenAPI 3.1 to redocly (an independent re-lint of generated/openapi.json)', async () => {
    const { stdout, stderr } = await run(
      fromRoot('node_modules/.bin/redocly'),
      ['lint', 'generated/openapi.json', '--extends', 'recommended-strict', '--skip-rule', 'operation-4xx-response', '--format', 'summary'],
      { cwd: repoRoot, env },
    );
    expect(stdout + stderr).toMatch(/valid/i);
  });

  it('an independent validator (the official OpenAPI 3.1 JSON Schema, @seriousme/openapi-schema-validator) accepts the bundle', async () => {
    const validator = new Validator();
    const result = await validator.validate(fromRoot('generated/openapi.json'));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // …and it can fail: a broken copy is rejected.
    const broken = JSON.parse(JSON.stringify(validator.specification));
    broken.paths['/callcentre/api/v3/importBatchCall'].post.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('generated/ is exactly what `npm run generate` makes from openapi/ (drift check)', async () => {
    const { stdout } = await run(process.execPath, [fromRoot('scripts/check-drift.mjs')], { cwd: repoRoot, env });
    expect(stdout).toMatch(/matches openapi\/ \(\d+ files compared byte for byte\)/);
  });
});
