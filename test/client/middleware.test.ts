import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import createClient, { type Middleware } from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import { RetCodes } from '../../generated/retcodes.js';
import type { paths } from '../../generated/schema.js';
import { CallbotSignatureError, CallbotUnknownOutcomeError } from '../../src/errors.js';
import { gzipRequestMiddleware } from '../../src/gzip-middleware.js';
import { callbotMiddleware, signingMiddleware } from '../../src/middleware.js';
import { signRequestMiddleware } from '../../src/sign-middleware.js';
import { verifyResponseMiddleware } from '../../src/verify-middleware.js';
import { batch } from 'callbot-test-kit/bodies';
import { signatureVectors } from 'callbot-test-kit/signature-vectors';

// Each middleware alone, then together, on an openapi-fetch client whose injected `fetch`
// captures the final Request and plays the vendor. Signatures are recomputed here with
// node:crypto (or taken from the Python vectors), never with src/sign.ts.

const vectors = signatureVectors;

const account = { uuid: 'acct-mw', secretKey: 'MIDDLEWARE-secret-0123456789' };
const PATH = '/callcentre/api/v3/importBatchCall';
const body = { ...batch(20), productID: 'callbot' as const };
const answer = { retCode: 0, retMsg: 'success', responseID: 'r-1', totalCount: 20, successCount: 20, errList: [] };

const hash = (algorithm: string, text: string) =>
  createHash(algorithm === 'SHA256' ? 'sha256' : 'md5')
    .update(text, 'utf8')
    .digest('hex')
    .toUpperCase();
/** The vendor's sign over `json` for the requestID/uuid/createTs/algorithm in `h`. */
const signOf = (json: string, h: Headers, secretKey = account.secretKey) =>
  hash(h.get('algorithm') ?? 'MD5', `${secretKey}&body=${json}&createTs=${h.get('createTs')}&requestID=${h.get('requestID')}&uuid=${h.get('uuid')}`);

interface Sent {
  request: Request;
  wire: Buffer;
}
type Vendor = (sent: Sent) => Response;

/**
 * Answers like the vendor: echoes requestID and uuid, signs its body. `tamper` alters it after
 * signing. `algorithm` is the header sent (null: none) and `signedWith` the hash actually used
 * (default: the header's, else MD5).
 */
const signedAnswer =
  (
    opts: {
      tamper?: boolean;
      echo?: string;
      echoUuid?: string;
      payload?: object;
      unsigned?: boolean;
      algorithm?: string | null;
      signedWith?: 'MD5' | 'SHA256';
    } = {},
  ): Vendor =>
  ({ request }) => {
    const json = JSON.stringify(opts.payload ?? answer);
    const headers = new Headers({
      'content-type': 'application/json',
      requestID: opts.echo ?? request.headers.get('requestID') ?? '',
      uuid: opts.echoUuid ?? account.uuid,
      createTs: '1800000000',
    });
    if (opts.algorithm !== null) headers.set('algorithm', opts.algorithm ?? 'MD5');
    const algorithm = opts.signedWith ?? (opts.algorithm === 'SHA256' ? 'SHA256' : 'MD5');
    if (opts.unsigned) headers.delete('createTs');
    else
      headers.set(
        'sign',
        hash(
          algorithm,
          `${account.secretKey}&body=${json}&createTs=${headers.get('createTs')}&requestID=${headers.get('requestID')}&uuid=${headers.get('uuid')}`,
        ),
      );
    return new Response(opts.tamper ? json.replace('"successCount":20', '"successCount":19') : json, { headers, statusText: 'OK from the vendor' });
  };
const plainAnswer: Vendor = () => new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });

