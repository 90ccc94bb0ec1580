import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbotClient, type CallbotClientOptions } from '../../src/client.js';
import { IMPORT_BATCH_CALL_PATH } from '../../src/defaults.js';
import { CallbotUnknownOutcomeError } from '../../src/errors.js';
import { batch } from 'callbot-test-kit/bodies';
import { accepted, startFakeVendor, type FakeVendor } from 'callbot-test-kit/fake-vendor';
import { listenOnLoopback } from 'callbot-test-kit/listen';

// A redirect is never followed (issue 9, finding 3). The first host received the signed body, so
// the outcome is unknown whatever the Location says; following would send the signed headers (and
// for 307/308 the body) to another host, and believe its answer. Two loopback servers: the one the
// client is given answers with a redirect to the other, a fake vendor that would sign a retCode 0.

const account = { uuid: 'acct-redirect', secretKey: 'REDIRECT-secret-0123456789' };
const noWait = { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} };

let elsewhere: FakeVendor;
let redirector: { url: string; close: () => Promise<void> };
let status = 302;
/** The Location the redirector answers with; undefined: the fake vendor's import path. null: none. */
let location: string | null | undefined;
const seen: { method: string; bytes: number }[] = [];

beforeAll(async () => {
  elsewhere = await startFakeVendor(account);
  redirector = await listenOnLoopback(
    createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', bytes });
        const where = location === undefined ? `${elsewhere.url}${IMPORT_BATCH_CALL_PATH}` : location;
        res.writeHead(status, { ...(where === null ? {} : { location: where }), 'content-type': 'text/plain' }).end('moved');
      });
    }),
  );
});
afterAll(async () => {
  await Promise.all([elsewhere.close(), redirector.close()]);
});
beforeEach(() => {
  location = undefined;
  seen.length = 0;
  elsewhere.received.length = 0;
  elsewhere.script({ answer: accepted() });
});

const client = (extra: Partial<CallbotClientOptions> = {}) =>
  createCallbotClient({ ...account, baseUrl: redirector.url, retry: { ...noWait, maxAttempts: 3 }, ...extra });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('redirects are never followed', () => {
  it.each([301, 302, 303, 307, 308])('HTTP %i → CallbotUnknownOutcomeError naming the Location; the Location host receives nothing', async (code) => {
    status = code;
    const error = (await rejection(client().importBatchCall(batch(2)))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    const location = `${elsewhere.url}${IMPORT_BATCH_CALL_PATH}`;
    expect(error).toMatchObject({ outcome: 'unknown', status: code, location });
    expect(error.message).toContain(`HTTP ${code}`);
    expect(error.message).toContain(location);
    expect(seen).toEqual([{ method: 'POST', bytes: expect.any(Number) }]);
    expect(seen[0]!.bytes).toBeGreaterThan(0);
    expect(error.requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('with a fetch of your own, the client still asks it not to follow', async () => {
    status = 307;
    const inits: (RequestInit | undefined)[] = [];
    const own: typeof fetch = (input, init) => {
      inits.push(init);
      return fetch(input, init);
    };
    const error = await rejection(client({ fetch: own }).importBatchCall(batch(1)));
    expect(error).toMatchObject({ status: 307, outcome: 'unknown' });
    expect(inits).toEqual([expect.objectContaining({ redirect: 'manual' })]);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('a fetch of your own that follows anyway: the answer from elsewhere is not believed', async () => {
    status = 302; // followed as a GET without the body (a 307/308 with this body makes fetch fail instead)
    const follows: typeof fetch = (input) => fetch(new Request(input as Request, { redirect: 'follow' }));
    const error = (await rejection(client({ fetch: follows }).importBatchCall(batch(1)))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    const there = `${elsewhere.url}${IMPORT_BATCH_CALL_PATH}`;
    expect(error.message).toContain(`the fetch followed a redirect to ${there}; an answer from there is not believed (the first host received the request)`);
    expect(error).toMatchObject({ status: 200, location: there, requestID: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(elsewhere.received).toHaveLength(1); // it went there (that fetch's doing), but its retCode 0 is not taken
  });

  it('the raw client asks a fetch of your own not to follow, too', async () => {
    status = 308;
    const inits: (RequestInit | undefined)[] = [];
    const own: typeof fetch = (input, init) => {
      inits.push(init);
      return fetch(input, init);
    };
    const error = await rejection(client({ fetch: own }).raw.POST(IMPORT_BATCH_CALL_PATH, { body: { ...batch(1), productID: 'callbot' } }));
    expect(error).toMatchObject({ status: 308, outcome: 'unknown' });
    expect(inits).toEqual([expect.objectContaining({ redirect: 'manual' })]);
  });

  it('the raw client does not follow either', async () => {
    status = 301;
    const error = await rejection(client().raw.POST(IMPORT_BATCH_CALL_PATH, { body: { ...batch(1), productID: 'callbot' } }));
    expect(error).toMatchObject({ status: 301, outcome: 'unknown' });
    expect(elsewhere.received).toHaveLength(0);
  });
});

describe('what a redirect error says of its Location', () => {
  const locationOf = async () => {
    status = 302;
    const error = (await rejection(client().importBatchCall(batch(1)))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    return error;
  };

  it('none: "no Location"', async () => {
    location = null;
    const error = await locationOf();
    expect(error.message).toContain('redirected (HTTP 302) to no Location; not followed (the first host received the request)');
    expect(error.location).toBeUndefined();
    expect(error.status).toBe(302);
  });

  it('a relative one, resolved against the request URL', async () => {
    location = '/moved/here?x=1';
    const error = await locationOf();
    expect(error.location).toBe(`${redirector.url}/moved/here?x=1`);
    expect(error.message).toContain(`to ${redirector.url}/moved/here?x=1;`);
  });

  it('one that is not a URL, as it came', async () => {
    location = 'http://[not-a-host/';
    expect((await locationOf()).location).toBe('http://[not-a-host/');
  });

  it('a long one, cut to 500 characters', async () => {
    const path = (n: number) => `${redirector.url}/${'p'.repeat(n - redirector.url.length - 1)}`;
    location = path(500);
    expect((await locationOf()).location).toBe(location);
    location = path(501);
    const cut = (await locationOf()).location!;
    expect(cut).toBe(`${location.slice(0, 500)}…`);
  });
});

describe('redirects a fetch of your own may hand back', () => {
  const withFetch = (answer: () => Response) => client({ fetch: async () => answer() }).importBatchCall(batch(1));

  it('an opaque redirect (status 0): unknown outcome, "opaque redirect", no status', async () => {
    const opaque = () => Object.defineProperties(new Response(null), { type: { value: 'opaqueredirect' }, status: { value: 0 } });
    const error = (await rejection(withFetch(opaque))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error.message).toContain('redirected (HTTP opaque redirect) to no Location; not followed (the first host received the request)');
    expect(error.status).toBeUndefined();
  });

  it('a redirect without a body: unknown outcome, not a crash', async () => {
    const bodiless = () => new Response(null, { status: 301, headers: { location: 'http://elsewhere.invalid/' } });
    const error = (await rejection(withFetch(bodiless))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error).toMatchObject({ status: 301, location: 'http://elsewhere.invalid/' });
  });
});
