// Import a call list with the signed client, and branch on what is known about the outcome.
// Runs against the local mock and its demo account by default (`npm start` in this repository,
// or `npx callbot-mock`); set CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY for a real
// account. In your project: `import … from 'callbot-contract'`.
import { randomUUID } from 'node:crypto';
import {
  CallbotConnectionError,
  CallbotError,
  CallbotSignatureError,
  CallbotUnknownOutcomeError,
  CallbotValidationError,
  createCallbotClient,
  DEMO_ACCOUNT,
  MOCK_DEFAULT_BASE_URL,
} from 'callbot-contract';

export async function importExample(baseUrl = process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL): Promise<string> {
  const callbot = createCallbotClient({
    baseUrl,
    uuid: process.env.CALLBOT_UUID ?? DEMO_ACCOUNT.uuid,
    secretKey: process.env.CALLBOT_SECRET_KEY ?? DEMO_ACCOUNT.secretKey,
  });
  try {
    const result = await callbot.importBatchCall({
      userTaskID: 'example-task',
      callInfoList: {
        orderCallbackUrl: 'http://127.0.0.1:8787/callbot/order',
        callCallbackUrl: 'http://127.0.0.1:8787/callbot/call',
        callList: [{ orderID: randomUUID(), userPhone: '8615612345678', other: '', userName: '张伟', customerName: '', params: [] }],
      },
    });
    // A partial success is not an error: the orders the vendor refused are in errList.
    return `imported ${result.successCount} of ${result.totalCount} (requestID ${result.requestID}); refused: ${JSON.stringify(result.errList)}`;
  } catch (error) {
    if (error instanceof CallbotValidationError) return `not sent, the body breaks the contract: ${error.issues.map((i) => i.path).join(', ')}`;
    if (error instanceof CallbotConnectionError) return `not sent: ${error.message}`; // safe to try again
    if (error instanceof CallbotUnknownOutcomeError || error instanceof CallbotSignatureError) {
      return `outcome unknown for requestID ${error.requestID}: check the task before sending again`; // never resend blindly
    }
    if (error instanceof CallbotError) {
      switch (error.outcome) {
        case 'not-processed':
          return `not processed (${error.retCodeName}), still after the client's retries: safe to send again later`;
        case 'refused':
          return `refused: ${error.retCode} ${error.retCodeName} ${error.retMsg}`;
        case 'unknown':
          return `outcome unknown (${error.retCodeName}) for requestID ${error.requestID}: check before sending again`;
      }
    }
    throw error;
  }
}
