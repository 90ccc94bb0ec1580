import { describe, expectTypeOf, it } from 'vitest';
import {
  type AnswerDeviationReport,
  type CallbackDeviationReport,
  type CallbackHandlerOptions,
  type CallbackMeta,
  type CallFinishedCallback,
  createCallbackHandler,
  type Tolerant,
  type ValidationIssue,
} from '../../src/index.js';

// What the editor says about a callback that may deviate at run time (issue 17, item 1).
describe('callback handler types', () => {
  it("a handler's meta carries the deviations, readonly, with the requestID and the kind", () => {
    expectTypeOf<CallbackMeta['deviations']>().toEqualTypeOf<readonly ValidationIssue[]>();
    expectTypeOf<CallbackMeta['deviationCount']>().toEqualTypeOf<number>();
    expectTypeOf<CallbackMeta['kind']>().toEqualTypeOf<'task' | 'order' | 'call'>();
    expectTypeOf<Parameters<NonNullable<CallbackHandlerOptions['onCallFinished']>>[1]>().toEqualTypeOf<CallbackMeta>();
    expectTypeOf<CallbackDeviationReport>().toMatchTypeOf<{
      requestID: string;
      refused: boolean;
      suppressed: number;
      deviations: readonly ValidationIssue[];
    }>();
    expectTypeOf<AnswerDeviationReport['operationId']>().toEqualTypeOf<import('../../src/index.js').OperationId>();
  });

  it('existing handlers typed with the spec type (or taking only the requestID) still compile', () => {
    createCallbackHandler({
      secretKey: 's',
      onCallFinished: (call: CallFinishedCallback, meta: { requestID: string }) => {
        void call.callInfoDetail.callID;
        void meta.requestID;
      },
    });
  });

  it('Tolerant<T>: a handler may take its payload as it may really arrive, and must then check each field', () => {
    createCallbackHandler({
      secretKey: 's',
      strict: false,
      onCallFinished: (call: Tolerant<CallFinishedCallback>, meta) => {
        // @ts-expect-error callInfoDetail may be null or missing
        void call.callInfoDetail.callID;
        void call.callInfoDetail?.callID;
        void meta.deviations;
      },
      onDeviation: (report) => void report.deviations,
    });
    expectTypeOf<NonNullable<NonNullable<Tolerant<CallFinishedCallback>['callInfoDetail']>['callStatus']>>().toEqualTypeOf<number>();
    expectTypeOf<Tolerant<CallFinishedCallback>['callInfoDetail']>().toMatchTypeOf<object | null | undefined>();
    // The spec's type is a Tolerant one: what fits the spec is accepted wherever deviations are.
    expectTypeOf<CallFinishedCallback>().toMatchTypeOf<Tolerant<CallFinishedCallback>>();
  });
});
