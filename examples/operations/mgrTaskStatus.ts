// mgrTaskStatus: start, pause or complete a task (taskOperate 1, 2, 3); the client names each.
import { createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

// The local mock (`npx callbot-mock`) and its demo account, unless the environment names your account.
const callbot = createCallbotClient({
  baseUrl: process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL,
  uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
  secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
});
const userTaskID = process.env.CALLBOT_TASK_ID ?? 'example-task';

await callbot.startTask(userTaskID);
await callbot.pauseTask(userTaskID);
const answer = await callbot.startTask(userTaskID); // or callbot.completeTask(userTaskID) to end it for good
console.log(`started ${userTaskID} (requestID ${answer.requestID})`);
