import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type MockServer } from '../src/index.js';
import { RetCodes } from 'callbot-contract';
import { answerSignatureValid, demo, importBody, sendImport } from './helpers.js';

const acme = { uuid: 'acme-uuid', secretKey: 'acme-secret-key', algorithm: 'SHA256' as const };
let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer({ port: 0, importingMs: 0, timeToleranceSeconds: 60, accounts: [acme], callbacks: { enabled: false } });
});
afterAll(() => mock.close());

const now = () => Math.floor(Date.now() / 1000);

describe('signature', () => {
  it('accepts MD5 without an algorithm header, and echoes requestID/uuid in a signed answer', async () => {
    const answer = await sendImport(mock.url, importBody(2), { requestID: 'req-md5-1' });
    expect(answer.json.retCode).toBe(0);
    expect(answer.headers.get('requestID')).toBe('req-md5-1');
    expect(answer.headers.get('uuid')).toBe('demo-0000-callbot-mock');
    expect(answer.headers.get('algorithm')).toBe('MD5');
    expect(answer.headers.get('sign')).toMatch(/^[0-9A-F]{32}$/);
    expect(Math.abs(Number(answer.headers.get('createTs')) - now())).toBeLessThanOrEqual(5);
    expect(answerSignatureValid(answer)).toBe(true);
  });

  it('accepts SHA256 (algorithm header) and signs the answer with SHA256', async () => {
    const answer = await sendImport(mock.url, importBody(2), { algorithm: 'SHA256' });
    expect(answer.json.retCode).toBe(0);
    expect(answer.headers.get('algorithm')).toBe('SHA256');
    expect(answer.headers.get('sign')).toMatch(/^[0-9A-F]{64}$/);
    expect(answerSignatureValid(answer)).toBe(true);
  });

  it("uses MD5 when the header is absent even for an account set to SHA256 (the spec's Choice)", async () => {
    const md5 = await sendImport(mock.url, importBody(1), { uuid: acme.uuid, secretKey: acme.secretKey });
    expect(md5.json.retCode).toBe(0);
    expect(answerSignatureValid(md5, acme.secretKey)).toBe(true);
    const sha = await sendImport(mock.url, importBody(1), { uuid: acme.uuid, secretKey: acme.secretKey, algorithm: 'SHA256' });
    expect(sha.json.retCode).toBe(0);
  });

  it('a SHA256 signature sent without the algorithm header is wrong (6)', async () => {
    const answer = await sendImport(mock.url, importBody(1), { algorithm: 'SHA256', algorithmHeader: null });
    expect(answer.json.retCode).toBe(6);
  });

  it('accepts header names in any case (requestId, UUID, CREATETS, Sign)', async () => {
    const answer = await sendImport(mock.url, importBody(1), { requestIdHeader: 'requestId', requestID: 'lower-d' });
    expect(answer.json.retCode).toBe(0);
    expect(answer.headers.get('requestID')).toBe('lower-d');
    expect(answerSignatureValid(answer)).toBe(true);
  });

  it('missing sign → 6001', async () => {
    const answer = await sendImport(mock.url, importBody(1), { sign: null });
    expect(answer.json.retCode).toBe(6001);
    expect(answer.json).toMatchObject({ totalCount: 0, successCount: 0 });
  });

  it('wrong sign → 6 (one flipped character; wrong secret; body changed after signing)', async () => {
    const good = await sendImport(mock.url, importBody(1), { sign: 'A'.repeat(32) });
    expect(good.json.retCode).toBe(6);
    expect((await sendImport(mock.url, importBody(1), { secretKey: 'not-the-secret' })).json.retCode).toBe(6);
    const body = JSON.stringify(importBody(1));
    const createTs = String(now());
    const { sign } = await import('callbot-contract');
    const signature = sign({ secretKey: 'demo-secret-for-the-local-mock-only', body, createTs, requestID: 'r1', uuid: 'demo-0000-callbot-mock' });
    const tampered = body.replace('"ticket-0"', '"ticket-X"');
    expect((await sendImport(mock.url, tampered, { createTs, requestID: 'r1', sign: signature })).json.retCode).toBe(6);
    expect((await sendImport(mock.url, body, { createTs, requestID: 'r1', sign: signature })).json.retCode).toBe(0);
  });

  it('a lowercase hex sign → 6, as strict as the vendor documents (UPPER(hex(HASH(...))))', async () => {
    // Issue 9, finding 17: a client that sends lowercase would pass a lenient mock and fail at the vendor.
    const { sign } = await import('callbot-contract');
    for (const algorithm of ['MD5', 'SHA256'] as const) {
      const body = JSON.stringify(importBody(1));
      const createTs = String(now());
      const requestID = `case-${algorithm}`;
      const upper = sign({ secretKey: demo.secretKey, body, createTs, requestID, uuid: demo.uuid, algorithm });
      expect(upper).toMatch(/^[0-9A-F]+$/);
      const lower = await sendImport(mock.url, body, { algorithm, createTs, requestID, sign: upper.toLowerCase() });
      expect(lower.json.retCode, algorithm).toBe(RetCodes.IncorrectSignature.code);
      expect(lower.json.retMsg).toContain('uppercase');
      expect(answerSignatureValid(lower)).toBe(true);
      const letter = upper.search(/[A-F]/); // one letter lowercased (a digest of digits only has none: ~1e-7 for MD5)
      const mixed = letter < 0 ? upper.toLowerCase().replace(/^./, 'x') : `${upper.slice(0, letter)}${upper[letter]!.toLowerCase()}${upper.slice(letter + 1)}`;
      expect((await sendImport(mock.url, body, { algorithm, createTs, requestID, sign: mixed })).json.retCode).toBe(RetCodes.IncorrectSignature.code);
      expect((await sendImport(mock.url, body, { algorithm, createTs, requestID, sign: upper })).json.retCode, algorithm).toBe(RetCodes.Success.code);
    }
  });

  it('an algorithm header other than MD5/SHA256 → 6', async () => {
    const answer = await sendImport(mock.url, importBody(1), { algorithmHeader: 'md5' });
    expect(answer.json.retCode).toBe(6);
    expect(answer.json.retMsg).toContain('algorithm');
  });

  it("answers 6 and 6001 signed with the account's secret (the account is known)", async () => {
    const wrong = await sendImport(mock.url, importBody(1), { sign: 'B'.repeat(32) });
    expect(answerSignatureValid(wrong)).toBe(true);
    const missing = await sendImport(mock.url, importBody(1), { sign: null });
    expect(answerSignatureValid(missing)).toBe(true);
  });

  it('unknown uuid → 6002, answered without a sign (no secret to sign with) but with the echoes', async () => {
    const answer = await sendImport(mock.url, importBody(1), { uuid: 'nobody', requestID: 'who' });
    expect(answer.json.retCode).toBe(6002);
    expect(answer.headers.get('sign')).toBeNull();
    expect(answer.headers.get('uuid')).toBe('nobody');
    expect(answer.headers.get('requestID')).toBe('who');
    expect(answer.headers.get('createTs')).toMatch(/^\d+$/);
  });

  it('missing uuid → 6002; missing requestID or createTs → 2; non-numeric createTs → 3', async () => {
    expect((await sendImport(mock.url, importBody(1), { uuid: '' })).json.retCode).toBe(6002);
    const noRequestID = await sendImport(mock.url, importBody(1), { requestIdHeader: 'x-unused' });
    expect(noRequestID.json.retCode).toBe(2);
    expect(noRequestID.json.retMsg).toContain('requestID');
    const noCreateTs = await sendImport(mock.url, importBody(1), { createTs: '' });
    expect(noCreateTs.json).toMatchObject({ retCode: 2 });
    expect(noCreateTs.json.retMsg).toContain('createTs');
    expect((await sendImport(mock.url, importBody(1), { createTs: '17e8' })).json.retCode).toBe(3);
  });
});

describe('createTs window (configured ±60 s here)', () => {
  it('accepts createTs inside the window on both sides', async () => {
    expect((await sendImport(mock.url, importBody(1), { createTs: String(now() - 50) })).json.retCode).toBe(0);
    expect((await sendImport(mock.url, importBody(1), { createTs: String(now() + 50) })).json.retCode).toBe(0);
  });

  it('refuses a correctly signed request outside the window with 4 and a message that says why', async () => {
    const old = await sendImport(mock.url, importBody(1), { createTs: String(now() - 3600) });
    expect(old.json.retCode).toBe(4);
    expect(old.json.retMsg).toMatch(/createTs is \d+ s behind the server clock \(allowed: ±60 s/);
    const future = await sendImport(mock.url, importBody(1), { createTs: String(now() + 3600) });
    expect(future.json.retCode).toBe(4);
    expect(future.json.retMsg).toContain('ahead of');
  });

  it('checks the signature before the clock (a forged old request gets 6, not a hint about time)', async () => {
    const answer = await sendImport(mock.url, importBody(1), { createTs: String(now() - 3600), sign: 'C'.repeat(32) });
    expect(answer.json.retCode).toBe(6);
  });
});
