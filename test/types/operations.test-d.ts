import { describe, expectTypeOf, it } from 'vitest';
import {
  createCallbotClient,
  type CallbackHandlerOptions,
  type CallbotResult,
  type CallItem,
  type ListOrderDetailsResult,
  type ListOrderResponse,
  type MgrTaskStatusResponse,
  type OrderItem,
  type PingResponse,
  type StopOrderInput,
  type StopOrderResponse,
  type TaskItem,
  type TaskStatusChangedCallback,
} from '../../src/index.js';

const client = createCallbotClient({ uuid: 'u', secretKey: 's' });

describe('the methods of every operation', () => {
  it("take the contract's body without productID and resolve to its answer with requestID and attempts", () => {
    expectTypeOf(client.ping()).resolves.toEqualTypeOf<CallbotResult<PingResponse>>();
    expectTypeOf(client.stopOrders({ userTaskID: 't', orderIDs: ['o'], delCall: 1 })).resolves.toEqualTypeOf<CallbotResult<StopOrderResponse>>();
    expectTypeOf(client.listOrders({ userTaskID: 't', options: {} })).resolves.toEqualTypeOf<CallbotResult<ListOrderResponse>>();
    expectTypeOf(client.startTask('t')).resolves.toEqualTypeOf<CallbotResult<MgrTaskStatusResponse>>();
    expectTypeOf(client.listOrderDetails({ userTaskID: 't', orderList: ['o'] })).resolves.toEqualTypeOf<ListOrderDetailsResult>();
    expectTypeOf<CallbotResult<StopOrderResponse>['requestID']>().toEqualTypeOf<string>();
    expectTypeOf<StopOrderInput['productID']>().toEqualTypeOf<'callbot' | undefined>();
  });

  it('the iterators yield one item of their list', () => {
    expectTypeOf(client.orders({ userTaskID: 't', options: {} })).toEqualTypeOf<AsyncGenerator<OrderItem, void, undefined>>();
    expectTypeOf(client.tasks({ queryConditions: {} })).toEqualTypeOf<AsyncGenerator<TaskItem, void, undefined>>();
    expectTypeOf(client.calls({ userTaskID: 't', options: {}, size: 50 })).toEqualTypeOf<AsyncGenerator<CallItem, void, undefined>>();
    expectTypeOf<OrderItem>().toEqualTypeOf<NonNullable<ListOrderResponse['orderList']>[number]>();
  });

  it('the receiver types the task callback', () => {
    expectTypeOf<Parameters<NonNullable<CallbackHandlerOptions['onTaskStatusChanged']>>[0]>().toEqualTypeOf<TaskStatusChangedCallback>();
    expectTypeOf<TaskStatusChangedCallback['taskStat']['finishRate']>().toEqualTypeOf<number>();
  });

  it('refuses what breaks the contract at compile time', () => {
    // @ts-expect-error a missing required field (orderIDs)
    void client.stopOrders({ userTaskID: 't' });
    // @ts-expect-error a value outside an enum (taskOperate is 1, 2 or 3)
    void client.setTaskStatus({ userTaskID: 't', taskOperate: 4 });
    // @ts-expect-error a wrong field type (page is a number)
    void client.listTasks({ page: '1', size: 100, queryConditions: {} });
    // @ts-expect-error the iterators count the pages: no unknown fields
    void client.orders({ userTaskID: 't', options: {}, pageNumber: 2 });
    // @ts-expect-error productID can only be "callbot"
    void client.exportBatchCall({ productID: 'sms', userTaskID: 't' });
    // @ts-expect-error no such method
    void client.deleteTask('t');
    // @ts-expect-error the task callback has no orderID
    void ((p: TaskStatusChangedCallback) => p.orderID);
  });
});
