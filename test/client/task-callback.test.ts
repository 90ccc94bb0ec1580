import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CallbackMeta,
  callbackKind,
  createCallbackHandler,
  type CallFinishedCallback,
  type OrderFinishedCallback,
  type TaskStatusChangedCallback,
} from '../../src/callbacks.js';
import { fromRoot } from 'callbot-test-kit/paths';

// The task-status callback (webhook taskStatusChanged) beside the order and call callbacks, signed
// here with node:crypto from the vendor's description (not with src/sign.ts).
const account = { uuid: 'acct-task-cb', secretKey: 'TASK-CALLBACK-SECRET-123' };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const taskExample = spec.components.examples.TaskStatusChanged.value as TaskStatusChangedCallback;
const orderExample = spec.components.examples.OrderFinished.value as OrderFinishedCallback;
const callExample = spec.components.examples.CallFinished.value as CallFinishedCallback;
const NOW = 1_800_000_000_000;
let counter = 0;

function signed(payload: unknown, requestID = `task-cb-${(counter += 1)}`): Request {
  const body = JSON.stringify(payload);
  const createTs = String(NOW / 1000);
  const sign = createHash('md5')
    .update(`${account.secretKey}&body=${body}&createTs=${createTs}&requestID=${requestID}&uuid=${account.uuid}`, 'utf8')
    .digest('hex')
    .toUpperCase();
  return new Request('http://127.0.0.1/cb', {
    method: 'POST',
    headers: { 'content-type': 'application/json', requestID, uuid: account.uuid, createTs, sign },
    body,
  });
}

describe('the task-status callback', () => {
  it('the spec\'s examples carry the chosen callbackType values: 1 task, "2" order, 3 call', () => {
    expect([taskExample.callbackType, orderExample.callbackType, callExample.callbackType]).toEqual([1, '2', 3]);
  });

  it('callbackKind tells the three apart by their payloads, not by the (unreliable) numbers', () => {
    expect(callbackKind(taskExample)).toBe('task');
    expect(callbackKind(orderExample)).toBe('order');
    expect(callbackKind(callExample)).toBe('call');
    // The vendor's own examples show 1 / "1" for the call and order callbacks: still told apart.
    expect(callbackKind({ ...callExample, callbackType: 1 })).toBe('call');
    expect(callbackKind({ ...orderExample, callbackType: '1' })).toBe('order');
  });

  it('routes each of the three, verified and validated, to its own handler, once per requestID', async () => {
    const got: string[] = [];
    const handler = createCallbackHandler({
      ...account,
      now: () => NOW,
      onTaskStatusChanged: (p) => {
        got.push(`task ${p.userTaskID} ${p.taskStatus} ${p.taskStat.finishRate}`);
      },
      onOrderFinished: (p) => {
        got.push(`order ${p.orderID}`);
      },
      onCallFinished: (p) => {
        got.push(`call ${p.callInfoDetail.callID}`);
      },
    });
    const answers = await Promise.all([handler(signed(taskExample, 'rid-task')), handler(signed(orderExample)), handler(signed(callExample))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const again = await handler(signed(taskExample, 'rid-task'));
    expect(await again.json()).toMatchObject({ retCode: 0, retMsg: expect.stringMatching(/already handled/) });
    expect(got.sort()).toEqual(
      [
        `call ${callExample.callInfoDetail.callID}`,
        `order ${orderExample.orderID}`,
        `task ${taskExample.userTaskID} ${taskExample.taskStatus} ${taskExample.taskStat.finishRate}`,
      ].sort(),
    );
  });

  it('a task callback that breaks its schema is handed on with the field named in meta.deviations; strict: true refuses it (400) naming the field', async () => {
    const seen: string[][] = [];
    const options = {
      ...account,
      now: () => NOW,
      onTaskStatusChanged: (_p: unknown, meta: { deviations: readonly { path: string }[] }) => {
        seen.push(meta.deviations.map((d) => d.path));
      },
    };
    const { taskStat: _dropped, ...broken } = taskExample;
    expect((await createCallbackHandler(options)(signed(broken))).status).toBe(200);
    expect(seen).toEqual([['taskStat']]);
    const answer = await createCallbackHandler({ ...options, strict: true })(signed(broken));
    expect(answer.status).toBe(400);
    expect((await answer.json()).retMsg).toContain('taskStat');
    expect(seen).toHaveLength(1);
  });

  it('a forged task callback is refused (401)', async () => {
    const handler = createCallbackHandler({
      ...account,
      secretKey: 'another-secret',
      now: () => NOW,
      onTaskStatusChanged: () => {
        throw new Error('never');
      },
    });
    expect((await handler(signed(taskExample))).status).toBe(401);
  });

  it('`only` pins a handler to one callback URL: anything else is taken as that callback, its deviations listed (strict: refused)', async () => {
    const got: unknown[] = [];
    const options = {
      ...account,
      now: () => NOW,
      only: 'task' as const,
      onTaskStatusChanged: (p: TaskStatusChangedCallback, meta: CallbackMeta) => {
        got.push([p.taskID, meta.kind, meta.deviations.some((d) => d.path === 'taskStat')]);
      },
    };
    const handler = createCallbackHandler(options);
    expect((await handler(signed(taskExample))).status).toBe(200);
    expect((await handler(signed(callExample))).status).toBe(200);
    expect(got).toEqual([
      [taskExample.taskID, 'task', false],
      [callExample.taskID, 'task', true],
    ]);
    expect((await createCallbackHandler({ ...options, strict: true })(signed(callExample))).status).toBe(400);
    expect(got).toHaveLength(2);
  });
});
