import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbotClient, type ExportBatchCallStream, type ExportedCallItem } from '../../src/client.js';
import { CallbotError, CallbotSignatureError, CallbotUnknownOutcomeError, CallbotValidationError } from '../../src/errors.js';
import { listenOnLoopback } from 'callbot-test-kit/listen';

// exportBatchCallStream (issue 20, item 6): exportBatchCall's answer parsed as it arrives, its
// bytes hashed for the signature as they pass, the sign checked after the last byte. A loopback
// server plays the vendor; its answers are signed here with node:crypto, from the vendor's
// description (`<secretKey>&body=<json>&createTs=…&requestID=…&uuid=…`), not with the package's code.

const account = { uuid: 'acct-stream', secretKey: 'STREAM-secret-0123456789' };
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
const signOf = (json: string, h: { createTs: string; requestID: string; uuid: string }) =>
  md5(`${account.secretKey}&body=${json}&createTs=${h.createTs}&requestID=${h.requestID}&uuid=${h.uuid}`);

type Play = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let play: Play;
const received: { headers: IncomingMessage['headers']; body: string; socket: IncomingMessage['socket'] }[] = [];
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ headers: req.headers, body, socket: req.socket });
        play(req, res, body);
      });
    }),
  );
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  received.length = 0;
});

/** The answer's headers, signed over `json` (or over `signedOver` when the body sent differs). */
function signedHeaders(req: IncomingMessage, json: string) {
  const h = { requestID: String(req.headers.requestid), uuid: String(req.headers.uuid), createTs: String(Math.floor(Date.now() / 1000)) };
  return { 'content-type': 'application/json', ...h, algorithm: 'MD5', sign: signOf(json, h) };
}

const entry = (i: number) => ({
  orderID: `order-${i}`,
  userPhone: `86156${String(i).padStart(8, '0')}`,
  other: i % 7 === 0 ? null : `crm-${i}`,
  callID: i % 3 === 0 ? '' : `c-${i}`,
  callStatus: i % 3,
  intents: i % 5 === 0 ? [{ intentID: 'i-1', intentName: '有意向', intentLevel: 2 }] : [],
});
/** An export answer of `n` entries: about 150 bytes each (5,000 of them: many chunks). */
const answerOf = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    retCode: 0,
    retMsg: 'success',
    responseID: 'resp-1',
    batchID: 'b-7',
    totalCount: n,
    callList: Array.from({ length: n }, (_, i) => entry(i)),
    ...extra,
  });

const client = () => createCallbotClient({ ...account, baseUrl: server.url });

/** Reads the stream to its end or its error: the entries it yielded, and the error (if any). */
async function drain(stream: ExportBatchCallStream): Promise<{ entries: ExportedCallItem[]; error: unknown }> {
  const entries: ExportedCallItem[] = [];
  try {
    for await (const call of stream) entries.push(call);
    return { entries, error: undefined };
  } catch (error) {
    return { entries, error };
  }
}

