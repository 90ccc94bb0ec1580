import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CallbackVerificationError,
  callbackKind,
  createCallbackHandler,
  type CallbackHandlerOptions,
  type OrderFinishedCallback,
  verifyCallback,
} from '../../src/callbacks.js';
import { fromRoot } from 'callbot-test-kit/paths';

// What the callback receiver answers when it refuses a delivery, and where its limits lie: each
// header, the createTs text, the body and gzip bounds (given and default, to the byte), the
// encodings, and the answer's status, retCode and message. Callbacks are signed here with
// node:crypto from the vendor's description (not with src/sign.ts), over the exact bytes sent.

const account = { uuid: 'acct-refusals', secretKey: 'REFUSALS-callback-secret-77' };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const orderExample = spec.components.examples.OrderFinished.value as OrderFinishedCallback;
const taskExample = spec.components.examples.TaskStatusChanged.value as Record<string, unknown>;
const callExample = spec.components.examples.CallFinished.value as Record<string, unknown>;
const NOW = 1_800_000_000_000;
const T = String(NOW / 1000);
const KiB = 1024;
const MiB = 1024 * KiB;
let counter = 0;

function vendorSign(body: string | Uint8Array, createTs: string, requestID: string, algorithm: 'md5' | 'sha256' = 'md5'): string {
  return createHash(algorithm)
    .update(`${account.secretKey}&body=`)
    .update(body)
    .update(`&createTs=${createTs}&requestID=${requestID}&uuid=${account.uuid}`)
    .digest('hex')
    .toUpperCase();
}

interface Delivery {
  /** The JSON text (or bytes) that is signed; sent as is unless `gzip`. */
  body: string | Uint8Array;
  requestID?: string;
  createTs?: string;
  gzip?: boolean;
  contentEncoding?: string;
  /** A body stream sent instead of `body` (the signature still covers `body`). */
  stream?: ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
}

function delivery(d: Delivery): Request {
  const requestID = d.requestID ?? `refusal-${(counter += 1)}`;
  const createTs = d.createTs ?? T;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    requestID,
    uuid: account.uuid,
    createTs,
    sign: vendorSign(d.body, createTs, requestID),
    ...d.headers,
  };
  if (d.gzip) headers['content-encoding'] = d.contentEncoding ?? 'gzip';
  const sent = d.stream ?? (d.gzip ? gzipSync(d.body) : d.body);
  return new Request('http://127.0.0.1/cb', { method: 'POST', headers, body: sent, duplex: 'half' } as RequestInit);
}

/** An order callback whose JSON text is exactly `bytes` long (padded in a field the spec does not declare). */
function orderOfSize(bytes: number): string {
  const bare = JSON.stringify({ ...orderExample, pad: '' });
  if (bytes < bare.length) throw new Error('too small');
  return JSON.stringify({ ...orderExample, pad: 'x'.repeat(bytes - bare.length) });
}

/** A stream of `bytes` in chunks of 64 KiB, without a Content-Length. */
function chunked(body: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(body);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 64 * KiB));
      at += 64 * KiB;
    },
  });
}

function rig(extra: Partial<CallbackHandlerOptions> = {}) {
  const handled: string[] = [];
  const handle = createCallbackHandler({
    ...account,
    now: () => NOW,
    onOrderFinished: (_p, meta) => {
      handled.push(meta.requestID);
    },
    ...extra,
  });
  return { handle, handled };
}

async function answerOf(response: Response) {
  return { status: response.status, type: response.headers.get('content-type'), ...((await response.json()) as object) };
}

