// Play a task through the local mock: create it, import a few numbers, start it, move the mock's
// virtual clock until every order has finished, then print what listTask and listOrder say. A
// callback receiver (the contract's own, on a free loopback port) counts the signed callbacks.
// Start the mock first (`npm start` in this repository, or `npx callbot-mock`), then in another
// terminal: `npm run demo` (CALLBOT_BASE_URL if the mock is not on http://127.0.0.1:4010).
// In your project: `import … from 'callbot-contract'`.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createCallbackHandler, createCallbotClient, DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL, toNodeListener } from 'callbot-contract';

// The numbers of packages/cli/examples/call-list.csv, normalised to the vendor's form.
const PHONES = ['8615612345678', '8613800138000', '8613911112222', '8615900001111', '8618622223333'];

export interface DemoResult {
  userTaskID: string;
  taskStatus: number;
  taskStat: Record<string, number>;
  orders: { orderID: string; userPhone: string; finish: boolean; callStatus: number; callDuration: number }[];
  callbacks: { call: number; order: number; task: number };
  /** Virtual seconds the clock was moved. */
  advancedSeconds: number;
}

/** POST /__mock/clock: the mock's own debug endpoint (not the vendor's API). */
async function advanceClock(baseUrl: string, seconds: number): Promise<{ now: number; pendingCallbacks: number }> {
  const response = await fetch(`${baseUrl}/__mock/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: seconds, settle: true }),
  });
  if (!response.ok) throw new Error(`${baseUrl}/__mock/clock answered ${response.status}: is this the callbot mock?`);
  return (await response.json()) as { now: number; pendingCallbacks: number };
}

export async function playDemoTask(baseUrl = process.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL): Promise<DemoResult> {
  const account = { uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey };
  const callbot = createCallbotClient({ baseUrl, ...account });

  const callbacks = { call: 0, order: 0, task: 0 };
  const receiver = createServer(
    toNodeListener(
      createCallbackHandler({
        ...account,
        onCallFinished: () => void callbacks.call++,
        onOrderFinished: () => void callbacks.order++,
        onTaskStatusChanged: () => void callbacks.task++,
      }),
    ),
  );
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  try {
    const userTaskID = `demo-${randomUUID()}`;
    await callbot.createTask({ userTaskID, sceneID: 'scene-1001', taskCallbackUrl: `${receiverUrl}/task`, taskCreateSetting: { taskName: 'demo' } });
    await callbot.importBatchCall({
      userTaskID,
      callInfoList: {
        orderCallbackUrl: `${receiverUrl}/order`,
        callCallbackUrl: `${receiverUrl}/call`,
        callList: PHONES.map((userPhone, i) => ({ orderID: randomUUID(), userPhone, other: `crm-${1042 + i}`, userName: '', customerName: '', params: [] })),
      },
    });
    await callbot.startTask(userTaskID);

    // Five virtual minutes at a time until the task is done (calls last minutes; redials wait).
    let advancedSeconds = 0;
    const listTask = () => callbot.listTasks({ page: 1, size: 1, queryConditions: { userTaskID: [userTaskID] } });
    let task = (await listTask()).taskData?.[0];
    while (task && task.taskStat.finishOrderCount < task.taskStat.totalOrderCount && advancedSeconds < 7 * 24 * 3600) {
      await advanceClock(baseUrl, 300);
      advancedSeconds += 300;
      task = (await listTask()).taskData?.[0];
    }
    if (!task) throw new Error(`listTask does not know ${userTaskID}`);

    const orders: DemoResult['orders'] = [];
    for await (const order of callbot.orders({ userTaskID, options: {} })) {
      const { callStatus, callDuration } = order.callInfoDetail;
      orders.push({ orderID: order.orderID, userPhone: order.userPhone, finish: order.finish ?? false, callStatus, callDuration });
    }
    return { userTaskID, taskStatus: task.taskStatus, taskStat: task.taskStat, orders, callbacks, advancedSeconds };
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

// Run directly: print what the lists say.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await playDemoTask();
  console.log(`task ${result.userTaskID}: status ${result.taskStatus}, after ${result.advancedSeconds / 60} virtual minutes`);
  console.log('listTask taskStat:', result.taskStat);
  console.log('listOrder:');
  console.table(result.orders);
  console.log(`callbacks received (signatures checked): ${result.callbacks.call} call, ${result.callbacks.order} order, ${result.callbacks.task} task`);
}
