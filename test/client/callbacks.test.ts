import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackVerificationError, createCallbackHandler, verifyCallback, type CallFinishedCallback, type OrderFinishedCallback } from '../../src/callbacks.js';
import { sign } from '../../src/sign.js';
import { fromRoot } from '../support/paths.js';

const account = { uuid: 'acct-cb', secretKey: 'CALLBACK-SECRET-abcdef' };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const orderExample = spec.components.examples.OrderFinished.value as OrderFinishedCallback;
const callExample = spec.components.examples.CallFinished.value as CallFinishedCallback;
const NOW = 1_800_000_000_000;
let counter = 0;

function signedCallback(payload: unknown, opts: { createTs?: number; requestID?: string; algorithm?: 'MD5' | 'SHA256'; secretKey?: string; gzip?: boolean; body?: string } = {}) {
  const body = opts.body ?? JSON.stringify(payload);
  const createTs = String(opts.createTs ?? NOW / 1000);
  const requestID = opts.requestID ?? `cb-${(counter += 1)}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json', requestID, uuid: account.uuid, createTs,
    sign: sign({ secretKey: opts.secretKey ?? account.secretKey, body, createTs, requestID, uuid: account.uuid, algorithm: opts.algorithm ?? 'MD5' }),
  };
  if (opts.gzip) headers['content-encoding'] = 'gzip';
  return new Request('http://127.0.0.1/callbacks', { method: 'POST', headers, body: opts.gzip ? gzipSync(body) : body });
}

describe('verifyCallback', () => {
  const base = { secretKey: account.secretKey, now: () => NOW };
  const headersOf = (r: Request) => Object.fromEntries(r.headers);
  const body = JSON.stringify(orderExample);

  it('accepts a good callback, headers in any case, MD5 or SHA256 inferred from the sign length', () => {
    for (const algorithm of ['MD5', 'SHA256'] as const) {
      const r = signedCallback(orderExample, { algorithm });
      const upper = Object.fromEntries(Object.entries(headersOf(r)).map(([k, v]) => [k.toUpperCase(), v]));
      expect(verifyCallback({ ...base, headers: upper, body })).toMatchObject({ uuid: account.uuid });
    }
  });

  it.each([
    ['stale', { createTs: NOW / 1000 - 301 }, 'stale'],
    ['future', { createTs: NOW / 1000 + 301 }, 'future'],
    ['signed with another secret', { secretKey: 'other' }, 'bad-signature'],
  ] as const)('rejects a %s callback', (_name, opts, reason) => {
    const r = signedCallback(orderExample, opts);
    expect(() => verifyCallback({ ...base, headers: headersOf(r), body })).toThrow(expect.objectContaining({ reason }));
  });

  it('rejects a missing header and a foreign account', () => {
    const h = headersOf(signedCallback(orderExample));
    expect(() => verifyCallback({ ...base, headers: { ...h, sign: undefined }, body })).toThrow(expect.objectContaining({ reason: 'missing-header' }));
    expect(() => verifyCallback({ ...base, uuid: 'someone-else', headers: h, body })).toThrow(expect.objectContaining({ reason: 'uuid-mismatch' }));
  });

  it('accepts ±tolerance exactly at the edge', () => {
    const r = signedCallback(orderExample, { createTs: NOW / 1000 - 300 });
    expect(() => verifyCallback({ ...base, headers: headersOf(r), body })).not.toThrow();
  });
});

describe('createCallbackHandler', () => {
  const received: Array<[string, unknown]> = [];
  const handler = createCallbackHandler({
    ...account, now: () => NOW, maxBodyBytes: 64 * 1024, maxDecompressedBytes: 256 * 1024, replayCacheSize: 3,
    onOrderFinished: (p) => { received.push(['order', p.orderID]); },
    onCallFinished: (p) => {
      if (p.other === 'explode') throw new Error('downstream is down');
      received.push(['call', p.callInfoDetail.callID]);
    },
  });

  it('routes a verified order callback and a verified call callback to their handlers', async () => {
    const a = await handler(signedCallback(orderExample));
    const b = await handler(signedCallback(callExample, { gzip: true }));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(received).toEqual([['order', orderExample.orderID], ['call', callExample.callInfoDetail.callID]]);
  });

  it('hands a requestID to the handler once: a replay (or vendor retry) is acknowledged without calling it again', async () => {
    received.length = 0;
    const first = await handler(signedCallback(orderExample, { requestID: 'replay-me' }));
    const again = await handler(signedCallback(orderExample, { requestID: 'replay-me' }));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.json()).toMatchObject({ retCode: 0, retMsg: expect.stringMatching(/already handled/) });
    expect(received).toHaveLength(1);
  });

  it('refuses (409) a requestID whose first delivery is still being handled', async () => {
    let release!: () => void;
    const slow = createCallbackHandler({ ...account, now: () => NOW, onOrderFinished: () => new Promise<void>((r) => { release = r; }) });
    const first = slow(signedCallback(orderExample, { requestID: 'in-flight' }));
    await new Promise((r) => setTimeout(r, 20));
    const second = await slow(signedCallback(orderExample, { requestID: 'in-flight' }));
    expect(second.status).toBe(409);
    release();
    expect((await first).status).toBe(200);
  });

  it('forgets a requestID after twice the tolerance window (a replay then fails the createTs check)', async () => {
    let clock = NOW;
    let calls = 0;
    const h = createCallbackHandler({ ...account, now: () => clock, onOrderFinished: () => { calls += 1; } });
    expect((await h(signedCallback(orderExample, { requestID: 'old' }))).status).toBe(200);
    clock += 601_000;
    expect((await h(signedCallback(orderExample, { requestID: 'old' }))).status).toBe(401); // stale createTs
    expect(calls).toBe(1);
  });

  it.each([
    ['stale', () => signedCallback(orderExample, { createTs: NOW / 1000 - 3600 }), 401],
    ['forged', () => signedCallback(orderExample, { secretKey: 'guess' }), 401],
    ['oversize', () => signedCallback(null, { body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) }), 413],
    ['gzip bomb', () => signedCallback(null, { body: ' '.repeat(2 * 1024 * 1024), gzip: true }), 400],
    ['not JSON', () => signedCallback(null, { body: 'hello' }), 400],
    ['off-contract payload', () => signedCallback({ ...orderExample, finish: 'yes' }), 400],
  ])('refuses a %s callback with HTTP %i and does not call the handler', async (_name, make, status) => {
    received.length = 0;
    const response = await handler(make());
    expect(response.status).toBe(status);
    expect(received).toHaveLength(0);
    expect(await response.text()).not.toContain(account.secretKey);
  });

  it('answers 500 when the handler throws, and accepts the vendor retry of the same callback', async () => {
    const payload = { ...callExample, other: 'explode' };
    const first = await handler(signedCallback(payload, { requestID: 'retry-me' }));
    expect(first.status).toBe(500);
    const fixed = { ...callExample, other: 'ok' };
    const retry = await handler(signedCallback(fixed, { requestID: 'retry-me' }));
    expect(retry.status).toBe(200);
  });

  it('errors are free of the secret', () => {
    expect.assertions(2);
    try {
      verifyCallback({ headers: {}, body: '', secretKey: account.secretKey });
    } catch (error) {
      expect(error).toBeInstanceOf(CallbackVerificationError);
      expect(inspect(error, { showHidden: true }) + JSON.stringify(error)).not.toContain(account.secretKey);
    }
  });
});

describe('createCallbackHandler behind node:http on loopback', () => {
  let server: Server;
  let url: string;
  const got: string[] = [];
  beforeAll(async () => {
    const handler = createCallbackHandler({ ...account, onOrderFinished: (p) => { got.push(p.orderID); } });
    // The adapter a Node user writes: IncomingMessage → Request, Response → ServerResponse.
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const response = await handler(new Request(`http://127.0.0.1${req.url}`, {
        method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks),
      }));
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/order`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('receives a signed callback over HTTP', async () => {
    const request = signedCallback(orderExample, { createTs: Math.floor(Date.now() / 1000) });
    const response = await fetch(url, { method: 'POST', headers: request.headers, body: await request.text() });
    expect(response.status).toBe(200);
    expect(got).toEqual([orderExample.orderID]);
  });
});
