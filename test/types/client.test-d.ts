import { describe, expectTypeOf, it } from 'vitest';
import {
  createCallbotClient,
  type CallbotClientOptions,
  type CallbotConnectionError,
  type CallbotError,
  type CallbotNotSentError,
  type CallbotSignatureError,
  type CallbotUnknownOutcomeError,
  type ExportBatchCallResponse,
  type ExportBatchCallStream,
  type ExportedCallItem,
  type CallbotLogger,
  type CallOptions,
  type ImportBatchCallResult,
  type PagedListOptions,
  type RetryOptions,
  type StreamReadOptions,
} from '../../src/index.js';
import type { RetCodeName } from '../../generated/retcodes.js';

const client = createCallbotClient({ uuid: 'u', secretKey: 's' });
const order = { orderID: 'o', userPhone: '8615600000000', other: '', userName: '', customerName: '', params: [] };
const callInfoList = { orderCallbackUrl: 'http://x/o', callCallbackUrl: 'http://x/c', callList: [order] };

describe('client types', () => {
  it('importBatchCall needs no signing headers and no productID, and resolves to a success with errList', () => {
    expectTypeOf(client.importBatchCall({ userTaskID: 't', callInfoList })).resolves.toEqualTypeOf<ImportBatchCallResult>();
    expectTypeOf<ImportBatchCallResult['retCode']>().toEqualTypeOf<0>();
    expectTypeOf<ImportBatchCallResult['errList']>().toEqualTypeOf<{ phone: string; errMsg: string }[]>();
  });

  it('refuses bodies that break the contract at compile time', () => {
    const withoutPhone = { ...callInfoList, callList: [{ orderID: 'o', other: '', userName: '', customerName: '', params: [] }] };
    // @ts-expect-error userPhone is required
    void client.importBatchCall({ userTaskID: 't', callInfoList: withoutPhone });
    // @ts-expect-error productID can only be "callbot"
    void client.importBatchCall({ productID: 'sms', userTaskID: 't', callInfoList });
    // @ts-expect-error the algorithm is MD5 or SHA256
    createCallbotClient({ uuid: 'u', secretKey: 's', algorithm: 'SHA1' });
  });

  it('the raw client knows the path, and its body type is the contract', () => {
    void client.raw.POST('/callcentre/api/v3/importBatchCall', { body: { productID: 'callbot', userTaskID: 't', callInfoList } });
    // @ts-expect-error unknown path
    void client.raw.POST('/callcentre/api/v3/createTask', { body: {} });
  });

  it('not-sent errors share a class and an outcome; an unknown outcome may name a redirect', () => {
    expectTypeOf<CallbotConnectionError>().toExtend<CallbotNotSentError>();
    expectTypeOf<CallbotNotSentError['outcome']>().toEqualTypeOf<'not-sent'>();
    expectTypeOf<CallbotUnknownOutcomeError['location']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<CallbotClientOptions['maxAnswerBytes']>().toEqualTypeOf<number | undefined>();
  });

  it('CallbotError carries the retCode and a documented name', () => {
    expectTypeOf<CallbotError['retCode']>().toEqualTypeOf<number>();
    expectTypeOf<CallbotError['retryable']>().toEqualTypeOf<boolean>();
    expectTypeOf<CallbotError['outcome']>().toEqualTypeOf<'not-processed' | 'refused' | 'unknown'>();
    // …so one switch on `error.outcome` covers every error that was (or was not) sent.
    expectTypeOf<CallbotUnknownOutcomeError['outcome']>().toEqualTypeOf<'unknown'>();
    expectTypeOf<CallbotSignatureError['outcome']>().toEqualTypeOf<'unknown'>();
    expectTypeOf<CallbotConnectionError['outcome']>().toEqualTypeOf<'not-sent'>();
    expectTypeOf<'SystemBusy'>().toExtend<RetCodeName>();
  });

  it('exportBatchCallStream is an async iterable of callList entries, with the other fields after the loop', async () => {
    const stream = client.exportBatchCallStream({ userTaskID: 't' }, { maxBytes: 1e9, timeoutMs: 60_000, signal: AbortSignal.timeout(1) });
    expectTypeOf(stream).toEqualTypeOf<ExportBatchCallStream>();
    expectTypeOf(stream).toExtend<AsyncIterable<ExportedCallItem>>();
    expectTypeOf<ExportedCallItem>().toEqualTypeOf<NonNullable<ExportBatchCallResponse['callList']>[number]>();
    for await (const call of stream) expectTypeOf(call.orderID).toEqualTypeOf<ExportedCallItem['orderID']>();
    expectTypeOf(stream.answer).toEqualTypeOf<Omit<ExportBatchCallResponse, 'callList'> | undefined>();
    expectTypeOf(stream.requestID).toEqualTypeOf<string | undefined>();
    expectTypeOf(stream.bytes).toEqualTypeOf<number>();
    expectTypeOf<StreamReadOptions>().toEqualTypeOf<{ maxBytes?: number; timeoutMs?: number; signal?: AbortSignal }>();
    // @ts-expect-error the body is the contract's: userTaskID is required
    client.exportBatchCallStream({});
    // @ts-expect-error no callList on the answer's other fields
    void stream.answer?.callList;
  });

  it('every method takes CallOptions last, typed; the iterators take them with their paging options', () => {
    expectTypeOf<CallOptions>().toEqualTypeOf<{ signal?: AbortSignal; timeoutMs?: number; retry?: RetryOptions | false }>();
    const signal = new AbortController().signal;
    void client.listTasks({ queryConditions: {}, page: 1, size: 10 }, { signal, timeoutMs: 5000, retry: false });
    void client.ping('x', { retry: { maxAttempts: 2 } });
    void client.completeTask('t', { delCall: 1 }, { signal });
    void client.startTask('t', { timeoutMs: 1000 });
    expectTypeOf(client.tasks).parameter(1).toEqualTypeOf<PagedListOptions | undefined>();
    void client.tasks({ queryConditions: {} }, { signal, maxPages: 10, timeoutMs: 1000 });
    // @ts-expect-error timeoutMs is a number
    void client.listTasks({ queryConditions: {}, page: 1, size: 10 }, { timeoutMs: 'x' });
    // @ts-expect-error signal is an AbortSignal
    void client.importBatchCall({ userTaskID: 't', callInfoList }, { signal: true });
    // @ts-expect-error retry is an object or false
    void client.orders({ userTaskID: 't', options: {} }, { retry: true });
  });

  it('the logger is an object with debug(), a function, or false', () => {
    expectTypeOf<CallbotClientOptions['logger']>().toEqualTypeOf<CallbotLogger | false | undefined>();
    createCallbotClient({ uuid: 'u', secretKey: 's', logger: console });
    createCallbotClient({ uuid: 'u', secretKey: 's', logger: (line: string) => void line });
    // @ts-expect-error a logger needs debug()
    createCallbotClient({ uuid: 'u', secretKey: 's', logger: { info: (line: string) => void line } });
  });
});
