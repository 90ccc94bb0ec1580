import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCallbackHandler, DEMO_ACCOUNT, sign, toNodeListener, validateAgainst } from 'callbot-contract';
import { Callbacks } from 'callbot-contract/facts';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from 'callbot-test-kit/store-servers';
import { examplePayload } from '../src/send-callback/example.js';
import { callbackLine } from '../src/send-callback/line.js';
import { freshDir } from './support/run-cli.js';
import { type RunningVerb, runInProcess, runningInProcess, stopAll } from './support/run-in-process.js';

// trigger, resend and listen --forward-to, piece by piece: the payloads built from the spec's
// examples, the flags refused before anything is sent, a receiver that is down or too slow, a
// recorded file that is not one, and values that would move a terminal's cursor.

let dir: string;
const running = new Set<RunningVerb>();
let app: { url: string; close: () => Promise<void>; bodies: string[] };

beforeAll(async () => {
  dir = freshDir('callbot-send-');
  const bodies: string[] = [];
  const handler = createCallbackHandler({
    uuid: DEMO_ACCOUNT.uuid,
    secretKey: DEMO_ACCOUNT.secretKey,
    onOrderFinished: () => {},
    onCallFinished: () => {},
    onTaskStatusChanged: () => {},
  });
  const listener = toNodeListener(handler);
  // An app whose receiver is pinned to SHA256, as the vendor's console may be set.
  const sha256 = toNodeListener(
    createCallbackHandler({ uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey, algorithm: 'SHA256', onOrderFinished: () => {} }),
  );
  const server = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers: the sender's timeout decides
    if (req.url === '/trickle') {
      // 200 at once, then a body that never ends: the status is the answer
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"retCode":0,"retMsg":"success"}');
      const drip = setInterval(() => res.write(' '), 100);
      res.once('close', () => clearInterval(drip));
      return;
    }
    if (req.url === '/c1') return res.writeHead(500).end('bad \u009b[31mred');
    if (req.url === '/redirect') return res.writeHead(307, { location: '/x' }).end();
    if (req.url === '/huge') return res.writeHead(500).end('y'.repeat(8 * 1024 * 1024));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => bodies.push(Buffer.concat(chunks).toString('utf8')));
    void (req.url === '/sha256' ? sha256 : listener)(req, res);
  });
  app = { ...(await listenOnLoopback(server)), bodies };
});

afterAll(async () => {
  await stopAll(running);
  await app?.close();
});

const callbot = (...args: string[]) => runInProcess(args, { cwd: dir });

