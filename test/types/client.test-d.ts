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
  type ImportBatchCallResult,
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
});
