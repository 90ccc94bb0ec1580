import { describe, expectTypeOf, it } from 'vitest';
import type { components, operations, paths, webhooks } from '../../generated/schema.js';
import type { RetCodeValue } from '../../generated/retcodes.js';
import type { ValidatorName } from '../../generated/validators.js';
import { validateAgainst } from '../../src/validate.js';

type Schemas = components['schemas'];
type Request = Schemas['ImportBatchCallRequest'];
type Order = Schemas['CallOrder'];
type Response = Schemas['ImportBatchCallResponse'];

describe('generated types', () => {
  it('RetCode is exactly the union of the documented codes', () => {
    expectTypeOf<Schemas['RetCode']>().toEqualTypeOf<0 | 1 | 2 | 3 | 4 | 4001 | 5 | 5001 | 6 | 6001 | 6002 | 6003 | 7 | 1001>();
    expectTypeOf<RetCodeValue>().toEqualTypeOf<Schemas['RetCode']>();
  });

  it("an answer's retCode is any integer (the vendor may add codes); the documented ones still fit", () => {
    // anyOf [RetCode, integer] in the spec: openapi-typescript writes `RetCode | number`.
    expectTypeOf<Response['retCode']>().toEqualTypeOf<number>();
    expectTypeOf<Schemas['RetCode']>().toExtend<Response['retCode']>();
    const undocumented: Response = { retCode: 9999, retMsg: 'new', responseID: 'r', totalCount: 0, successCount: 0 };
    void undocumented;
  });

  it('productID is the literal "callbot"', () => {
    expectTypeOf<Request['productID']>().toEqualTypeOf<'callbot'>();
  });

  it('every order field of the vendor table is required', () => {
    expectTypeOf<Order>().toEqualTypeOf<{
      orderID: string;
      userPhone: string;
      other: string;
      userName: string;
      customerName: string;
      params: { name: string; value: string }[];
    }>();
    // @ts-expect-error userPhone is required
    const missingPhone: Order = { orderID: 'o', other: '', userName: '', customerName: '', params: [] };
    void missingPhone;
  });

  it('errList is optional in the response, counts are required', () => {
    expectTypeOf<Response['errList']>().toEqualTypeOf<Schemas['ImportError'][] | undefined>();
    expectTypeOf<Response['totalCount']>().toEqualTypeOf<number>();
  });

  it('the signing headers and Content-Encoding are not parameters a call site must (or may) pass', () => {
    // Content-Encoding is set by whatever compresses the body (the client's gzip option), never by a call site.
    type Headers = NonNullable<operations['importBatchCall']['parameters']['header']>;
    expectTypeOf<Headers>().toEqualTypeOf<{ algorithm?: 'MD5' | 'SHA256' }>();
    expectTypeOf<keyof paths>().toEqualTypeOf<`/callcentre/api/v3/${
      | 'ping'
      | 'createTask'
      | 'addBatchCall'
      | 'createAndCall'
      | 'mgrTaskStatus'
      | 'updateTask'
      | 'listTask'
      | 'listCall'
      | 'listOrder'
      | 'stopOrder'
      | 'listOrderDetail'
      | 'exportBatchCall'
      | 'importBatchCall'}`>();
  });

  it('the callbacks are typed as webhooks, with their different callbackType types', () => {
    type OrderPayload = webhooks['orderFinished']['post']['requestBody']['content']['application/json'];
    type CallPayload = webhooks['callFinished']['post']['requestBody']['content']['application/json'];
    expectTypeOf<OrderPayload['callbackType']>().toEqualTypeOf<string>();
    expectTypeOf<CallPayload['callbackType']>().toEqualTypeOf<number>();
    expectTypeOf<CallPayload['callInfoDetail']['callingNumber']>().toEqualTypeOf<string | undefined>();
  });

  it('the generated validators are named after the schemas, and a misspelt name does not compile', () => {
    expectTypeOf<ValidatorName>().toEqualTypeOf<keyof Schemas>();
    expectTypeOf(validateAgainst).parameter(0).toEqualTypeOf<ValidatorName>();
    // @ts-expect-error 'ImportBatchCallRequst' is not a schema of the spec
    const misspelt = () => validateAgainst('ImportBatchCallRequst', {});
    void misspelt;
  });
});
