import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';

const run = promisify(execFile);

// The same campaign as campaign.test.ts, by a client written like the vendor's own sample:
// Python's standard library only (hashlib, urllib, http.server), signing json.dumps(body).
// The script checks every answer's and every callback's signature itself; this test checks
// that what it received and what the lists said agree.

interface Call {
  orderID: string;
  callInfoDetail: { callID: string; callStatus: number; callDuration: number };
}
interface Campaign {
  userTaskID: string;
  orderIDs: string[];
  stopped: string[];
  steps: { step: string; successCount?: number; taskStatus?: number }[];
  pendingCallbacks: number;
  received: { call: Call[]; order: Call[]; task: { taskStatus: number; taskStat: Record<string, number> }[]; badSignatures: number };
  listTask: { userTaskID: string; taskStatus: number; taskStat: Record<string, number> };
  listOrder: (Call & { finish: boolean })[];
  listCall: Call[];
  listOrderDetail: { orderID: string; callInfoDetailList: Call['callInfoDetail'][] }[];
  exportBatchCall: { totalCount: number; callList: { orderID: string; callID: string }[] };
}

let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess(['--speed', '0', '--seed', '5', '--quiet']);
});
afterAll(() => mock?.stop());

describe('a campaign by a stdlib Python client (the vendor sample style)', () => {
  it('plays the task through; its callbacks verify and every list agrees with them', async () => {
    const { stdout } = await run('python3', [fromRoot('test', 'fixtures', 'python_campaign.py'), mock.url, DEMO_ACCOUNT.uuid, DEMO_ACCOUNT.secretKey], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const c = JSON.parse(stdout) as Campaign;

    expect(c.steps).toEqual(
      expect.arrayContaining([
        { step: 'importBatchCall', successCount: 8 },
        { step: 'start', taskStatus: 2 },
        { step: 'pause', taskStatus: 5 },
        { step: 'stopOrder', successCount: 1 },
        { step: 'resume', taskStatus: 2 },
        { step: 'all orders done', taskStatus: 2 },
        { step: 'complete', taskStatus: 3 },
      ]),
    );
    expect(c.received.badSignatures).toBe(0);
    expect(c.pendingCallbacks).toBe(0);

    const finished = c.orderIDs.filter((id) => !c.stopped.includes(id));
    expect(c.received.order.map((o) => o.orderID).sort()).toEqual([...finished].sort()); // once each
    const callIDs = c.received.call.map((call) => call.callInfoDetail.callID);
    expect(new Set(callIDs).size).toBe(callIDs.length);
    expect(c.received.task.map((t) => t.taskStatus)).toEqual([2, 5, 2, 3]); // running, paused, running, completed

    const answered = c.received.call.filter((call) => call.callInfoDetail.callStatus === 1);
    expect(c.listTask).toMatchObject({ userTaskID: c.userTaskID, taskStatus: 3 });
    expect(c.listTask.taskStat).toMatchObject({
      totalOrderCount: c.orderIDs.length,
      finishOrderCount: c.orderIDs.length, // stopped orders count as finished (they are done)
      totalCall: callIDs.length,
      totalAnswerCall: answered.length,
      answerOrderCount: new Set(answered.map((call) => call.orderID)).size,
    });
    expect(c.received.task.at(-1)?.taskStat).toEqual(c.listTask.taskStat);

    expect(c.listOrder.map((o) => o.orderID).sort()).toEqual([...c.orderIDs].sort());
    for (const order of c.received.order) {
      const listed = c.listOrder.find((o) => o.orderID === order.orderID)!;
      expect(listed.finish).toBe(true);
      expect(listed.callInfoDetail.callID).toBe(order.callInfoDetail.callID);
      expect(listed.callInfoDetail.callDuration).toBe(order.callInfoDetail.callDuration);
    }
    expect(c.listCall.map((call) => call.callInfoDetail.callID).sort()).toEqual([...callIDs].sort());
    for (const detail of c.listOrderDetail) {
      const fromCallbacks = c.received.call.filter((call) => call.orderID === detail.orderID).map((call) => call.callInfoDetail.callID);
      expect(detail.callInfoDetailList.map((call) => call.callID)).toEqual(fromCallbacks);
    }
    // The latest batch (the import's; addBatchCall added to it): one row per order, its last call ('' if none).
    const lastCallOf = (orderID: string) => c.received.call.filter((call) => call.orderID === orderID).at(-1)?.callInfoDetail.callID ?? '';
    expect(c.exportBatchCall.callList.map((row) => `${row.orderID} ${row.callID}`).sort()).toEqual(c.orderIDs.map((id) => `${id} ${lastCallOf(id)}`).sort());
    expect(c.exportBatchCall.totalCount).toBe(c.orderIDs.length);
  });
});
