import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbotClient, type BeforeSendInfo, type CallbotClientOptions } from '../../src/client.js';
import { batch } from 'callbot-test-kit/bodies';
import { accepted, startFakeVendor, type FakeVendor } from 'callbot-test-kit/fake-vendor';

// The client's `beforeSend` hook: awaited before each attempt reaches fetch, with the requestID
// the attempt carries, so a caller can record "about to leave" first (callbot import's journal).

const account = { uuid: 'acct-uuid-1', secretKey: 'TOP-SECRET-key-0123456789' };
const noWait = { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} };

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(account);
});
afterAll(async () => {
  await vendor.close();
});
beforeEach(() => {
  vendor.received.length = 0;
  vendor.script({ answer: accepted() });
});

const client = (extra: Partial<CallbotClientOptions> = {}) => createCallbotClient({ ...account, baseUrl: vendor.url, retry: noWait, ...extra });

describe('beforeSend', () => {
  it('is awaited before each attempt leaves, with the requestID header that attempt carries', async () => {
    const busy = { answer: { retCode: 7, retMsg: '', responseID: 'r', totalCount: 0, successCount: 0 } };
    vendor.script(busy, { answer: accepted() });
    const seen: { info: BeforeSendInfo; receivedBefore: number }[] = [];
    const result = await client({
      beforeSend: async (info) => {
        await new Promise((resolve) => setTimeout(resolve, 20)); // the attempt waits for it
        seen.push({ info, receivedBefore: vendor.received.length });
      },
    }).importBatchCall(batch(2));
    expect(result.attempts).toBe(2);
    expect(seen.map((s) => s.info)).toEqual([
      { operationId: 'importBatchCall', requestID: vendor.received[0]!.headers.requestid, attempt: 1 },
      { operationId: 'importBatchCall', requestID: vendor.received[1]!.headers.requestid, attempt: 2 },
    ]);
    // Each call came before its own request reached the vendor.
    expect(seen.map((s) => s.receivedBefore)).toEqual([0, 1]);
    expect(result.requestID).toBe(seen[1]!.info.requestID);
  });

  it('when it throws, nothing of that attempt is sent, nothing retried, and the call rejects with that very error', async () => {
    const refusal = new Error('cannot write the journal');
    let calls = 0;
    const error = await client({
      beforeSend: async () => {
        calls += 1;
        throw refusal;
      },
    })
      .importBatchCall(batch(1))
      .catch((e: unknown) => e);
    expect(error).toBe(refusal);
    expect(calls).toBe(1);
    expect(vendor.received).toHaveLength(0);
  });

  it('a refusal on a resend stops there: the earlier attempt was sent, the refused one was not', async () => {
    const busy = { answer: { retCode: 7, retMsg: '', responseID: 'r', totalCount: 0, successCount: 0 } };
    vendor.script(busy, { answer: accepted() });
    const refusal = new Error('stop');
    const error = await client({
      beforeSend: ({ attempt }) => {
        if (attempt === 2) throw refusal;
      },
    })
      .importBatchCall(batch(1))
      .catch((e: unknown) => e);
    expect(error).toBe(refusal);
    expect(vendor.received).toHaveLength(1);
  });
});