describe('callbot trigger builds its payload from the spec example', () => {
  it.each(Object.keys(Callbacks) as (keyof typeof Callbacks)[])('the %s example, unchanged, is valid against its schema', (kind) => {
    expect(validateAgainst(Callbacks[kind].schema, examplePayload(kind, {}))).toEqual([]);
  });

  it('--field keeps a text field text, reads other values as JSON, makes nested fields; --task sets userTaskID', () => {
    const payload = examplePayload('order', { task: 'T-9', fields: ['orderID=00123', 'callInfoDetail.callStatus=2', 'finish=false', 'extra.deep=x y'] });
    expect(payload).toMatchObject({ userTaskID: 'T-9', orderID: '00123', finish: false, callInfoDetail: { callStatus: 2 }, extra: { deep: 'x y' } });
    // The spec's example itself is not changed by a trigger.
    expect((Callbacks.order.example as Record<string, unknown>).orderID).not.toBe('00123');
  });

  it.each([
    ['novalue', /--field novalue: give PATH=VALUE/],
    ['=1', /--field =1: give PATH=VALUE/],
    ['a..b=1', /"a\.\.b" is not a field path/],
    ['__proto__.polluted=1', /"__proto__\.polluted" is not a field path/],
    ['callInfoDetail.constructor=1', /is not a field path/],
  ])('--field %s is refused before anything is sent (exit 1)', async (field, message) => {
    const sent = app.bodies.length;
    const run = await callbot('trigger', 'order', '--to', `${app.url}/x`, '--field', field);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(app.bodies.length).toBe(sent);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a receiver that is down: exit 3, "not taken"; one that never answers: exit 4 after --timeout-ms, outcome unknown', async () => {
    const closed = await listenOnLoopback(createServer());
    await closed.close();
    const down = await callbot('trigger', 'task', '--to', `${closed.url}/x`);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/did not take it: failed: ECONNREFUSED/);

    const slow = await callbot('trigger', 'task', '--to', `${app.url}/slow`, '--timeout-ms', '300');
    expect(slow.code).toBe(4);
    expect(slow.stderr).toMatch(/failed: no answer within 300 ms .*sent; whether it was handled is unknown/);
  });

  it('a redirect is not followed (exit 3, the signed body sent nowhere else); a huge answer is read as an excerpt', async () => {
    const sent = app.bodies.length;
    const redirected = await callbot('trigger', 'order', '--to', `${app.url}/redirect`);
    expect(redirected.code).toBe(3);
    expect(redirected.stderr).toMatch(/did not take it: 307 /);
    expect(app.bodies.length).toBe(sent); // /x (the Location) never received it

    const huge = await callbot('trigger', 'order', '--to', `${app.url}/huge`, '--json');
    expect(huge.code).toBe(3);
    const result = JSON.parse(huge.stdout);
    expect(result.status).toBe(500);
    expect(result.answer.length).toBeLessThanOrEqual(2049); // ANSWER_EXCERPT_BYTES and the ellipsis
    expect(huge.stderr.length).toBeLessThan(500);
  });

  it('--to must be an http(s) URL (exit 1, nothing sent)', async () => {
    for (const to of ['localhost:3000', 'ftp://127.0.0.1/x']) {
      const run = await callbot('trigger', 'order', '--to', to);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--to: /);
    }
  });
});

describe('callbot resend reads the file listen wrote', () => {
  it('refuses a CSV file (key fields only), reads a last line without its line break, skips unreadable lines', async () => {
    writeFileSync(join(dir, 'cb.csv'), 'receivedAt,kind,requestID\n2026-01-01T00:00:00Z,order,r1\n');
    const csv = await callbot('resend', 'r1', '--from', 'cb.csv', '--to', `${app.url}/x`);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toMatch(/--from cb\.csv: is a CSV file .*resend needs the JSON Lines file/);

    const payload = examplePayload('task', { task: 'T-last' });
    writeFileSync(
      join(dir, 'cb.jsonl'),
      `not json r2\n{"requestID":"r2x","kind":"task","payload":{}}\n${JSON.stringify({ receivedAt: 'x', kind: 'task', requestID: 'r2', payload })}`,
    );
    const run = await callbot('resend', 'r2', '--from', 'cb.jsonl', '--to', `${app.url}/x`, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'task', requestID: 'r2', ok: true, status: 200, payload: { userTaskID: 'T-last' } });
    expect(JSON.parse(app.bodies.at(-1)!)).toEqual(payload);

    const missingFile = await callbot('resend', 'r2', '--from', 'nope.jsonl', '--to', `${app.url}/x`);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toMatch(/--from nope\.jsonl: cannot read it \(ENOENT\)/);
  });
});

