// importBatchCall: the list becomes the task's newest batch: the previous batch's undialed numbers are dropped.
import { createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

// The local mock (`npx callbot-mock`) and its demo account, unless the environment names your account.
const callbot = createCallbotClient({
  baseUrl: process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL,
  uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
  secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
});
const userTaskID = process.env.CALLBOT_TASK_ID ?? 'example-task';

const answer = await callbot.importBatchCall({
  userTaskID,
  callInfoList: {
    orderCallbackUrl: 'http://127.0.0.1:8787/callbot/order',
    callCallbackUrl: 'http://127.0.0.1:8787/callbot/call',
    callList: [
      { orderID: 'example-order-1', userPhone: '8615612345678', userName: '张伟', customerName: '', other: 'crm-1042', params: [] },
      { orderID: 'example-order-2', userPhone: '8613800138000', userName: '李娜', customerName: '', other: 'crm-1043', params: [] },
    ],
  },
});
// A partial success is not an error: the orders the vendor refused are in errList.
console.log(`imported ${answer.successCount} of ${answer.totalCount}; refused: ${JSON.stringify(answer.errList)}`);
