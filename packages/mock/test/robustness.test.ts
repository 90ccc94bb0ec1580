import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_BATCH_CALL_PATH } from 'callbot-contract';
import { startMockProcess, type MockProcess } from 'callbot-test-kit/mock-process';
import { answerSignatureValid, importBody, sendImport } from './helpers.js';

// Malformed input thrown at the mock as a real process: each gets a clear retCode (or, below
// HTTP, a clean refusal), and the mock keeps serving.
let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess(['--no-callbacks', '--importing-ms', '0', '--quiet']);
});
afterAll(async () => {
  await mock?.stop();
});

async function stillServes() {
  const answer = await sendImport(mock.url, importBody(2));
  expect(answer.json.retCode).toBe(0);
  expect(answerSignatureValid(answer)).toBe(true);
}

describe('robustness', () => {
  it('truncated gzip → 3', async () => {
    const whole = gzipSync(JSON.stringify(importBody(200)));
    const notGzip = await sendImport(mock.url, '{}', { headers: { 'Content-Encoding': 'gzip' } });
    expect(notGzip.json.retCode).toBe(3); // "{}" is not gzip at all
    const response = await fetch(`${mock.url}${IMPORT_BATCH_CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Encoding': 'gzip', requestID: 'r', uuid: 'demo-0000-callbot-mock', createTs: '1', sign: 'S' },
      body: new Uint8Array(whole.subarray(0, whole.length - 20)),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ retCode: 3, retMsg: expect.stringContaining('gzip') });
    await stillServes();
  });

  it('invalid UTF-8 (correctly signed over the raw bytes) → 3', async () => {
    const bytes = Buffer.concat([Buffer.from('{"productID":"callbot","userTaskID":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const answer = await sendImport(mock.url, new Uint8Array(bytes));
    expect(answer.json.retCode).toBe(3);
    expect(answer.json.retMsg).toContain('UTF-8');
    await stillServes();
  });

  it('non-JSON (correctly signed) → 3', async () => {
    for (const text of ['productID=callbot', '{"productID": "callbot",', '<xml/>', '\u0000\u0001']) {
      const answer = await sendImport(mock.url, text);
      expect(answer.json.retCode, text).toBe(3);
    }
    await stillServes();
  });

  it('deeply nested JSON (correctly signed) → 3, without a stack overflow', async () => {
    const depth = 200_000;
    const text = `{"productID":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const answer = await sendImport(mock.url, text);
    expect(answer.json.retCode).toBe(3);
    expect(answer.json.retMsg).toContain('nested deeper');
    await stillServes();
  });

  it('huge headers → a clean 431 refusal (below the API), and the mock keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${mock.url}${IMPORT_BATCH_CALL_PATH}`, { method: 'POST', headers: { 'x-padding': 'a'.repeat(64 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(431);
    await stillServes();
  });

  it('a 50 MB body → 4001 (larger than the 32 MiB cap), and the mock keeps serving', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x61);
    big.write('{"productID":"');
    big.write('"}', big.length - 2);
    const answer = await sendImport(mock.url, new Uint8Array(big));
    expect(answer.status).toBe(200);
    expect(answer.json.retCode).toBe(4001);
    expect(answer.json.retMsg).toContain('larger than 32 MiB');
    await stillServes();
  });

  it('a large valid batch (20,000 orders, gzip) is accepted in one request', async () => {
    const answer = await sendImport(mock.url, importBody(20_000), { gzip: true });
    expect(answer.json).toMatchObject({ retCode: 0, totalCount: 20_000, successCount: 20_000 });
  });

  it('a client that disconnects mid-body does not hurt the mock', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${mock.url}${IMPORT_BATCH_CALL_PATH}`, { method: 'POST', headers: { 'Content-Length': '100000' } });
      req.on('error', () => resolve());
      req.write('{"productID":"callbot"');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await stillServes();
    expect(mock.child.exitCode).toBeNull();
  });
});
