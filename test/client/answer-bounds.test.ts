import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbotClient, type CallbotClientOptions } from '../../src/client.js';
import { IMPORT_BATCH_CALL_PATH } from '../../src/defaults.js';
import { CallbotSignatureError, CallbotUnknownOutcomeError } from '../../src/errors.js';
import { batch } from 'callbot-test-kit/bodies';
import { listenOnLoopback } from 'callbot-test-kit/listen';

// Every answer is read with a bound (issue 9, finding 5): the client counts the bytes it reads
// after fetch has decoded Content-Encoding, stops and closes the connection past the bound, and
// refuses at once an answer whose Content-Length already says it is too big. For an import
// that is an unknown outcome (the batch was sent). A loopback server plays the vendor; its
// answers are signed here with node:crypto.

const account = { uuid: 'acct-bounds', secretKey: 'BOUNDS-secret-0123456789' };
const MiB = 1024 * 1024;
const sign = (secretKey: string, json: string, h: Record<string, string>) =>
  createHash('md5').update(`${secretKey}&body=${json}&createTs=${h.createTs}&requestID=${h.requestID}&uuid=${h.uuid}`, 'utf8').digest('hex').toUpperCase();

type Play = (req: IncomingMessage, res: ServerResponse) => void;
let play: Play;
const requests: number[] = [];
const socketsClosed: number[] = [];
let server: { url: string; close: () => Promise<void> };

// 64 gzip members of 16 MiB of zeros each: about 1 MB on the wire, 1 GiB once inflated.
const member = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
const BOMB_MEMBERS = 64;

beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests.push(Date.now());
        req.socket.once('close', () => socketsClosed.push(Date.now()));
        play(req, res);
      });
    }),
  );
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  requests.length = 0;
  socketsClosed.length = 0;
});

function signedHeaders(req: IncomingMessage, json: string) {
  const h = { requestID: String(req.headers.requestid), uuid: String(req.headers.uuid), createTs: String(Math.floor(Date.now() / 1000)) };
  return { 'content-type': 'application/json', ...h, algorithm: 'MD5', sign: sign(account.secretKey, json, h) };
}

const client = (extra: Partial<CallbotClientOptions> = {}) =>
  createCallbotClient({ ...account, baseUrl: server.url, retry: { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {}, maxAttempts: 3 }, ...extra });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** A fetch that counts the (decoded) answer bytes the client pulls through it. */
function countingFetch() {
  const counted = { bytes: 0 };
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        counted.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { counted, counting };
}