function harness(middleware: Middleware[], vendor: Vendor = plainAnswer) {
  const sent: Sent[] = [];
  const client = createClient<paths>({
    baseUrl: 'http://vendor.invalid',
    fetch: async (request) => {
      const captured = { request, wire: Buffer.from(await request.clone().arrayBuffer()) };
      sent.push(captured);
      return vendor(captured);
    },
  });
  client.use(...middleware);
  return { client, sent };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('signRequestMiddleware alone', () => {
  it.each(vectors.filter((v) => v.body !== '').map((v) => [v.name, v] as const))(
    '%s: signs the exact serialized text with the Python-computed MD5 and SHA256',
    async (_name, v) => {
      for (const algorithm of ['MD5', 'SHA256'] as const) {
        const { client, sent } = harness([
          signRequestMiddleware({
            uuid: v.uuid,
            secretKey: v.secretKey,
            algorithm,
            clock: () => Number(v.createTs) * 1000,
            requestId: () => v.requestID,
          }),
        ]);
        // The serializer hands over the vector's own text (spacing, escapes), which must be signed as is.
        await client.POST(PATH, { body: JSON.parse(v.body) as never, bodySerializer: () => v.body });
        const { request, wire } = sent.at(-1)!;
        expect(wire.toString('utf8')).toBe(v.body);
        expect(Object.fromEntries(['requestID', 'uuid', 'createTs', 'algorithm', 'sign'].map((n) => [n, request.headers.get(n)]))).toEqual({
          requestID: v.requestID,
          uuid: v.uuid,
          createTs: v.createTs,
          algorithm,
          sign: v[algorithm],
        });
        expect(request.headers.get('content-encoding')).toBeNull();
      }
    },
  );

  it("keeps the caller's requestID and signs with it; makes a fresh 32-hex one otherwise", async () => {
    const { client, sent } = harness([signRequestMiddleware(account)]);
    await client.POST(PATH, { body, headers: { requestID: 'caller-chosen-id' } });
    await client.POST(PATH, { body });
    const [mine, fresh] = sent;
    expect(mine!.request.headers.get('requestID')).toBe('caller-chosen-id');
    expect(mine!.request.headers.get('sign')).toBe(signOf(JSON.stringify(body), mine!.request.headers));
    expect(fresh!.request.headers.get('requestID')).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh!.request.headers.get('sign')).toBe(signOf(JSON.stringify(body), fresh!.request.headers));
  });

  it('does not check answers: a tampered one goes through', async () => {
    const { client } = harness([signRequestMiddleware(account)], signedAnswer({ tamper: true }));
    const { data } = await client.POST(PATH, { body });
    expect(data?.successCount).toBe(19);
  });
});

describe('gzipRequestMiddleware alone', () => {
  it('compresses without signing: Content-Encoding gzip, no signing headers, the JSON inside', async () => {
    const { client, sent } = harness([gzipRequestMiddleware()]);
    await client.POST(PATH, { body });
    const { request, wire } = sent[0]!;
    expect(request.headers.get('content-encoding')).toBe('gzip');
    expect(wire.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(wire).toString('utf8')).toBe(JSON.stringify(body));
    expect(['requestID', 'uuid', 'createTs', 'algorithm', 'sign'].filter((n) => request.headers.has(n))).toEqual([]);
  });

  it('minBytes: a smaller body goes plain, byte for byte', async () => {
    const small = Buffer.byteLength(JSON.stringify(body)); // bytes, not UTF-16 units: the names are Chinese
    const { client, sent } = harness([gzipRequestMiddleware({ minBytes: small + 1 })]);
    await client.POST(PATH, { body });
    expect(sent[0]!.request.headers.get('content-encoding')).toBeNull();
    expect(sent[0]!.wire.toString('utf8')).toBe(JSON.stringify(body));
  });
});