describe('exportBatchCallStream: the answer parsed as it arrives, believed only once its sign matched', () => {
  it('yields every entry as received, then the other fields; the request is signed and validated', async () => {
    const json = answerOf(5000);
    play = (req, res) => res.writeHead(200, signedHeaders(req, json)).end(json);
    const stream = client().exportBatchCallStream({ userTaskID: 'task-1' });
    const { entries, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(entries).toEqual(JSON.parse(json).callList);
    expect(stream.answer).toEqual({ retCode: 0, retMsg: 'success', responseID: 'resp-1', batchID: 'b-7', totalCount: 5000 });
    expect(stream.bytes).toBe(Buffer.byteLength(json));
    // The request: the spec's body, signed as the vendor describes, asking for gzip.
    const [request] = received;
    expect(JSON.parse(request!.body)).toEqual({ productID: 'callbot', userTaskID: 'task-1' });
    const h = request!.headers;
    expect(h.sign).toBe(signOf(request!.body, { createTs: String(h.createts), requestID: String(h.requestid), uuid: String(h.uuid) }));
    expect(h['accept-encoding']).toMatch(/gzip/);
    expect(stream.requestID).toBe(h.requestid);
  });

  it('hands over entries before the answer has ended (memory holds a chunk, not the answer)', async () => {
    const json = answerOf(2000);
    const half = json.indexOf('{"orderID":"order-1000"');
    let firstSeen!: () => void;
    const seen = new Promise<void>((resolve) => {
      firstSeen = resolve;
    });
    play = (req, res) => {
      res.writeHead(200, signedHeaders(req, json));
      res.write(json.slice(0, half));
      // The rest only once the client has handed over an entry of the first half.
      void seen.then(() => res.end(json.slice(half)));
    };
    const entries: ExportedCallItem[] = [];
    for await (const call of client().exportBatchCallStream({ userTaskID: 'task-1' }, { timeoutMs: 10_000 })) {
      entries.push(call);
      firstSeen();
    }
    expect(entries).toHaveLength(2000);
  });

  it('a gzip answer is inflated as it is read; the sign covers the JSON text', async () => {
    const json = answerOf(3000);
    play = (req, res) => {
      expect(req.headers['accept-encoding']).toMatch(/gzip/);
      res.writeHead(200, { ...signedHeaders(req, json), 'content-encoding': 'gzip' }).end(gzipSync(json));
    };
    const stream = client().exportBatchCallStream({ userTaskID: 'task-1' });
    const { entries, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(entries).toEqual(JSON.parse(json).callList);
    expect(stream.answer?.batchID).toBe('b-7');
  });

  it('an answer signed with SHA256 (its algorithm header) is verified with SHA256', async () => {
    const json = answerOf(500);
    play = (req, res) => {
      const h = { requestID: String(req.headers.requestid), uuid: String(req.headers.uuid), createTs: String(Math.floor(Date.now() / 1000)) };
      const base = `${account.secretKey}&body=${json}&createTs=${h.createTs}&requestID=${h.requestID}&uuid=${h.uuid}`;
      const sign = createHash('sha256').update(base, 'utf8').digest('hex').toUpperCase();
      res.writeHead(200, { 'content-type': 'application/json', ...h, algorithm: 'SHA256', sign }).end(json);
    };
    const { entries, error } = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }));
    expect(error).toBeUndefined();
    expect(entries).toHaveLength(500);
  });

  it('one byte of the body changed after signing: CallbotSignatureError after the last byte, nothing believed', async () => {
    const json = answerOf(5000);
    const at = json.indexOf('86156', json.length / 2) + 6;
    const tampered = `${json.slice(0, at)}${json[at] === '0' ? '1' : '0'}${json.slice(at + 1)}`;
    play = (req, res) => res.writeHead(200, signedHeaders(req, json)).end(tampered);
    const stream = client().exportBatchCallStream({ userTaskID: 'task-1' });
    const { entries, error } = await drain(stream);
    expect(error).toBeInstanceOf(CallbotSignatureError);
    expect((error as Error).message).toMatch(/sign does not match/);
    expect((error as Error).message).not.toContain(account.secretKey);
    expect(JSON.stringify(error)).not.toContain(account.secretKey);
    expect(entries).toHaveLength(5000); // handed over as they came, and untrusted: the loop did not end normally
    expect(stream.answer).toBeUndefined();
  });

  it('a sign header that does not match, or none, or a requestID not echoed: CallbotSignatureError', async () => {
    const json = answerOf(100);
    play = (req, res) => res.writeHead(200, { ...signedHeaders(req, json), sign: 'A'.repeat(32) }).end(json);
    const wrong = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }));
    expect(wrong.error).toBeInstanceOf(CallbotSignatureError);

    play = (req, res) => {
      const { sign: _none, ...headers } = signedHeaders(req, json);
      res.writeHead(200, headers).end(json);
    };
    const unsigned = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }));
    expect(unsigned.error).toBeInstanceOf(CallbotSignatureError);
    expect((unsigned.error as Error).message).toMatch(/no sign\/createTs header/);
    expect(unsigned.entries).toEqual([]); // refused on its headers: not one entry read

    play = (req, res) => res.writeHead(200, { ...signedHeaders(req, json), requestID: 'someone-else' }).end(json);
    const echo = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }));
    expect(echo.error).toBeInstanceOf(CallbotSignatureError);
    expect(echo.entries).toEqual([]);
  });

  it('past maxBytes (counted after decoding) the read stops and the connection is closed: unknown outcome, told as a read', async () => {
    const json = answerOf(5000);
    play = (req, res) => {
      // One gzip member of the whole answer, and the connection left open (more could follow).
      res.writeHead(200, { ...signedHeaders(req, json), 'content-encoding': 'gzip' }).write(gzipSync(json));
    };
    const { error } = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }, { maxBytes: 100_000 }));
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect((error as Error).message).toMatch(/exceeds the stream's maxBytes \(100000 bytes, counted after decoding\)/);
    expect((error as Error).message).toMatch(/It was a read/);
    expect((error as Error).message).not.toMatch(/A write/);
    await expect.poll(() => received[0]!.socket.destroyed).toBe(true);
  });

  it('an answer whose head never comes, and one that stalls mid-body: unknown outcome when timeoutMs has passed', async () => {
    play = () => {}; // never answers
    const t0 = Date.now();
    const silent = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }, { timeoutMs: 300 }));
    expect(silent.error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect((silent.error as Error).message).toMatch(/the time ran out/);
    expect(Date.now() - t0).toBeLessThan(5000);

    const json = answerOf(1000);
    play = (req, res) => {
      res.writeHead(200, signedHeaders(req, json));
      res.write(json.slice(0, json.length / 2)); // and nothing more, the connection left open
    };
    const stream = client().exportBatchCallStream({ userTaskID: 'task-1' }, { timeoutMs: 500 });
    const stalled = await drain(stream);
    expect(stalled.error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect((stalled.error as Error).message).toMatch(/the time ran out before the answer was read to its end/);
    expect(stalled.entries.length).toBeGreaterThan(0);
    expect(stream.answer).toBeUndefined();
    await expect.poll(() => received.map((r) => r.socket.destroyed)).toEqual([true, true]); // both connections closed by the client
  });

  it('the caller’s signal ends the read with its reason', async () => {
    const json = answerOf(1000);
    play = (req, res) => {
      res.writeHead(200, signedHeaders(req, json));
      res.write(json.slice(0, 100));
    };
    const controller = new AbortController();
    const reason = new Error('enough');
    setTimeout(() => controller.abort(reason), 100);
    const { error } = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }, { signal: controller.signal }));
    expect(error).toBe(reason);
  });

  it('a signed answer with another retCode is a CallbotError; signed text that is not one JSON document is an unknown outcome', async () => {
    const refused = JSON.stringify({ retCode: 2, retMsg: 'no such task', responseID: 'resp-2' });
    play = (req, res) => res.writeHead(200, signedHeaders(req, refused)).end(refused);
    const stream = client().exportBatchCallStream({ userTaskID: 'task-1' });
    const { error } = await drain(stream);
    expect(error).toBeInstanceOf(CallbotError);
    expect(error).toMatchObject({ retCode: 2, retMsg: 'no such task', responseID: 'resp-2' });
    expect(stream.answer).toBeUndefined();

    for (const text of [answerOf(10).slice(0, -1), `${answerOf(10)} {}`, 'not json']) {
      play = (req, res) => res.writeHead(200, signedHeaders(req, text)).end(text);
      const unreadable = await drain(client().exportBatchCallStream({ userTaskID: 'task-1' }));
      expect(unreadable.error).toBeInstanceOf(CallbotUnknownOutcomeError);
      expect((unreadable.error as Error).message).toMatch(/signed but not one JSON document/);
    }
  });

  it('refuses a wrong body or option before sending anything, and a second iteration', async () => {
    expect(() => client().exportBatchCallStream({ userTaskID: 'task-1' }, { maxBytes: 0 })).toThrow(TypeError);
    const invalid = await drain(client().exportBatchCallStream({} as { userTaskID: string }));
    expect(invalid.error).toBeInstanceOf(CallbotValidationError);
    expect(received).toHaveLength(0);

    const json = answerOf(3);
    play = (req, res) => res.writeHead(200, signedHeaders(req, json)).end(json);
    const stream = client().exportBatchCallStream({ userTaskID: 'task-1' });
    await drain(stream);
    await expect(drain(stream)).resolves.toMatchObject({ error: expect.any(TypeError) });
    expect(received).toHaveLength(1);
  });
});

