import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CallbackVerificationError,
  createCallbackHandler,
  verifyCallback,
  type CallFinishedCallback,
  type OrderFinishedCallback,
} from '../../src/callbacks.js';
import { fromRoot } from 'callbot-test-kit/paths';

const account = { uuid: 'acct-cb', secretKey: 'CALLBACK-SECRET-abcdef' };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const orderExample = spec.components.examples.OrderFinished.value as OrderFinishedCallback;
const callExample = spec.components.examples.CallFinished.value as CallFinishedCallback;
const NOW = 1_800_000_000_000;
let counter = 0;

// The vendor's scheme written out here with node:crypto, so these tests do not lean on src/sign.ts:
// UPPERCASE(hex(HASH("<secretKey>&body=<body>&createTs=<createTs>&requestID=<requestID>&uuid=<uuid>"))).
function vendorSign(p: { secretKey: string; body: string; createTs: string; requestID: string; uuid: string; algorithm: 'MD5' | 'SHA256' }): string {
  const base = `${p.secretKey}&body=${p.body}&createTs=${p.createTs}&requestID=${p.requestID}&uuid=${p.uuid}`;
  return createHash(p.algorithm === 'SHA256' ? 'sha256' : 'md5')
    .update(base, 'utf8')
    .digest('hex')
    .toUpperCase();
}