describe('callbot listen --forward-to', () => {
  it('needs --out or --forward-to; refuses a URL that is not one, one with a password, --dedupe without --out', async () => {
    for (const [args, message] of [
      [[], /give --out FILE\|URL to keep the callbacks, or --forward-to URL/],
      [['--forward-to', 'nope'], /--forward-to: "nope" is not a URL/],
      [['--forward-to', 'http://u:p@127.0.0.1:1/x'], /--forward-to: a URL with a user name or password is not taken/],
      [['--forward-to', 'file:///etc/passwd'], /--forward-to: file: is not http: or https:/],
      [['--forward-to', `${app.url}/x`, '--dedupe', 'redis://127.0.0.1:1'], /--dedupe: needs --out/],
      [['--forward-to', `${app.url}/x`, '--csv'], /--csv: needs --out/],
    ] as const) {
      const run = await callbot('listen', '--port', '0', ...args);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(message);
    }
  });

  it('an app that is down or too slow: the sender is answered 500 (sends it again later), nothing written; --json names the forward', async () => {
    const closed = await listenOnLoopback(createServer());
    await closed.close();
    const listener = runningInProcess(running, ['listen', '--port', '0', '--forward-to', `${closed.url}/x`, '--out', 'down.jsonl', '--json'], { cwd: dir });
    await listener.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(listener.stderr())![1]!;
    expect(listener.stderr()).toContain(`forwarding each callback to ${closed.url}/x, then appending to down.jsonl`);
    const run = await callbot('trigger', 'order', '--to', `${url}/x`, '--request-id', 'fwd-1');
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/requestID fwd-1 {2}→ 500 .*callback handler failed/);
    await listener.waitForStderr(/requestID fwd-1 {2}→ failed: ECONNREFUSED/);
    const slowListener = runningInProcess(running, ['listen', '--port', '0', '--forward-to', `${app.url}/slow`, '--forward-timeout-ms', '300'], { cwd: dir });
    await slowListener.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const slowUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(slowListener.stderr())![1]!;
    expect((await callbot('trigger', 'call', '--to', `${slowUrl}/x`, '--request-id', 'fwd-2')).code).toBe(3);
    await slowListener.waitForStderr(/requestID fwd-2 {2}→ failed: no answer within 300 ms/);
    await stopAll(running);
    expect(listener.stderr()).toMatch(/order 0 · call 0 · task 0 · duplicate 0 · refused 0 · failed 1; 0 forwarded to .* and written to down\.jsonl/);
  });
});

describe('the line printed per callback', () => {
  it('shows control characters of the payload as ? (a value cannot move the cursor or recolour the terminal) and cuts long values', () => {
    const line = callbackLine(new Date('2026-12-07T14:30:01Z'), 'order', { orderID: 'a\u001b[2Jb\r\nc', userTaskID: 'x'.repeat(100) }, 'r\u0007', {
      ok: true,
      status: 200,
      ms: 12,
      answer: '{"retCode":0,"retMsg":"success"}',
    });
    expect(line).toBe(`14:30:01  order  order a?[2Jb??c task ${'x'.repeat(40)}…  requestID r?  → 200 (12 ms): success`);
  });
});

/** A listener in front of `to` (more flags after), and its URL. */
async function forwarder(to: string, ...more: string[]) {
  const listener = runningInProcess(running, ['listen', '--port', '0', '--forward-to', to, ...more], { cwd: dir });
  await listener.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return { listener, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(listener.stderr())![1]! };
}

/** A callback sent as the vendor sends it, with a body of our own (one JSON cannot round-trip). */
async function vendorCallback(url: string, body: string, requestID: string, algorithm: 'MD5' | 'SHA256' = 'MD5') {
  const createTs = String(Math.floor(Date.now() / 1000));
  const { uuid, secretKey } = DEMO_ACCOUNT;
  const headers = { 'content-type': 'application/json', requestID, uuid, createTs, sign: sign({ secretKey, algorithm, body, createTs, requestID, uuid }) };
  return (await fetch(`${url}/callbot/order`, { method: 'POST', headers, body })).status;
}