describe('exportBatchCallStream and the client’s options', () => {
  it('awaits beforeSend with the requestID about to leave; what it throws is thrown, nothing sent', async () => {
    const json = answerOf(3);
    play = (req, res) => res.writeHead(200, signedHeaders(req, json)).end(json);
    const seen: unknown[] = [];
    const journaled = createCallbotClient({ ...account, baseUrl: server.url, beforeSend: (attempt) => void seen.push(attempt) });
    const stream = journaled.exportBatchCallStream({ userTaskID: 'task-1' });
    expect((await drain(stream)).entries).toHaveLength(3);
    expect(seen).toEqual([{ operationId: 'exportBatchCall', requestID: received[0]!.headers.requestid, attempt: 1 }]);

    const refusal = new Error('journal full');
    const refusing = createCallbotClient({
      ...account,
      baseUrl: server.url,
      beforeSend: () => {
        throw refusal;
      },
    });
    expect((await drain(refusing.exportBatchCallStream({ userTaskID: 'task-1' }))).error).toBe(refusal);
    expect(received).toHaveLength(1);
  });
});

describe('an answer too large for exportBatchCall (held whole) says what a read means', () => {
  it('names the bound and says a read changes nothing, not that "a write is never sent again"', async () => {
    const json = answerOf(2000);
    play = (req, res) => res.writeHead(200, signedHeaders(req, json)).end(json);
    const error = await createCallbotClient({ ...account, baseUrl: server.url, maxAnswerBytes: 10_000 })
      .exportBatchCall({ userTaskID: 'task-1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect((error as Error).message).toMatch(/exceeds maxAnswerBytes \(10000 bytes\)/);
    expect((error as Error).message).toMatch(/It was a read, which changes nothing at the vendor: asking again is safe\./);
    expect((error as Error).message).not.toMatch(/write/);
    expect(received).toHaveLength(1); // too large is final: not asked again
  });
});
