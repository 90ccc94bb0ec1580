import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';
import { freshDir, runCli } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// Error messages about flags and config files must not repeat the secrets they hold: they end
// up in terminals, CI logs and tickets.

const SECRET = 'u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr';
/** A config file whose secret is not quoted: V8's SyntaxError would quote the text around it. */
const brokenConfig = (json: (secret: string) => string) => {
  const file = join(freshDir(), 'config.json');
  writeFileSync(file, json(SECRET));
  return file;
};
const expectNoSecret = (text: string) => {
  expect(text).not.toContain(SECRET.slice(0, 6));
  expect(text).not.toContain(SECRET.slice(-6));
};

describe('secrets stay out of error messages', () => {
  it('callbot mock --account with a bad algorithm names the uuid, never the secret (exit 1)', async () => {
    const run = await runCli(['mock', '--port', '0', '--host', '127.0.0.1', '--account', 'acme:s3cretXYZ:sha256']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--account for uuid "acme": the algorithm must be spelled MD5 or SHA256/);
    expect(run.stdout + run.stderr).not.toContain('s3cretXYZ');
  });

  it('callbot mock --account without a colon names nothing (it may be a pasted secret)', async () => {
    const run = await runCli(['mock', '--port', '0', '--host', '127.0.0.1', '--account', 's3cretXYZ']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--account: must look like UUID:SECRET/);
    expect(run.stdout + run.stderr).not.toContain('s3cretXYZ');
  });

  it('callbot mock --config that is not JSON: the file and position only', async () => {
    const file = brokenConfig((s) => `{"accounts":[{"uuid":"acme","secretKey":${s}"}]}`);
    const run = await runCli(['mock', '--port', '0', '--host', '127.0.0.1', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--config ${file} is not valid JSON`);
    expectNoSecret(run.stdout + run.stderr);
  });

  it('callbot import --config that is not JSON: the file and position only (exit 1)', async () => {
    for (const file of [
      brokenConfig((s) => `{"uuid":"acme","secretKey":${s}"}`), // V8 quotes the text here
      brokenConfig((s) => `{"uuid":"acme","secretKey":"${s}" "algorithm":"MD5"}`), // and gives a position here
    ]) {
      const run = await runInProcess(['import', fromRoot('packages', 'cli', 'examples', 'call-list.csv'), '--task', 't', '--config', file, '--json']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`--config ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON( \\(at position \\d+)?`));
      expectNoSecret(run.stdout + run.stderr);
    }
  });
});
