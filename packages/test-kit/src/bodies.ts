import type { ImportBatchCallInput } from '../../../src/client.js';

/** A valid batch of `n` orders with Chinese names and template variables. */
export function batch(n: number, userTaskID = 'task-1', callbackBase = 'http://127.0.0.1:9/cb'): ImportBatchCallInput {
  return {
    userTaskID,
    callInfoList: {
      orderCallbackUrl: `${callbackBase}/order`,
      callCallbackUrl: `${callbackBase}/call`,
      callList: Array.from({ length: n }, (_, i) => ({
        orderID: `order-${String(i).padStart(6, '0')}`,
        userPhone: `86156${String(i).padStart(8, '0')}`,
        other: `ticket-${i}`,
        userName: '张伟',
        customerName: '华南物流',
        params: [{ name: 'amount', value: String(100 + i) }],
      })),
    },
  };
}
