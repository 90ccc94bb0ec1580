// addBatchCall: add orders to the task; nothing already in it is dropped.
import { createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

// The local mock (`npx callbot-mock`) and its demo account, unless the environment names your account.
const callbot = createCallbotClient({
  baseUrl: process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL,
  uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
  secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
});
const userTaskID = process.env.CALLBOT_TASK_ID ?? 'example-task';

const answer = await callbot.addBatchCall({
  userTaskID,
  callInfoList: {
    orderCallbackUrl: 'http://127.0.0.1:8787/callbot/order',
    callCallbackUrl: 'http://127.0.0.1:8787/callbot/call',
    callList: [{ orderID: 'example-order-3', userPhone: '8613911112222', userName: '王芳', customerName: '', other: 'crm-1044', params: [] }],
  },
});
console.log(`added (requestID ${answer.requestID}): ${JSON.stringify(answer)}`);