describe('verifyCallback: why a delivery is not believed', () => {
  const base = { secretKey: account.secretKey, now: () => NOW };
  const headersOf = (r: Request) => Object.fromEntries(r.headers) as Record<string, string | undefined>;
  const body = JSON.stringify(orderExample);

  function refusal(options: Parameters<typeof verifyCallback>[0]): CallbackVerificationError {
    try {
      verifyCallback(options);
    } catch (error) {
      if (error instanceof CallbackVerificationError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  }

  it.each(['requestid', 'uuid', 'createts', 'sign'])('a delivery without its %s header is refused as missing-header', (name) => {
    const headers = headersOf(delivery({ body, requestID: 'has-id' }));
    delete headers[name];
    const error = refusal({ ...base, headers, body });
    expect(error).toMatchObject({ reason: 'missing-header', message: 'callback lacks one of the requestID, uuid, createTs, sign headers' });
    expect(error.requestID).toBe(name === 'requestid' ? undefined : 'has-id');
  });

  it("takes the first value of a header given as a list (a record like Node's req.headers)", () => {
    const headers = headersOf(delivery({ body, requestID: 'listed' }));
    const listed = { ...headers, sign: [headers.sign!, 'FORGED'] };
    expect(verifyCallback({ ...base, headers: listed, body })).toEqual({ requestID: 'listed', uuid: account.uuid, createTs: NOW / 1000 });
  });

  it('says why, with the requestID and nothing secret', () => {
    const headers = headersOf(delivery({ body, requestID: 'why' }));
    expect(refusal({ ...base, uuid: 'acct-else', headers, body })).toMatchObject({
      reason: 'uuid-mismatch',
      requestID: 'why',
      message: `callback is for another account (uuid ${account.uuid})`,
    });
    expect(refusal({ ...base, headers, body: `${body} ` })).toMatchObject({
      reason: 'bad-signature',
      requestID: 'why',
      message: 'callback signature does not match',
    });
    const old = headersOf(delivery({ body, requestID: 'old', createTs: String(NOW / 1000 - 301) }));
    expect(refusal({ ...base, headers: old, body })).toMatchObject({ reason: 'stale', message: `callback createTs ${NOW / 1000 - 301} is older than 300 s` });
    const ahead = headersOf(delivery({ body, requestID: 'ahead', createTs: String(NOW / 1000 + 301) }));
    expect(refusal({ ...base, headers: ahead, body })).toMatchObject({
      reason: 'future',
      message: `callback createTs ${NOW / 1000 + 301} is more than 300 s ahead`,
    });
  });

  it.each([
    ['a letter before the digits', `x${T}`],
    ['a letter after the digits', `${T}x`],
    ['hexadecimal', '0x6B49D200'],
    ['an exponent', '1.8e9'],
    ['a fraction', `${T}.0`],
    ['thirteen digits', `000${T}`],
  ])('a createTs that is not 1 to 12 decimal digits (%s) is refused as stale, though signed', (_name, createTs) => {
    const headers = headersOf(delivery({ body, createTs }));
    expect(refusal({ ...base, headers, body })).toMatchObject({ reason: 'stale' });
  });

  it('accepts a createTs up to toleranceSeconds ahead or behind, and not one second more', () => {
    const at = (offset: number, toleranceSeconds?: number) => () =>
      verifyCallback({ ...base, toleranceSeconds, headers: headersOf(delivery({ body, createTs: String(NOW / 1000 + offset) })), body });
    expect(at(300)).not.toThrow();
    expect(at(-300)).not.toThrow();
    expect(at(10, 10)).not.toThrow();
    expect(at(-10, 10)).not.toThrow();
    expect(at(11, 10)).toThrow(expect.objectContaining({ reason: 'future' }));
    expect(at(-11, 10)).toThrow(expect.objectContaining({ reason: 'stale' }));
  });
});

describe('createCallbackHandler: the answer to a refused delivery', () => {
  it('a method other than POST: 405, retCode 1', async () => {
    const { handle, handled } = rig();
    const response = await handle(new Request('http://127.0.0.1/cb'));
    expect(await answerOf(response)).toEqual({ status: 405, type: 'application/json', retCode: 1, retMsg: 'callbacks are POST requests' });
    expect(handled).toEqual([]);
  });

  it('an untrusted delivery: 401 with retCode 6 (IncorrectSignature); a malformed one: 400 with retCode 3', async () => {
    const { handle } = rig();
    const body = JSON.stringify(orderExample);
    const forged = delivery({ body });
    forged.headers.set('sign', vendorSign(`${body} `, T, forged.headers.get('requestID')!));
    expect(await answerOf(await handle(forged))).toEqual({ status: 401, type: 'application/json', retCode: 6, retMsg: 'callback signature does not match' });
    // A POST without any body, signed over the empty text: verified, and nothing to parse.
    const bodiless = new Request('http://127.0.0.1/cb', { method: 'POST', headers: delivery({ body: '' }).headers });
    expect(bodiless.body).toBeNull();
    expect(await answerOf(await handle(bodiless))).toEqual({
      status: 400,
      type: 'application/json',
      retCode: 3,
      retMsg: 'body is not UTF-8 JSON',
    });
  });

  it('a replay while the first delivery is handled: 409 naming the requestID', async () => {
    let release!: () => void;
    const { handle } = rig({ onOrderFinished: () => new Promise<void>((r) => (release = r)) });
    const body = JSON.stringify(orderExample);
    const first = handle(delivery({ body, requestID: 'busy-1' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(await answerOf(await handle(delivery({ body, requestID: 'busy-1' })))).toEqual({
      status: 409,
      type: 'application/json',
      retCode: 3,
      retMsg: 'requestID busy-1 is being handled',
    });
    release();
    expect((await first).status).toBe(200);
  });

  it('a full cache: 503 with retCode 7 (SystemBusy) saying why', async () => {
    const { handle } = rig({ replayCacheSize: 1 });
    const body = JSON.stringify(orderExample);
    expect((await handle(delivery({ body }))).status).toBe(200);
    expect(await answerOf(await handle(delivery({ body })))).toEqual({
      status: 503,
      type: 'application/json',
      retCode: 7,
      retMsg: 'too many callbacks to remember at once; try again later',
    });
  });

  it('a body stream that fails while it is read: 400 "unreadable callback", nothing handled', async () => {
    const { handle, handled } = rig();
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset by the sender'));
      },
    });
    const response = await handle(delivery({ body: JSON.stringify(orderExample), stream: failing }));
    expect(await answerOf(response)).toEqual({ status: 400, type: 'application/json', retCode: 3, retMsg: 'unreadable callback' });
    expect(handled).toEqual([]);
  });

  it('a body that is not UTF-8 (bytes that a lenient decoder would replace) is refused, though signed', async () => {
    const { handle, handled } = rig();
    const text = JSON.stringify({ ...orderExample, userName: '@@' });
    const at = text.indexOf('@@');
    const bytes = Buffer.from(text);
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    expect(await answerOf(await handle(delivery({ body: bytes })))).toEqual({
      status: 400,
      type: 'application/json',
      retCode: 3,
      retMsg: 'body is not UTF-8 JSON',
    });
    expect(handled).toEqual([]);
  });

  it('a callback of a kind no handler was given for is acknowledged (200) and dropped', async () => {
    const handle = createCallbackHandler({ ...account, now: () => NOW });
    for (const payload of [orderExample, callExample, taskExample]) {
      expect(await answerOf(await handle(delivery({ body: JSON.stringify(payload) })))).toEqual({
        status: 200,
        type: 'application/json',
        retCode: 0,
        retMsg: 'success',
      });
    }
  });
});

describe('createCallbackHandler: body limits, to the byte', () => {
  it('maxBodyBytes: a body of exactly that many bytes is handled, one byte more is 413 — streamed or declared', async () => {
    const { handle, handled } = rig({ maxBodyBytes: 200 * KiB });
    const fits = orderOfSize(200 * KiB);
    const over = orderOfSize(200 * KiB + 1);
    expect((await handle(delivery({ body: fits, stream: chunked(fits) }))).status).toBe(200);
    expect(await answerOf(await handle(delivery({ body: over, stream: chunked(over) })))).toEqual({
      status: 413,
      type: 'application/json',
      retCode: 3,
      retMsg: `body over ${200 * KiB} bytes`,
    });
    const declared = (text: string) => delivery({ body: text, headers: { 'content-length': String(Buffer.byteLength(text)) } });
    expect((await handle(declared(fits))).status).toBe(200);
    expect(handled).toHaveLength(2);
  });

  it('a Content-Length over maxBodyBytes is refused at once, without waiting for the body', { timeout: 5000 }, async () => {
    const { handle, handled } = rig({ maxBodyBytes: 100 * KiB });
    const body = orderOfSize(100 * KiB + 1);
    // The sender declares the size and then stalls: reading would wait for ever.
    const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => {}) });
    const response = await handle(delivery({ body, stream: stalled, headers: { 'content-length': String(body.length) } }));
    expect(await answerOf(response)).toEqual({ status: 413, type: 'application/json', retCode: 3, retMsg: `body over ${100 * KiB} bytes` });
    expect(handled).toEqual([]);
  });

  it('default maxBodyBytes is 1 MiB', async () => {
    const { handle, handled } = rig();
    const fits = orderOfSize(MiB);
    expect((await handle(delivery({ body: fits, stream: chunked(fits) }))).status).toBe(200);
    const over = orderOfSize(MiB + 1);
    expect((await handle(delivery({ body: over, stream: chunked(over) }))).status).toBe(413);
    expect(handled).toHaveLength(1);
  });

  it('maxDecompressedBytes: a gzip body that inflates to that many bytes is handled; one more is refused before its signature is checked', async () => {
    const { handle, handled } = rig({ maxDecompressedBytes: 300 * KiB });
    expect((await handle(delivery({ body: orderOfSize(300 * KiB), gzip: true }))).status).toBe(200);
    // A valid, correctly signed callback: only the limit refuses it.
    const bomb = delivery({ body: orderOfSize(300 * KiB + 1), gzip: true });
    expect(await answerOf(await handle(bomb))).toEqual({
      status: 400,
      type: 'application/json',
      retCode: 3,
      retMsg: `gzip body is corrupt or over ${300 * KiB} bytes`,
    });
    expect(handled).toHaveLength(1);
  });

  it('default maxDecompressedBytes is 4 MiB', async () => {
    const { handle, handled } = rig();
    expect((await handle(delivery({ body: orderOfSize(4 * MiB), gzip: true }))).status).toBe(200);
    const response = await handle(delivery({ body: orderOfSize(4 * MiB + 1), gzip: true }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ retMsg: `gzip body is corrupt or over ${4 * MiB} bytes` });
    expect(handled).toHaveLength(1);
  });

  it('Content-Encoding is matched without regard to case; a corrupt gzip body is refused', async () => {
    const { handle, handled } = rig();
    const body = JSON.stringify(orderExample);
    expect((await handle(delivery({ body, gzip: true, contentEncoding: 'GZip' }))).status).toBe(200);
    const corrupt = delivery({ body, headers: { 'content-encoding': 'gzip' } }); // plain JSON labelled gzip
    expect(await answerOf(await handle(corrupt))).toMatchObject({ status: 400, retCode: 3, retMsg: expect.stringMatching(/^gzip body is corrupt/) });
    expect(handled).toHaveLength(1);
  });
});

describe('callbackKind', () => {
  it('a payload carrying callInfoDetail (even null) without an orderID is the call callback', () => {
    expect(callbackKind({ callInfoDetail: null })).toBe('call');
    expect(callbackKind({ orderID: 'o-1' })).toBe('call');
    expect(callbackKind({ taskID: 't-1' })).toBe('task');
    expect(callbackKind(null)).toBe('task');
  });
});