describe('verifyResponseMiddleware alone', () => {
  // Without signing middleware the test sets the requestID the answer must echo.
  const call = (vendor: Vendor) => harness([verifyResponseMiddleware(account)], vendor).client.POST(PATH, { body, headers: { requestID: 'req-1' } });

  it('accepts a correctly signed, echoing answer and hands its body on', async () => {
    expect((await call(signedAnswer())).data).toEqual(answer);
  });

  it('rejects a tampered answer with CallbotSignatureError carrying the claimed retCode', async () => {
    const error = await rejection(call(signedAnswer({ tamper: true })));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect(error).toMatchObject({ requestID: 'req-1', unverifiedRetCode: 0 });
    expect((error as Error).message).toContain('sign does not match the answer (altered in transit, or not from the vendor)');
  });

  it('rejects an unsigned answer that is not JSON, claiming no retCode', async () => {
    const html: Vendor = ({ request }) =>
      new Response('<html>502 Bad Gateway</html>', { headers: { requestID: request.headers.get('requestID') ?? '', uuid: account.uuid } });
    const error = await rejection(call(html));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect(error).toMatchObject({ requestID: 'req-1', unverifiedRetCode: undefined });
  });

  it('rejects a wrong requestID echo and an unsigned answer, an unsigned 6002 included', async () => {
    expect(((await rejection(call(signedAnswer({ echo: 'someone-else' })))) as Error).message).toContain(
      'requestID header is "someone-else", expected the request\'s',
    );
    expect(((await rejection(call(signedAnswer({ unsigned: true })))) as Error).message).toContain('the answer has no sign/createTs header');
    // An unsigned 6002 used to be handed on as the vendor's answer. It cannot be verified (anyone
    // on the path can forge it), so it is refused like any unsigned answer, its claim passed on.
    const unknownAccount = { retCode: RetCodes.AccountNotFound.code, retMsg: 'uuid not found' };
    const error = await rejection(call(signedAnswer({ unsigned: true, payload: unknownAccount })));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect(error).toMatchObject({ unverifiedRetCode: RetCodes.AccountNotFound.code, outcome: 'unknown' });
  });

  it('reads at most maxAnswerBytes of an answer to verify it (default 64 MiB): CallbotUnknownOutcomeError past it', async () => {
    const small = (vendor: Vendor) =>
      harness([verifyResponseMiddleware({ ...account, maxAnswerBytes: 64 })], vendor).client.POST(PATH, { body, headers: { requestID: 'req-1' } });
    const error = await rejection(small(signedAnswer()));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error).toMatchObject({ requestID: 'req-1', outcome: 'unknown' });
    expect((error as Error).message).toMatch(/maxAnswerBytes \(64 bytes\)/);
    expect((await call(signedAnswer())).data).toEqual(answer);
  });

  it('an answer that came through a redirect (a fetch that follows them) is not believed, signed or not', async () => {
    const followed: Vendor = (sent) =>
      Object.defineProperties(signedAnswer()(sent), { redirected: { value: true }, url: { value: 'http://elsewhere.invalid/answer' } });
    const error = await rejection(call(followed));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error).toMatchObject({ requestID: 'req-1', status: 200, location: 'http://elsewhere.invalid/answer' });
    expect((error as Error).message).toContain('the answer came through a redirect, from http://elsewhere.invalid/answer; it is not believed');
    // A followed redirect whose final answer has no body: refused the same way.
    const bodiless: Vendor = () =>
      Object.defineProperties(new Response(null, { status: 204 }), { redirected: { value: true }, url: { value: 'http://elsewhere.invalid/' } });
    expect(await rejection(call(bodiless))).toBeInstanceOf(CallbotUnknownOutcomeError);
  });

  it('an answer without an algorithm header is checked with the algorithm of the requests (option `algorithm`, default MD5)', async () => {
    const sha256 = (vendor: Vendor) =>
      harness([verifyResponseMiddleware({ ...account, algorithm: 'SHA256' })], vendor).client.POST(PATH, { body, headers: { requestID: 'req-1' } });
    // A SHA256 account whose vendor leaves the header out: its answers verify.
    expect((await sha256(signedAnswer({ algorithm: null, signedWith: 'SHA256' }))).data).toEqual(answer);
    expect((await rejection(sha256(signedAnswer({ algorithm: null, signedWith: 'MD5' })))) as Error).toBeInstanceOf(CallbotSignatureError);
    // The header, when present, names the algorithm whatever the option says.
    expect((await sha256(signedAnswer({ algorithm: 'MD5' }))).data).toEqual(answer);
    // Without the option: MD5, the vendor's default.
    expect((await call(signedAnswer({ algorithm: null, signedWith: 'MD5' }))).data).toEqual(answer);
    const error = await rejection(call(signedAnswer({ algorithm: null, signedWith: 'SHA256' })));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect((error as Error).message).toContain('sign does not match the answer');
  });

  it('refuses an answer whose algorithm header names no algorithm the vendor has, naming it', async () => {
    for (const algorithm of ['SHA1', 'md5', '']) {
      const error = await rejection(call(signedAnswer({ algorithm, signedWith: 'MD5' })));
      expect(error).toBeInstanceOf(CallbotSignatureError);
      expect((error as Error).message).toContain(`unknown algorithm header ${JSON.stringify(algorithm)}`);
    }
  });

  it("refuses an answer, however well signed, that echoes another account's uuid", async () => {
    const error = await rejection(call(signedAnswer({ echoUuid: 'acct-other' })));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect((error as Error).message).toContain('uuid header is "acct-other", expected the request\'s');
  });

  it('refuses an answer with a sign but no createTs, or a createTs but no sign, as unsigned', async () => {
    const without =
      (name: string): Vendor =>
      (sent) => {
        const response = signedAnswer()(sent);
        response.headers.delete(name);
        return response;
      };
    for (const name of ['sign', 'createTs']) {
      const error = await rejection(call(without(name)));
      expect(error).toBeInstanceOf(CallbotSignatureError);
      expect((error as Error).message).toContain('the answer has no sign/createTs header');
    }
  });

  it('hands on the verified answer with its status text and headers', async () => {
    const { response } = await call(signedAnswer());
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('OK from the vendor');
    expect(response.headers.get('requestID')).toBe('req-1');
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('leaves a non-200 answer alone', async () => {
    const { response } = await call(() => new Response('bad gateway', { status: 502 }));
    expect(response.status).toBe(502);
  });
});

