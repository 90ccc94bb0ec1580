// createAndCall: create a task and give it its orders in one request.
import { createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

// The local mock (`npx callbot-mock`) and its demo account, unless the environment names your account.
const callbot = createCallbotClient({
  baseUrl: process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL,
  uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
  secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
});
const userTaskID = process.env.CALLBOT_NEW_TASK_ID ?? 'example-task-2';

const answer = await callbot.createAndCall({
  userTaskID,
  sceneID: 'scene-1001',
  taskCreateSetting: { taskName: 'Bill reminder, second list' },
  callInfoList: {
    orderCallbackUrl: 'http://127.0.0.1:8787/callbot/order',
    callCallbackUrl: 'http://127.0.0.1:8787/callbot/call',
    callList: [{ orderID: 'example-order-4', userPhone: '8615900001111', userName: '刘洋', customerName: '', other: 'crm-1045', params: [] }],
  },
});
console.log(`created ${userTaskID} with its orders (requestID ${answer.requestID})`);
