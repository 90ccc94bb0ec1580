import { createCallbotClient, DEMO_ACCOUNT } from 'callbot-contract';
import { createMockHandler } from 'callbot-mock';
import { http } from 'msw';
import { setupServer } from 'msw/node';

// The mock in this process, without a port. speed 0: virtual time moves only when told to.
// Callbacks off: they are real HTTP requests, which msw would intercept too.
const mock = await createMockHandler({ speed: 0, callbacks: { enabled: false } });

// Every request to a made-up base URL goes to the mock; anything else is an error.
const baseUrl = 'https://callbot.mock.invalid';
const interceptor = setupServer(http.all(`${baseUrl}/*`, ({ request }) => mock.fetch(request)));
interceptor.listen({ onUnhandledRequest: 'error' });

try {
  // The contract's own client, signing with the mock's public demo account.
  const client = createCallbotClient({ ...DEMO_ACCOUNT, baseUrl });
  const imported = await client.importBatchCall({
    userTaskID: 'msw-demo',
    callInfoList: {
      orderCallbackUrl: 'http://127.0.0.1:8787/order',
      callCallbackUrl: 'http://127.0.0.1:8787/call',
      callList: [
        { orderID: 'o-1', userPhone: '8615600000001', userName: '张伟', customerName: '', other: '', params: [] },
        { orderID: 'o-2', userPhone: '8615600000002', userName: '李娜', customerName: '', other: '', params: [] },
      ],
    },
  });
  console.log(`imported ${imported.successCount} of ${imported.totalCount}`);

  // An hour of virtual time later, every order has been called.
  await mock.clock.advance(3600);
  const { orderList = [] } = await client.listOrders({ userTaskID: 'msw-demo', options: {} });
  for (const order of orderList) console.log(`${order.orderID}: finish=${order.finish} callStatus=${order.callInfoDetail.callStatus}`);
} finally {
  interceptor.close();
  await mock.close();
}
