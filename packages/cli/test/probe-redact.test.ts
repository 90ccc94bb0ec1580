import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SECRET_FRAGMENT, redactDeep, redactorFor } from '../src/probe/redact.js';
import { SEND_TO } from '../src/probe/report.js';
import { startEchoVendor, type EchoVendor } from './probe-echo-vendor.js';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// `callbot probe` calls its report safe to attach: nothing the vendor sends may carry the secret
// key or a signature base into it, nor into what the command prints.

const SECRET = 'u7Mf3zUN/kg4+MV9a0E6cHSgIkK22GSr';
const UUID = 'echo-account-uuid';

/** Every way the secret, or a piece of it, could show in a text. */
function leaks(text: string): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  for (const form of [SECRET, encodeURIComponent(SECRET), JSON.stringify(SECRET).slice(1, -1)]) {
    const f = form.toLowerCase();
    for (let i = 0; i + MIN_SECRET_FRAGMENT <= f.length; i++) {
      const piece = f.slice(i, i + MIN_SECRET_FRAGMENT);
      if (lower.includes(piece)) found.push(`secret piece "${piece}"`);
    }
  }
  for (const field of [/&body=/i, /&createTs=/i, /&requestID=/i, /&uuid=/i, /%26createTs%3D/i, /%26body%3D/i])
    if (field.test(text)) found.push(`base field ${field}`);
  return found;
}

describe('redactorFor (the gate of every probe text)', () => {
  const redact = redactorFor(SECRET);
  const base = `${SECRET}&body={"data":"callbot-probe"}&createTs=1700000000&requestID=0123456789abcdef0123456789abcdef&uuid=${UUID}`;

  it.each([
    ['the key', `key is ${SECRET} ok`],
    ['the key upper-cased', `KEY ${SECRET.toUpperCase()}`],
    ['the key lower-cased', `key ${SECRET.toLowerCase()}`],
    ['the key URL-encoded', `k=${encodeURIComponent(SECRET)}&x=1`],
    ['the key URL-encoded in lower-case hex', `k=${encodeURIComponent(SECRET).toLowerCase()}`],
    ['the key JSON-escaped', JSON.stringify({ key: SECRET.replace('/', '\\/') })],
    ['the key as \\u escapes', [...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['a piece of the key', `starts ${SECRET.slice(3, 3 + MIN_SECRET_FRAGMENT)}…`],
    ['the base', `signed: ${base}`],
    ['the base upper-cased', base.toUpperCase()],
    ['the base URL-encoded', `pre=${encodeURIComponent(base)}`],
    ['the base JSON-quoted', JSON.stringify({ preSign: base })],
    ['the base without its key', base.slice(SECRET.length)],
    ['the base cut short', base.slice(0, 45)],
    ['a base without & between its fields', 'sign over body={} createTs=1700000000 requestID=abc'],
  ])('removes %s', (_, text) => {
    const out = redact(text);
    expect(leaks(out), out).toEqual([]);
    expect(out).toMatch(/\[(secret|signature base) removed\]/);
  });

  it('leaves the probe’s own texts and ordinary answers as they are', () => {
    for (const text of [
      SEND_TO,
      'refused (code 6: incorrect signature)',
      'createTs out of window; questions: call 8613******000',
      'request header "requestID": accepted',
      'answer createTs "1700000000": 3 s against the local clock',
      "the request's sign formula over the answer (its JSON text, its createTs, the echoed requestID and uuid)",
      'values seen at #/components/schemas/TaskStatus (**Unknown:** in the spec): 9',
    ])
      expect(redact(text)).toBe(text);
  });

  it('a short key is removed whole; object keys are redacted too', () => {
    const short = redactorFor('k3y!');
    expect(short('the K3Y! was sent')).toBe('the [secret removed] was sent');
    expect(redactDeep({ [`$["${SECRET}"]`]: [`x ${SECRET}`, 5, null] }, redact)).toEqual({ '$["[secret removed]"]': ['x [secret removed]', 5, null] });
  });
});

describe('callbot probe against a vendor that echoes the key and the signature base', () => {
  let vendor: EchoVendor;
  let run: { code: number | null; stdout: string; stderr: string };
  let text: string;
  let jsonRun: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    vendor = await startEchoVendor({ uuid: UUID, secretKey: SECRET });
    const dir = freshDir('callbot-probe-echo-');
    const env = { CALLBOT_UUID: UUID, CALLBOT_SECRET_KEY: SECRET };
    run = await runInProcess(['probe', '--base-url', vendor.url, '--task', 'echo-task', '--out', 'report.json'], { cwd: dir, env });
    text = readFileSync(join(dir, 'report.json'), 'utf8');
    jsonRun = await runInProcess(['probe', '--base-url', vendor.url, '--max-requests', '15', '--json', '--out', 'r2.json'], { cwd: dir, env });
  }, 180_000);
  afterAll(async () => {
    await vendor?.close();
  });

  it('ran the probes and met the echoes (the test is not vacuous)', () => {
    expect(run.code, run.stderr).toBe(2);
    expect(vendor.echoes).toBeGreaterThan(10);
    expect(text).toContain('[signature base removed]');
    expect(text).toContain('[secret removed]');
  });

  it('the report file holds no piece of the key and nothing shaped like a signature base', () => {
    expect(leaks(text)).toEqual([]);
  });

  it('neither does the summary on stdout, the progress on stderr, nor --json', () => {
    expect(leaks(run.stdout)).toEqual([]);
    expect(leaks(run.stderr)).toEqual([]);
    expect(leaks(jsonRun.stdout + jsonRun.stderr)).toEqual([]);
    expect(JSON.parse(jsonRun.stdout)).toHaveProperty('probes');
  });
});
