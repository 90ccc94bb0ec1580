// createTask: create a task (no orders yet: add them with importBatchCall or addBatchCall, then start it).
import { createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

// The local mock (`npx callbot-mock`) and its demo account, unless the environment names your account.
const callbot = createCallbotClient({
  baseUrl: process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL,
  uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
  secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
});
const userTaskID = process.env.CALLBOT_TASK_ID ?? 'example-task';

const answer = await callbot.createTask({
  userTaskID,
  sceneID: 'scene-1001', // the script template (console: 话术管理)
  taskCreateSetting: { taskName: 'Bill reminder', maxCall: 5, dialAtUpHour: '09:00', dialAtDownHour: '18:00' },
});
console.log(`created ${userTaskID} (requestID ${answer.requestID})`);
