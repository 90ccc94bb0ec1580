import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retCodesWithOutcome } from '../../generated/retcodes.js';
import { createCallbotClient, type CallbotClientOptions } from '../../src/client.js';
import { CallbotError, CallbotNotSentError, CallbotUnknownOutcomeError } from '../../src/errors.js';
import { batch } from 'callbot-test-kit/bodies';
import { accepted, startFakeVendor, type Behaviour, type FakeVendor } from 'callbot-test-kit/fake-vendor';

// The per-call options of every method (CallOptions: signal, timeoutMs, retry), against the
// loopback vendor of packages/test-kit/src/fake-vendor.ts, which counts what reaches it.

const account = { uuid: 'acct-uuid-call-options', secretKey: 'CALL-OPTIONS-secret-0123456789' };
const noWait = { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} };
const notProcessed = retCodesWithOutcome('not-processed')[0]!;
const busy: Behaviour = { answer: { retCode: notProcessed, retMsg: 'busy', responseID: 'r' } };
const query = { queryConditions: {} };
const emptyList: Behaviour = { answer: { retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 0, taskData: [] } };

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

const client = (extra: Partial<CallbotClientOptions> = {}) => createCallbotClient({ ...account, baseUrl: vendor.url, retry: noWait, logger: false, ...extra });

/** Pages of 2 tasks, 10 in all: 5 pages if read to the end. */
const tenTasks: Behaviour = {
  kind: 'compute',
  answer: (body) => ({
    retCode: 0,
    retMsg: 'success',
    responseID: `p${body.page}`,
    totalCount: 10,
    taskData: [0, 1].map((i) => ({ userTaskID: `t-${(body.page - 1) * body.size + i}` })),
  }),
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('signal: the caller cancels a call', () => {
  it('a listing cancelled between pages rejects, and no further page is asked for', async () => {
    vendor.script(tenTasks);
    const controller = new AbortController();
    const seen: unknown[] = [];
    const loop = async () => {
      for await (const task of client().tasks({ ...query, size: 2 }, { signal: controller.signal })) {
        seen.push(task);
        if (seen.length === 3) controller.abort(); // inside page 2
      }
    };
    const error = (await rejection(loop())) as CallbotNotSentError;
    expect(error).toBeInstanceOf(CallbotNotSentError);
    expect(error.outcome).toBe('not-sent');
    expect(error.message).toMatch(/cancelled/);
    expect(error.cause).toBe(controller.signal.reason);
    expect(seen).toHaveLength(4); // page 2 was already read: its items are real answers
    expect(vendor.received.map((r) => JSON.parse(r.json).page)).toEqual([1, 2]);
  });

  it('a signal aborted before the call: nothing is sent, CallbotNotSentError', async () => {
    const error = (await rejection(client().importBatchCall(batch(1), { signal: AbortSignal.abort() }))) as CallbotNotSentError;
    expect(error).toBeInstanceOf(CallbotNotSentError);
    expect(error.outcome).toBe('not-sent');
    expect(vendor.received).toHaveLength(0);
  });

  it('an abort with the request in flight: unknown outcome with its requestID, not sent again even for a read', async () => {
    vendor.script({ kind: 'slow', ms: 5000 });
    const controller = new AbortController();
    const started = Date.now();
    const call = client().listTasks({ ...query, page: 1, size: 10 }, { signal: controller.signal });
    while (vendor.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const error = (await rejection(call)) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error.outcome).toBe('unknown');
    expect(error.message).toMatch(/cancelled/);
    expect(error.requestID).toBe(vendor.received[0]!.headers.requestid);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(vendor.received).toHaveLength(1);
  });

  it('an abort during the wait between attempts stops there: the last attempt’s error, nothing more sent', async () => {
    vendor.script(busy);
    const controller = new AbortController();
    // The client would wait 10 s and send again; the caller cancels as the wait begins.
    const retryThenCancel = { baseDelayMs: 10_000, maxDelayMs: 10_000, onRetry: () => controller.abort() };
    const started = Date.now();
    const stopped = (await rejection(client({ retry: retryThenCancel }).importBatchCall(batch(1), { signal: controller.signal }))) as CallbotError;
    expect(stopped).toBeInstanceOf(CallbotError);
    expect(stopped.retCode).toBe(notProcessed);
    expect(stopped.outcome).toBe('not-processed');
    expect(vendor.received).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('timeoutMs and retry for one call', () => {
  it('a call’s timeoutMs shorter than the client’s: unknown outcome with its requestID, sent once', async () => {
    vendor.script({ kind: 'slow', ms: 4000 });
    const started = Date.now();
    const error = (await rejection(client({ timeoutMs: 60_000 }).importBatchCall(batch(1), { timeoutMs: 200 }))) as CallbotUnknownOutcomeError;
    expect(error).toBeInstanceOf(CallbotUnknownOutcomeError);
    expect(error.requestID).toBe(vendor.received[0]!.headers.requestid);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(vendor.received).toHaveLength(1);
  });

  it('retry: false stops a retry the client would make; an object replaces only the fields it names', async () => {
    vendor.script(busy, { answer: accepted() });
    const error = (await rejection(client().importBatchCall(batch(1), { retry: false }))) as CallbotError;
    expect(error).toBeInstanceOf(CallbotError);
    expect(error.outcome).toBe('not-processed');
    expect(vendor.received).toHaveLength(1);

    vendor.received.length = 0;
    vendor.script(busy, busy, { answer: accepted() });
    // maxAttempts 2 for this call; the client's instant sleep is kept (else this would wait a second).
    const started = Date.now();
    await expect(client().importBatchCall(batch(1), { retry: { maxAttempts: 2 } })).rejects.toBeInstanceOf(CallbotError);
    expect(Date.now() - started).toBeLessThan(900);
    expect(vendor.received).toHaveLength(2);

    vendor.received.length = 0;
    vendor.script(busy, { answer: accepted() });
    await expect(client({ retry: false }).importBatchCall(batch(1), { retry: noWait })).resolves.toMatchObject({ attempts: 2 });
  });

  it('wrong options are a TypeError before anything is sent; the client’s timeoutMs is checked at creation', async () => {
    vendor.script(emptyList);
    const c = client();
    const list = { ...query, page: 1, size: 10 };
    for (const wrong of [{ timeoutMs: 'x' }, { timeoutMs: 0 }, { timeoutMs: 1.5 }, { signal: {} }, { retry: 3 }, 'fast']) {
      await expect(c.listTasks(list, wrong as never)).rejects.toThrow(TypeError);
    }
    expect(() => c.tasks(query, { timeoutMs: -1 })).toThrow(/timeoutMs must be a positive integer/);
    expect(() => createCallbotClient({ ...account, timeoutMs: 0 })).toThrow(/timeoutMs must be a positive integer/);
    expect(vendor.received).toHaveLength(0);
    await expect(c.listTasks(list, { timeoutMs: 5000, retry: false, signal: new AbortController().signal })).resolves.toMatchObject({ attempts: 1 });
  });
});
