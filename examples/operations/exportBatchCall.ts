// exportBatchCall: every order of the task's latest batch (callbot.exportBatchCallStream reads a large one in bounded memory).
import { createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';

// The local mock (`npx callbot-mock`) and its demo account, unless the environment names your account.
const callbot = createCallbotClient({
  baseUrl: process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL,
  uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
  secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
});
const userTaskID = process.env.CALLBOT_TASK_ID ?? 'example-task';

const answer = await callbot.exportBatchCall({ userTaskID });
console.log(JSON.stringify(answer, null, 2));