describe("review: what a forward keeps of the vendor's callback", () => {
  it('the body byte for byte (a 20-digit number, 1.50, 1e400) and the algorithm it came signed with (an app pinned to SHA256 takes it)', async () => {
    const { url } = await forwarder(`${app.url}/sha256`);
    const body = `{"callbackType":"2","orderID":"o-raw","userTaskID":"t","taskID":12345678901234567891,"x":1.50,"y":1e400}`;
    expect(await vendorCallback(url, body, 'raw-1', 'SHA256')).toBe(200);
    expect(app.bodies.at(-1)).toBe(body);
  });

  it('a requestID the --out file already holds (a retry after a restart) is not forwarded again', async () => {
    const first = await forwarder(`${app.url}/x`, '--out', 'kept.jsonl');
    const body = JSON.stringify(examplePayload('order', {}));
    expect(await vendorCallback(first.url, body, 'kept-1')).toBe(200);
    await stopAll(running);
    const forwarded = app.bodies.length;
    const again = await forwarder(`${app.url}/x`, '--out', 'kept.jsonl');
    expect(await vendorCallback(again.url, body, 'kept-1')).toBe(200);
    expect(app.bodies.length).toBe(forwarded);
  });

  it('a refused callback gets a line of its own (it is not forwarded); --forward-to this very listener is refused at start', async () => {
    const { listener, url } = await forwarder(`${app.url}/x`);
    expect((await callbot('trigger', 'task', '--to', `${url}/x`, '--uuid', DEMO_ACCOUNT.uuid, '--secret', 'wrong')).code).toBe(3);
    await listener.waitForStderr(/a callback was refused \(signature, account, createTs, size or body\) and not forwarded; refused 1 in all/);

    const port = String(await freePort());
    const itself = await callbot('listen', '--port', port, '--forward-to', `http://localhost:${port}/callbot`);
    expect(itself.code).toBe(1);
    expect(itself.stderr).toMatch(/--forward-to http:\/\/localhost:\d+\/callbot is this listener itself/);
  });
});

describe("review: trigger's flags and answers", () => {
  it('a 200 whose body never ends is a 200 (exit 0), not a timeout', async () => {
    const run = await callbot('trigger', 'order', '--to', `${app.url}/trickle`, '--timeout-ms', '5000');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/→ 200 \(\d+ ms\)/);
  });

  it('--request-id that cannot be a header is refused naming the flag (exit 1, nothing sent)', async () => {
    for (const id of ['a b', 'a\nb', '', 'é']) {
      const run = await callbot('trigger', 'order', '--to', `${app.url}/x`, '--request-id', id);
      expect(run.code, id).toBe(1);
      expect(run.stderr).toMatch(/--request-id: must be 1 to 128 visible ASCII characters/);
    }
  });

  it('--field indexes lists, refuses a path through a text, and PATH:=JSON sets null on a text field', () => {
    const payload = examplePayload('call', { fields: ['callInfoDetail.intents.0.intentTag=B', 'orderID:=null'] }) as any;
    expect(Array.isArray(payload.callInfoDetail.intents)).toBe(true);
    expect(payload.callInfoDetail.intents[0]).toMatchObject({ intentTag: 'B', intentID: 'i-01' });
    expect(payload.orderID).toBeNull();
    expect(() => examplePayload('order', { fields: ['orderID.x=1'] })).toThrow(/orderID is a string, not an object or a list/);
    expect(() => examplePayload('call', { fields: ['callInfoDetail.intents.5.intentTag=B'] })).toThrow(/"5" is not an index of that list/);
  });

  it('--to with a password is refused (it would be printed); C1 control characters of an answer are escaped in --json', async () => {
    const withPassword = await callbot('trigger', 'order', '--to', 'http://u:secretpw@127.0.0.1:1/x');
    expect(withPassword.code).toBe(1);
    expect(withPassword.stderr + withPassword.stdout).not.toContain('secretpw');
    const c1 = await callbot('trigger', 'order', '--to', `${app.url}/c1`, '--json');
    expect(c1.code).toBe(3);
    expect(c1.stdout).not.toMatch(/[\u0080-\u009f]/);
    expect(JSON.parse(c1.stdout).answer).toBe('bad \u009b[31mred');
  });
});
