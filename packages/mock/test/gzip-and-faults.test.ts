import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../src/index.js';
import { advance, answerSignatureValid, importBody, sendImport, sendSigned, tasksOf } from './helpers.js';
import { IMPORT_BATCH_CALL_PATH, RetCodes, retCodeInfo } from 'callbot-contract';

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer({ port: 0, importingMs: 0, maxDecompressedBytes: 4 * 1024 * 1024, callbacks: { enabled: false } });
});
afterAll(() => mock.close());

describe('Content-Encoding: gzip', () => {
  it('decompresses the body and checks the signature over the JSON text', async () => {
    const answer = await sendImport(mock.url, importBody(20), { gzip: true });
    expect(answer.json).toMatchObject({ retCode: 0, totalCount: 20, successCount: 20 });
    expect(answerSignatureValid(answer)).toBe(true);
  });

  it('refuses a signature computed over the compressed bytes (6)', async () => {
    const text = JSON.stringify(importBody(2));
    const { sign } = await import('callbot-contract');
    const compressed = gzipSync(text);
    const createTs = String(Math.floor(Date.now() / 1000));
    const overCompressed = sign({
      secretKey: 'demo-secret-for-the-local-mock-only',
      body: compressed,
      createTs,
      requestID: 'g1',
      uuid: 'demo-0000-callbot-mock',
    });
    const response = await fetch(`${mock.url}${IMPORT_BATCH_CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Encoding': 'gzip', requestID: 'g1', uuid: 'demo-0000-callbot-mock', createTs, sign: overCompressed },
      body: new Uint8Array(compressed),
    });
    expect((await response.json()).retCode).toBe(6);
  });

  it('truncated gzip → 3 with a clear message', async () => {
    const compressed = gzipSync(JSON.stringify(importBody(50)));
    const truncated = compressed.subarray(0, Math.floor(compressed.length / 2));
    const response = await fetch(`${mock.url}${IMPORT_BATCH_CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Encoding': 'gzip', requestID: 't', uuid: 'demo-0000-callbot-mock', createTs: '1', sign: 'X' },
      body: new Uint8Array(truncated),
    });
    const json = await response.json();
    expect(response.status).toBe(200);
    expect(json.retCode).toBe(3);
    expect(json.retMsg).toContain('not valid gzip');
  });

  it('a gzip bomb stops at the decompressed-size cap with 4001 (not an out-of-memory)', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }); // 64 MiB of spaces, ~64 KiB on the wire
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const response = await fetch(`${mock.url}${IMPORT_BATCH_CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Encoding': 'gzip', requestID: 'b', uuid: 'demo-0000-callbot-mock', createTs: '1', sign: 'X' },
      body: new Uint8Array(bomb),
    });
    const json = await response.json();
    expect(json.retCode).toBe(4001);
    expect(json.retMsg).toContain('decompresses to more than 4 MiB');
  });

  it('an encoding other than gzip → 3', async () => {
    const answer = await sendImport(mock.url, importBody(1), { headers: { 'Content-Encoding': 'br' } });
    expect(answer.json.retCode).toBe(3);
    expect(answer.json.retMsg).toContain('only gzip');
  });
});

describe('fault injection by header (x-callbot-mock-fault)', () => {
  const cases: [string, number][] = [
    ['maintenance', 5],
    ['busy', 7],
    ['internal', 5001],
    ['in-progress', 1001],
    ['general', 1],
    ['no-permission', 6003],
  ];
  for (const [fault, retCode] of cases) {
    it(`${fault} → retCode ${retCode}, signed, nothing imported`, async () => {
      const body = importBody(3);
      const answer = await sendImport(mock.url, body, { headers: { 'x-callbot-mock-fault': fault } });
      expect(answer.status).toBe(200);
      expect(answer.json.retCode).toBe(retCode);
      expect(answer.json.retMsg).toContain(`injected fault: ${fault}`);
      expect(answer.json.retMsg.startsWith(`${retCodeInfo(retCode)!.zh} (`)).toBe(true); // the vendor's message, from the spec's table
      expect(answerSignatureValid(answer)).toBe(true);
      expect(await tasksOf(mock.url, { userTaskID: body.userTaskID })).toEqual([]);
    });
  }

  it('internal-after-import → 5001 although the batch WAS imported (why 5001 is not safe to retry)', async () => {
    const body = importBody(2);
    const answer = await sendImport(mock.url, body, { headers: { 'x-callbot-mock-fault': 'internal-after-import' } });
    expect(answer.json.retCode).toBe(5001);
    const [task] = await tasksOf(mock.url, { userTaskID: body.userTaskID });
    expect(task.orders.map((o: any) => o.orderID)).toEqual(['order-0', 'order-1']);
  });

  it('internal-after-import on another operation: it is carried out, then 5001', async () => {
    const userTaskID = `created-${Date.now()}`;
    const answer = await sendSigned(
      mock.url,
      '/callcentre/api/v3/createTask',
      { productID: 'callbot', userTaskID, sceneID: 's' },
      { headers: { 'x-callbot-mock-fault': 'internal-after-import' } },
    );
    expect(answer.json.retCode).toBe(5001);
    expect(answer.json.retMsg).toContain('WAS carried out');
    expect(answerSignatureValid(answer)).toBe(true);
    expect(await tasksOf(mock.url, { userTaskID })).toHaveLength(1);
  });

  it('latency=MS holds the answer back at least that long', async () => {
    const started = performance.now();
    const answer = await sendImport(mock.url, importBody(1), { headers: { 'x-callbot-mock-fault': 'latency=300' } });
    expect(answer.json.retCode).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('drop and drop-before-body close the connection without an answer, and the mock keeps serving', async () => {
    await expect(sendImport(mock.url, importBody(1), { headers: { 'x-callbot-mock-fault': 'drop' } })).rejects.toThrow();
    await expect(sendImport(mock.url, importBody(1), { headers: { 'x-callbot-mock-fault': 'drop-before-body' } })).rejects.toThrow();
    expect((await sendImport(mock.url, importBody(1))).json.retCode).toBe(0);
  });

  it('an unknown fault name → retCode 1 naming the header', async () => {
    const answer = await sendImport(mock.url, importBody(1), { headers: { 'x-callbot-mock-fault': 'explode' } });
    expect(answer.json.retCode).toBe(1);
    expect(answer.json.retMsg).toContain('x-callbot-mock-fault');
  });
});

describe('configured faults and the import lock', () => {
  it('applies a fault to the next N requests only: busy, busy, then success', async () => {
    const server = await createMockServer({ port: 0, importingMs: 0, callbacks: { enabled: false }, faults: [{ kind: 'busy', times: 2 }] });
    try {
      const codes = [];
      for (let i = 0; i < 3; i += 1) codes.push((await sendImport(server.url, importBody(1))).json.retCode);
      expect(codes).toEqual([7, 7, 0]);
    } finally {
      await server.close();
    }
  });

  it('an unauthenticated request does not use up a configured fault: busy:1 goes to the first signed request', async () => {
    // Issue 9, finding 13: faults used to be planned before authentication.
    const server = await createMockServer({ port: 0, importingMs: 0, callbacks: { enabled: false }, faults: [{ kind: 'busy', times: 1 }] });
    try {
      expect((await sendImport(server.url, importBody(1), { sign: null })).json.retCode).toBe(RetCodes.MissingSignature.code);
      expect((await sendImport(server.url, importBody(1), { sign: 'A'.repeat(32) })).json.retCode).toBe(RetCodes.IncorrectSignature.code);
      expect((await sendImport(server.url, importBody(1), { uuid: 'nobody' })).json.retCode).toBe(RetCodes.AccountNotFound.code);
      const busy = await sendImport(server.url, importBody(1));
      expect(busy.json.retCode).toBe(RetCodes.SystemBusy.code);
      expect(answerSignatureValid(busy)).toBe(true);
      expect((await sendImport(server.url, importBody(1))).json.retCode).toBe(RetCodes.Success.code);
    } finally {
      await server.close();
    }
  });

  it('a configured drop-before-body is not used up by a request naming an unknown account', async () => {
    const server = await createMockServer({ port: 0, importingMs: 0, callbacks: { enabled: false }, faults: [{ kind: 'drop-before-body', times: 1 }] });
    try {
      expect((await sendImport(server.url, importBody(1), { uuid: 'nobody' })).json.retCode).toBe(RetCodes.AccountNotFound.code);
      expect((await sendImport(server.url, importBody(1), { sign: null })).json.retCode).toBe(RetCodes.MissingSignature.code);
      await expect(sendImport(server.url, importBody(1))).rejects.toThrow();
      expect((await sendImport(server.url, importBody(1))).json.retCode).toBe(RetCodes.Success.code);
    } finally {
      await server.close();
    }
  });

  it('applies a probabilistic fault reproducibly for a seed', async () => {
    const run = async () => {
      const server = await createMockServer({
        port: 0,
        importingMs: 0,
        callbacks: { enabled: false, seed: 42 },
        faults: [{ kind: 'maintenance', probability: 0.5 }],
      });
      try {
        const codes = [];
        for (let i = 0; i < 12; i += 1) codes.push((await sendImport(server.url, importBody(1))).json.retCode);
        return codes;
      } finally {
        await server.close();
      }
    };
    const first = await run();
    expect(first).toContain(5);
    expect(first).toContain(0);
    expect(await run()).toEqual(first);
  });

  it("answers 1001 while the task's previous batch is importing (virtual time), then accepts again", async () => {
    const server = await createMockServer({ port: 0, importingMs: 1500, speed: 0, callbacks: { enabled: false } });
    try {
      const body = importBody(2);
      expect((await sendImport(server.url, body)).json.retCode).toBe(0);
      expect((await sendImport(server.url, body)).json.retCode).toBe(1001);
      // Another task of the same account is not locked.
      expect((await sendImport(server.url, importBody(1))).json.retCode).toBe(0);
      await advance(server.url, 1);
      expect((await sendImport(server.url, body)).json.retCode).toBe(1001);
      await advance(server.url, 1);
      expect((await sendImport(server.url, body)).json.retCode).toBe(0);
    } finally {
      await server.close();
    }
  });
});
