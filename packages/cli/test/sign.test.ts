import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';
import { type SignatureVector, signatureVectors } from 'callbot-test-kit/signature-vectors';

// `callbot sign` against the known-answer vectors computed with Python (test/fixtures).

const vectors = signatureVectors;

const args = (v: SignatureVector) => ['sign', '--uuid', v.uuid, '--create-ts', v.createTs, '--request-id', v.requestID];
const env = (v: SignatureVector) => ({ CALLBOT_SECRET_KEY: v.secretKey });

describe('callbot sign', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('computes both signatures of "%s" and masks the secret', async (_name, v) => {
    const dir = freshDir();
    const body = join(dir, 'body.json');
    writeFileSync(body, v.body);
    const run = await runInProcess([...args(v), '--body', body, '--json'], { env: env(v) });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { signatureBase: string; MD5: string; SHA256: string };
    expect(out.MD5).toBe(v.MD5);
    expect(out.SHA256).toBe(v.SHA256);
    expect(out.signatureBase).toBe(`<secretKey, 32 chars>&body=${v.body}&createTs=${v.createTs}&requestID=${v.requestID}&uuid=${v.uuid}`);
    expect(run.stdout + run.stderr).not.toContain(v.secretKey);
    // Not even a part of it: the first or last three characters are not shown either.
    expect(run.stdout + run.stderr).not.toContain(v.secretKey.slice(0, 3));
    expect(run.stdout + run.stderr).not.toContain(v.secretKey.slice(-3));
  });

  it('reads the body from stdin and prints the base and both signatures', async () => {
    const v = vectors[0]!;
    const run = await runInProcess(args(v), { env: env(v), input: `${v.body}\n` }); // an editor's trailing newline is dropped
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`<secretKey, 32 chars>&body=${v.body}&createTs=`);
    expect(run.stdout).toMatch(new RegExp(`MD5\\s+${v.MD5}`));
    expect(run.stdout).toMatch(new RegExp(`SHA256\\s+${v.SHA256}`));
    expect(run.stdout).not.toContain(v.secretKey);
  });

  it('--verify: exit 0 when the signature matches, 2 when it does not', async () => {
    const v = vectors.find((x) => x.name.startsWith('Chinese text as raw'))!;
    // Uppercase: verifySignature now accepts only the vendor's documented spelling (issue 9
    // finding 12); this test used to pass a lowercase sign and expect a match.
    const yes = await runInProcess([...args(v), '--verify', v.SHA256], { env: env(v), input: v.body });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/verify: MATCHES \(SHA256\)/);

    // The \u-escaped form of the same object has another signature: the body is taken byte for byte.
    const escaped = vectors.find((x) => x.name.startsWith('Chinese text \\u'))!;
    const no = await runInProcess([...args(v), '--verify', escaped.MD5], { env: env(v), input: v.body });
    expect(no.code).toBe(2);
    expect(no.stdout).toMatch(/verify: DOES NOT MATCH/);

    const md5Only = await runInProcess([...args(v), '--algorithm', 'MD5', '--verify', v.SHA256], { env: env(v), input: v.body });
    expect(md5Only.code).toBe(2);
  });

  it('--keep-newline signs a trailing newline too', async () => {
    const v = vectors.find((x) => x.name === 'empty object')!;
    const run = await runInProcess([...args(v), '--keep-newline', '--json'], { env: env(v), input: `${v.body}\n` });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { MD5: string }).MD5).not.toBe(v.MD5);
  });

  it('is a usage error without a secret (exit 1)', async () => {
    const v = vectors[0]!;
    const run = await runInProcess(args(v), { input: v.body });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--secret \(or CALLBOT_SECRET_KEY\) is required/);
  });
});

describe('callbot docs', () => {
  it('prints the path and file:// URL of the offline docs (from callbot-mock, installed here) and the spec, which exist', async () => {
    const run = await runInProcess(['docs']);
    expect(run.code, run.stderr).toBe(0);
    const [path, url, spec] = run.stdout.trim().split('\n');
    expect(path).toBe(fromRoot('packages', 'mock', 'docs', 'index.html'));
    expect(url).toMatch(/^file:\/\/\/.*mock\/docs\/index\.html$/);
    expect(readFileSync(path!, 'utf8')).toMatch(/<html/i);
    expect(readFileSync(spec!, 'utf8')).toMatch(/^openapi: 3\.1/m);
    expect(run.stderr).toMatch(/\/docs\//);
  });
});