function signedCallback(
  payload: unknown,
  opts: { createTs?: number; requestID?: string; algorithm?: 'MD5' | 'SHA256'; secretKey?: string; gzip?: boolean; body?: string } = {},
) {
  const body = opts.body ?? JSON.stringify(payload);
  const createTs = String(opts.createTs ?? NOW / 1000);
  const requestID = opts.requestID ?? `cb-${(counter += 1)}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    requestID,
    uuid: account.uuid,
    createTs,
    sign: vendorSign({ secretKey: opts.secretKey ?? account.secretKey, body, createTs, requestID, uuid: account.uuid, algorithm: opts.algorithm ?? 'MD5' }),
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

  it('refuses a lowercase sign and one with characters above U+00FF (bad-signature)', () => {
    const r = signedCallback(orderExample);
    const h = headersOf(r);
    expect(() => verifyCallback({ ...base, headers: { ...h, sign: h.sign!.toLowerCase() }, body })).toThrow(
      expect.objectContaining({ reason: 'bad-signature' }),
    );
    // U+0100 + c is cut to the byte c by a latin1 conversion (even after toUpperCase, for these): it must not pass for c.
    const shifted = [...h.sign!]
      .map((c) => {
        const u = String.fromCharCode(c.charCodeAt(0) + 0x100);
        return Buffer.from(u.toUpperCase(), 'latin1').equals(Buffer.from(c)) ? u : c;
      })
      .join('');
    expect(shifted).not.toBe(h.sign);
    expect(Buffer.from(shifted, 'latin1').equals(Buffer.from(h.sign!))).toBe(true);
    expect(() => verifyCallback({ ...base, algorithm: 'MD5', headers: { ...h, sign: shifted }, body })).toThrow(
      expect.objectContaining({ reason: 'bad-signature' }),
    );
  });

  it('accepts ±tolerance exactly at the edge', () => {
    const r = signedCallback(orderExample, { createTs: NOW / 1000 - 300 });
    expect(() => verifyCallback({ ...base, headers: headersOf(r), body })).not.toThrow();
  });
});

describe('createCallbackHandler', () => {
  const received: Array<[string, unknown]> = [];
  const handler = createCallbackHandler({
    // Room for every requestID this block sends: a full cache answers 503 (see the guarantee tests).
    ...account,
    now: () => NOW,
    maxBodyBytes: 64 * 1024,
    maxDecompressedBytes: 256 * 1024,
    replayCacheSize: 8,
    onOrderFinished: (p) => {
      received.push(['order', p.orderID]);
    },
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
    expect(received).toEqual([
      ['order', orderExample.orderID],
      ['call', callExample.callInfoDetail.callID],
    ]);
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
    const slow = createCallbackHandler({
      ...account,
      now: () => NOW,
      onOrderFinished: () =>
        new Promise<void>((r) => {
          release = r;
        }),
    });
    const first = slow(signedCallback(orderExample, { requestID: 'in-flight' }));
    await new Promise((r) => setTimeout(r, 20));
    const second = await slow(signedCallback(orderExample, { requestID: 'in-flight' }));
    expect(second.status).toBe(409);
    release();
    expect((await first).status).toBe(200);
  });

  it('refuses a replay once its createTs is outside the window (401), without calling the handler again', async () => {
    let clock = NOW;
    let calls = 0;
    const h = createCallbackHandler({
      ...account,
      now: () => clock,
      onOrderFinished: () => {
        calls += 1;
      },
    });
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
    ['JSON but not an object', () => signedCallback(null, { body: '[1]' }), 400],
  ])('refuses a %s callback with HTTP %i and does not call the handler', async (_name, make, status) => {
    received.length = 0;
    const response = await handler(make());
    expect(response.status).toBe(status);
    expect(received).toHaveLength(0);
    expect(await response.text()).not.toContain(account.secretKey);
  });

  it('hands an off-contract payload on with its deviations (tolerant reader; strict: true refuses it, see tolerant-callbacks.test.ts)', async () => {
    received.length = 0;
    const response = await handler(signedCallback({ ...orderExample, finish: 'yes' }));
    expect(response.status).toBe(200);
    expect(received).toEqual([['order', orderExample.orderID]]);
  });

  it('answers 500 when the handler throws, and accepts the vendor retry of the same callback', async () => {
    const payload = { ...callExample, other: 'explode' };
    const first = await handler(signedCallback(payload, { requestID: 'retry-me' }));
    expect(first.status).toBe(500);
    received.length = 0;
    const fixed = { ...callExample, other: 'ok' };
    const retry = await handler(signedCallback(fixed, { requestID: 'retry-me' }));
    expect(retry.status).toBe(200);
    // Handled, not "already handled": the failed delivery was not recorded as done.
    expect(await retry.json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(received).toEqual([['call', callExample.callInfoDetail.callID]]);
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

/**
 * The replay cache's guarantee (issue 9, finding 4), with an injected clock and a small capacity.
 * `rig()` counts handler calls per requestID; the first call for a requestID starting with "slow"
 * waits for `release`.
 */
describe('createCallbackHandler: meta.body and meta.algorithm', () => {
  it('hand over the exact bytes verified (inflated when gzipped) and the algorithm told by the signature', async () => {
    // A body JSON cannot round-trip: a 20-digit number, 1.50, 1e400, key order and spacing kept.
    const body = `{"callbackType":"2","taskID":12345678901234567891,"x":1.50,"y":1e400,  "orderID":"o-1","userTaskID":"t"}`;
    const seen: { body: string; algorithm: string }[] = [];
    const handler = createCallbackHandler({
      ...account,
      now: () => NOW,
      onOrderFinished: (_payload, meta) => {
        seen.push({ body: new TextDecoder().decode(meta.body), algorithm: meta.algorithm });
      },
    });
    expect((await handler(signedCallback(undefined, { body, algorithm: 'SHA256' }))).status).toBe(200);
    expect((await handler(signedCallback(undefined, { body, algorithm: 'MD5', gzip: true }))).status).toBe(200);
    expect(seen).toEqual([
      { body, algorithm: 'SHA256' },
      { body, algorithm: 'MD5' },
    ]);
  });
});

describe('createCallbackHandler: each requestID reaches your code once', () => {
  const T = NOW / 1000; // createTs of the first deliveries, in seconds
  function rig(replayCacheSize: number) {
    const state = { clock: NOW, calls: new Map<string, number>(), release: () => {} };
    const gate = () =>
      new Promise<void>((resolve) => {
        state.release = resolve;
      });
    const handle = createCallbackHandler({
      ...account,
      replayCacheSize,
      now: () => state.clock,
      onOrderFinished: async (_payload, { requestID }) => {
        const calls = (state.calls.get(requestID) ?? 0) + 1;
        state.calls.set(requestID, calls);
        if (requestID.startsWith('slow') && calls === 1) await gate();
      },
    });
    const deliver = (requestID: string, createTs = Math.floor(state.clock / 1000)) => handle(signedCallback(orderExample, { requestID, createTs }));
    return { state, deliver };
  }
  const tick = () => new Promise((r) => setTimeout(r, 10));

  it('full cache with one in flight: a new requestID gets 503 with Retry-After, the in-flight one is kept (its duplicate gets 409)', async () => {
    const { state, deliver } = rig(2);
    const slow = deliver('slow-1');
    await tick();
    expect((await deliver('a')).status).toBe(200); // the cache now holds slow-1 (in flight) and a (done)
    const busy = await deliver('b');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await busy.json()).toMatchObject({ retCode: 7 }); // SystemBusy: retryable
    expect((await deliver('slow-1')).status).toBe(409);
    expect((await deliver('a')).status).toBe(200);
    state.release();
    expect((await slow).status).toBe(200);
    expect(Object.fromEntries(state.calls)).toEqual({ 'slow-1': 1, a: 1 });
  });

  it('a handler slower than the entry lifetime finishes cleanly (200) and its duplicate is still recognised', async () => {
    const { state, deliver } = rig(2);
    expect((await deliver('pre', T)).status).toBe(200);
    const slow = deliver('slow-2', T);
    await tick();
    state.clock += 1_000_000; // far past createTs + tolerance, while the handler still runs
    // The cache is full: this callback makes it drop what may go ('pre'), never the running one.
    expect((await deliver('other')).status).toBe(200);
    expect((await deliver('slow-2')).status).toBe(409); // a vendor retry created now: still in flight
    state.release();
    const first = await slow;
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ retCode: 0, retMsg: 'success' });
    // A retry created while the handler ran, arriving after it finished, is recognised.
    const again = await deliver('slow-2');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ retMsg: expect.stringMatching(/already handled/) });
    expect(state.calls.get('slow-2')).toBe(1);
  });

  it('keeps an entry for the whole createTs window: a replay at its edge is recognised, one past it fails the createTs check', async () => {
    const { state, deliver } = rig(10);
    // A createTs at the far (future) end of the tolerance: a replay of this exact request passes
    // the createTs check until the clock reads createTs + 300 s (the last millisecond of that second).
    const createTs = T + 300;
    const replay = () => deliver('edge', createTs);
    expect((await replay()).status).toBe(200);
    state.clock = (createTs + 300) * 1000 + 999;
    const atEdge = await replay();
    expect(atEdge.status).toBe(200);
    expect(await atEdge.json()).toMatchObject({ retMsg: expect.stringMatching(/already handled/) });
    state.clock += 1;
    expect((await replay()).status).toBe(401); // stale: refused by the createTs check
    expect(state.calls.get('edge')).toBe(1);
  });

  it('a repeat with a later createTs extends the entry to that createTs window', async () => {
    const { state, deliver } = rig(10);
    expect((await deliver('extend', T)).status).toBe(200);
    state.clock = (T + 250) * 1000;
    expect((await deliver('extend', T + 250)).status).toBe(200); // vendor retry: already handled
    state.clock = (T + 250 + 300) * 1000 + 999;
    expect((await deliver('extend', T + 250)).status).toBe(200); // its replay, at the edge of its window
    expect(state.calls.get('extend')).toBe(1);
  });

  it('after capacity+1 distinct handled callbacks within their windows, the (capacity+1)th gets 503 instead of an eviction', async () => {
    const { state, deliver } = rig(3);
    for (const id of ['r1', 'r2', 'r3']) expect((await deliver(id)).status).toBe(200);
    const busy = await deliver('r4');
    expect(busy.status).toBe(503);
    // The first entry's window ends at createTs + 300 s (inclusive): it frees after 301 s.
    expect(busy.headers.get('retry-after')).toBe('301');
    expect((await deliver('r1')).status).toBe(200); // still recognised: nothing was evicted
    expect(Object.fromEntries(state.calls)).toEqual({ r1: 1, r2: 1, r3: 1 });
    state.clock += 301_000; // every window is over: the entries may go
    expect((await deliver('r4')).status).toBe(200);
    expect(state.calls.get('r4')).toBe(1);
  });

  it('a handler that throws frees its entry: the retry is handled, even in a full cache', async () => {
    let fail = true;
    let calls = 0;
    const handle = createCallbackHandler({
      ...account,
      replayCacheSize: 1,
      now: () => NOW,
      onOrderFinished: () => {
        calls += 1;
        if (fail) throw new Error('downstream is down');
      },
    });
    const first = await handle(signedCallback(orderExample, { requestID: 'flaky' }));
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ retCode: 5001, retMsg: 'callback handler failed' });
    fail = false;
    const retry = await handle(signedCallback(orderExample, { requestID: 'flaky' }));
    expect(retry.status).toBe(200);
    // The vendor's retry reaches the handler: a 200 "already handled" here would lose the result.
    expect(await retry.json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(calls).toBe(2);
  });

  it('a full cache makes room only from entries whose window is over: a replay of one still inside it is recognised', async () => {
    const { state, deliver } = rig(3);
    const at = (second: number) => {
      state.clock = (T + second) * 1000;
    };
    expect((await deliver('w1')).status).toBe(200); // window ends at T+301
    at(100);
    expect((await deliver('w2')).status).toBe(200); // window ends at T+401
    at(200);
    expect((await deliver('w3')).status).toBe(200); // window ends at T+501
    at(301);
    expect((await deliver('w4')).status).toBe(200); // full: w1's window is over, it makes room
    const replay = await deliver('w2', T + 100); // a replay of w2's delivery, still inside its window
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ retMsg: expect.stringMatching(/already handled/) });
    at(302);
    const busy = await deliver('w5');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('99'); // until w2's window ends, the earliest of those kept
    at(401);
    expect((await deliver('w5')).status).toBe(200); // w2's window is over: it makes room
    expect(Object.fromEntries(state.calls)).toEqual({ w1: 1, w2: 1, w3: 1, w4: 1, w5: 1 });
  });

  it('a full cache whose every entry is still being handled answers 503 with Retry-After of one whole window', async () => {
    const { state, deliver } = rig(1);
    const slow = deliver('slow-3');
    await tick();
    state.clock += 5_000;
    const busy = await deliver('b');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('301'); // toleranceSeconds + 1: no entry can go sooner
    state.release();
    expect((await slow).status).toBe(200);
  });

  it('the memory of a requestID ends with its window: a delivery created after it is a new one, handled', async () => {
    const { state, deliver } = rig(10);
    expect((await deliver('late', T)).status).toBe(200);
    // The first millisecond at which no delivery created at T (or before) passes the createTs check.
    state.clock = (T + 301) * 1000;
    const late = await deliver('late', T + 301);
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ retCode: 0, retMsg: 'success' });
    expect(state.calls.get('late')).toBe(2);
  });
});

/** Prototype keys in a callback body (issue 9, finding 12). */
describe('createCallbackHandler: prototype keys never reach your code', () => {
  // What careless user code does with a payload: a naive recursive merge.
  function naiveMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
    for (const key in source) {
      const value = source[key];
      if (value && typeof value === 'object') naiveMerge((target[key] ??= {}) as Record<string, unknown>, value as Record<string, unknown>);
      else target[key] = value;
    }
    return target;
  }
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('a body with "__proto__" (and "constructor"/"prototype") keys reaches the handler without them, and Object.prototype is not polluted', async () => {
    let got: Record<string, unknown> | undefined;
    const handle = createCallbackHandler({
      ...account,
      now: () => NOW,
      onOrderFinished: (payload) => {
        got = payload as unknown as Record<string, unknown>;
        naiveMerge({}, got);
      },
    });
    const text = JSON.stringify(orderExample)
      .replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},')
      .replace('"callInfoDetail":{', '"callInfoDetail":{"__proto__":{"polluted":true},');
    const response = await handle(signedCallback(null, { body: text }));
    expect(response.status).toBe(200);
    expect(got).toBeDefined();
    expect(Object.hasOwn(got!, '__proto__')).toBe(false);
    expect(Object.hasOwn(got!, 'constructor')).toBe(false);
    expect(Object.hasOwn(got!.callInfoDetail as object, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(got).toEqual(orderExample);
  });
});

describe('createCallbackHandler behind node:http on loopback', () => {
  let server: Server;
  let url: string;
  const got: string[] = [];
  beforeAll(async () => {
    const handler = createCallbackHandler({
      ...account,
      onOrderFinished: (p) => {
        got.push(p.orderID);
      },
    });
    // The adapter a Node user writes: IncomingMessage → Request, Response → ServerResponse.
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const response = await handler(
        new Request(`http://127.0.0.1${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      );
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