describe('answer bodies are read with a bound', () => {
  it.each([
    ['an instrumented fetch of your own', true],
    ['the global fetch', false],
  ])('a gzip bomb (1 MB inflating to 1 GiB, streamed), through %s: unknown outcome, quickly, having read about maxAnswerBytes', async (_name, instrumented) => {
    play = (req, res) => {
      res.writeHead(200, { ...signedHeaders(req, '{}'), 'content-encoding': 'gzip' });
      let written = 0;
      const pump = () => {
        while (written < BOMB_MEMBERS && !res.destroyed) {
          written += 1;
          if (!res.write(member)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      res.on('error', () => {});
      pump();
    };
    const { counted, counting } = countingFetch();
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const error = (await rejection(client(instrumented ? { fetch: counting } : {}).importBatchCall(batch(1)))) as CallbotUnknownOutcomeError;
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error.outcome).toBe('unknown');
    expect(error.message).toMatch(/maxAnswerBytes/);
    expect(error.message).toContain('counted after decoding');
    expect(error).toMatchObject({ status: 200, requestID: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // The default bound for a one-order import is 1 MiB + 512 bytes; fetch decodes in chunks of
    // at most a few tens of KiB, so the client stops within one chunk of it.
    if (instrumented) {
      expect(counted.bytes).toBeGreaterThan(MiB);
      expect(counted.bytes).toBeLessThan(2 * MiB);
    }
    expect(elapsed).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * MiB);
    expect(requests).toHaveLength(1); // an unknown outcome is never sent again
    await expect.poll(() => socketsClosed.length, { timeout: 5000 }).toBe(1); // the connection was closed, not drained
  });

  it('a Content-Length over the bound is refused at once, without waiting for the body', async () => {
    play = (req, res) => {
      res.on('error', () => {});
      res.writeHead(200, { ...signedHeaders(req, '{}'), 'content-length': String(50 * MiB) });
      res.write('{"retCode":0,'); // and then nothing: a client that waits for the rest hangs until its timeout
    };
    const started = Date.now();
    const error = (await rejection(client({ timeoutMs: 20_000 }).importBatchCall(batch(1)))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error.message).toMatch(/Content-Length 52428800/);
    expect(error).toMatchObject({ status: 200, requestID: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(error.message).toMatch(/maxAnswerBytes/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(requests).toHaveLength(1);
    await expect.poll(() => socketsClosed.length, { timeout: 5000 }).toBe(1);
  });

  it('maxAnswerBytes sets the bound: a correctly signed retCode 0 answer larger than it is an unknown outcome', async () => {
    const json = JSON.stringify({ retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 1, successCount: 1, errList: [] });
    play = (req, res) => {
      res.writeHead(200, signedHeaders(req, json)).end(json);
    };
    await expect(client({ maxAnswerBytes: json.length }).importBatchCall(batch(1))).resolves.toMatchObject({ retCode: 0 });
    const error = await rejection(client({ maxAnswerBytes: json.length - 1 }).importBatchCall(batch(1)));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect((error as Error).message).toContain(
      `the answer exceeds maxAnswerBytes (${json.length - 1} bytes); the rest was not read and the connection was closed`,
    );
    expect(error).toMatchObject({ status: 200, requestID: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('the default grows with the batch: an answer refusing every order of a large batch is read', async () => {
    // 5000 orders each refused with a long reason: about 1.3 MB of answer, over 1 MiB.
    const errList = batch(5000).callInfoList.callList.map((o) => ({
      phone: o.userPhone,
      errMsg: '号码格式不正确 (the number is not a valid mobile number for this route) '.repeat(3),
    }));
    const json = JSON.stringify({ retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 5000, successCount: 0, errList });
    expect(Buffer.byteLength(json)).toBeGreaterThan(MiB);
    play = (req, res) => {
      res.writeHead(200, signedHeaders(req, json)).end(json);
    };
    const result = await client().importBatchCall(batch(5000));
    expect(result.errList).toHaveLength(5000);
  });

  it('a Content-Length of exactly maxAnswerBytes is read', async () => {
    const json = JSON.stringify({ retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 1, successCount: 1, errList: [] });
    play = (req, res) => {
      res.writeHead(200, { ...signedHeaders(req, json), 'content-length': String(Buffer.byteLength(json)) }).end(json);
    };
    await expect(client({ maxAnswerBytes: Buffer.byteLength(json) }).importBatchCall(batch(1))).resolves.toMatchObject({ retCode: 0 });
  });

  it('a fetch of your own learns why its answer was cancelled', async () => {
    const reasons: unknown[] = [];
    const endless: typeof fetch = async (input) => {
      const request = input as Request;
      const headers = { requestID: request.headers.get('requestID') ?? '', uuid: account.uuid, createTs: '1800000000', sign: 'A'.repeat(32) };
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(new Uint8Array(1024)),
        cancel: (reason) => {
          reasons.push(reason);
        },
      });
      return new Response(body, { headers });
    };
    const error = await rejection(client({ fetch: endless, maxAnswerBytes: 4096 }).importBatchCall(batch(1)));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(reasons).toEqual([expect.objectContaining({ message: 'answer larger than maxAnswerBytes' })]);
  });

  it('a 200 without a body from a fetch of your own is read as empty: not believed (nothing signed), not a crash', async () => {
    const empty: typeof fetch = async () => new Response(null, { status: 200 });
    const error = await rejection(client({ fetch: empty }).importBatchCall(batch(1)));
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect((error as Error).message).toContain('requestID header is null');
  });

  it('an answer that may have no body (204) is an unknown outcome of that status, not a crash', async () => {
    play = (req, res) => {
      res.writeHead(204, signedHeaders(req, '')).end();
    };
    const error = await rejection(client().importBatchCall(batch(1)));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect((error as Error).message).toContain('HTTP 204 without a readable answer');
    expect(requests).toHaveLength(1);
  });

  it('the raw client is bounded too', async () => {
    const json = JSON.stringify({ retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 1, successCount: 1, errList: [] });
    play = (req, res) => {
      res.writeHead(200, signedHeaders(req, json)).end(json);
    };
    const error = await rejection(client({ maxAnswerBytes: 10 }).raw.POST(IMPORT_BATCH_CALL_PATH, { body: { ...batch(1), productID: 'callbot' } }));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
  });
});

describe('the attempt deadline reaches the answer (timeoutMs)', () => {
  /** The connection of the last request played (a keep-alive socket may have served earlier tests). */
  let socket: IncomingMessage['socket'] | undefined;
  /** A head at once, then a byte of a never-ending answer every 50 ms. */
  const drip: Play = (req, res) => {
    socket = req.socket;
    res.on('error', () => {});
    res.writeHead(200, signedHeaders(req, '{}'));
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 50);
    res.on('close', () => clearInterval(timer));
  };

  it('a fetch of your own that ignores the signal: the attempt ends at timeoutMs and the dripping answer is cancelled', async () => {
    play = drip;
    const deaf: typeof fetch = (input, init) => fetch(input, { ...init, signal: null });
    const started = Date.now();
    const error = await rejection(client({ fetch: deaf, timeoutMs: 400 }).importBatchCall(batch(1)));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(requests).toHaveLength(1);
    // Cancelling the body is what closes the connection: the vendor stops dripping into it.
    await expect.poll(() => socket?.destroyed, { timeout: 3000 }).toBe(true);
  });

  it('a vendor that never answers: the attempt ends at timeoutMs and fetch closes the connection', async () => {
    play = (req, res) => {
      socket = req.socket;
      res.on('error', () => {});
    };
    const started = Date.now();
    const error = await rejection(client({ timeoutMs: 400 }).importBatchCall(batch(1)));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(Date.now() - started).toBeLessThan(3000);
    await expect.poll(() => socket?.destroyed, { timeout: 3000 }).toBe(true);
  });

  it('the raw client (no deadline of its own): an answer cut off mid-body rejects with the body error', async () => {
    play = (req, res) => {
      res.writeHead(200, { ...signedHeaders(req, '{}'), 'content-length': '1000' });
      res.write('{"retCode":0,');
      setTimeout(() => res.destroy(), 20);
    };
    const error = await rejection(client().raw.POST(IMPORT_BATCH_CALL_PATH, { body: { ...batch(1), productID: 'callbot' } }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');
  });
});