describe('together, in order', () => {
  it('callbotMiddleware: gzip wraps the signed bytes (gunzipped and re-signed here), the signed answer verifies', async () => {
    const { client, sent } = harness(callbotMiddleware({ ...account, gzip: true }), signedAnswer());
    const { data } = await client.POST(PATH, { body, headers: { requestID: 'caller-chosen-id' } });
    expect(data).toEqual(answer);
    const { request, wire } = sent[0]!;
    expect(request.headers.get('content-encoding')).toBe('gzip');
    expect(request.headers.get('requestID')).toBe('caller-chosen-id');
    const json = gunzipSync(wire).toString('utf8');
    expect(json).toBe(JSON.stringify(body));
    expect(request.headers.get('sign')).toBe(signOf(json, request.headers));
  });

  it('callbotMiddleware: a tampered answer is refused; gzip and verification follow the options', async () => {
    const error = await rejection(harness(callbotMiddleware(account), signedAnswer({ tamper: true })).client.POST(PATH, { body }));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect(callbotMiddleware(account)).toHaveLength(2);
    expect(callbotMiddleware({ ...account, gzip: { minBytes: 10 }, verifyResponses: false })).toHaveLength(2);
    const { client, sent } = harness(callbotMiddleware({ ...account, gzip: { minBytes: 1e9 }, verifyResponses: false }), signedAnswer({ tamper: true }));
    expect((await client.POST(PATH, { body })).data?.successCount).toBe(19);
    expect(sent[0]!.request.headers.get('content-encoding')).toBeNull();
  });

  it('the rebuilt request keeps the redirect mode of the client (signing and gzip rebuild it)', async () => {
    const sent: Request[] = [];
    const client = createClient<paths>({
      baseUrl: 'http://vendor.invalid',
      redirect: 'manual',
      fetch: async (request) => {
        sent.push(request);
        return signedAnswer()({ request, wire: Buffer.alloc(0) });
      },
    });
    client.use(...callbotMiddleware({ ...account, gzip: true }));
    await client.POST(PATH, { body });
    expect(sent[0]!.redirect).toBe('manual');
  });

  it('gzip registered before signing is refused, rather than signing compressed bytes', async () => {
    const { client, sent } = harness([gzipRequestMiddleware(), signRequestMiddleware(account)]);
    const error = await rejection(client.POST(PATH, { body }));
    expect((error as Error).message).toMatch(/register gzipRequestMiddleware after it/);
    expect(sent).toEqual([]);
  });

  it('signingMiddleware (one object, as in earlier versions) still signs, gzips and verifies', async () => {
    const { client, sent } = harness([signingMiddleware({ ...account, gzip: true })], signedAnswer());
    expect((await client.POST(PATH, { body })).data).toEqual(answer);
    const { request, wire } = sent[0]!;
    expect(request.headers.get('sign')).toBe(signOf(gunzipSync(wire).toString('utf8'), request.headers));
    const tampered = harness([signingMiddleware(account)], signedAnswer({ tamper: true }));
    expect(await rejection(tampered.client.POST(PATH, { body }))).toBeInstanceOf(CallbotSignatureError);
  });
});
