import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProcess, type MockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { readReport } from './support/report.js';
import { freshDir, runCli } from './support/run-cli.js';
import { type RunningVerb, runInProcess, runningInProcess, stopAll } from './support/run-in-process.js';

// A whole campaign, driven only by the `callbot` command (its verbs run in-process)
// against the vendor simulator (the built mock process, virtual time at --speed 0): create a
// task, import its list, start it, move the clock, and check that `callbot listen` received
// every callback exactly once and that `export`, `calls` and `orders` say what the callbacks
// said; then complete the task, append more orders and list them all.

const FIRST_LIST = fromRoot('packages', 'cli', 'examples', 'call-list.csv'); // 5 rows
const MORE_LIST = fromRoot('packages', 'cli', 'examples', 'call-list-more.csv'); // 3 rows
const SETTINGS = fromRoot('packages', 'cli', 'examples', 'campaign-task.yaml'); // funcFlag.taskKeep
const TASK = 'campaign-e2e';

interface Callback {
  kind: 'order' | 'call' | 'task';
  requestID: string;
  payload: Record<string, any>;
}

let mock: MockProcess;
let listener: RunningVerb;
const running = new Set<RunningVerb>();
let dir: string;
let env: Record<string, string>;

const callbot = (...args: string[]) => runInProcess(args, { cwd: dir, env });
/** Runs a verb with --json and returns its document, failing with its stderr when it did not exit 0. */
const callbotJson = async (...args: string[]) => {
  const run = await callbot(...args, '--json');
  expect(run.code, `callbot ${args.join(' ')}\n${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as Record<string, any>;
};

async function advanceClock(seconds: number) {
  const answer = await fetch(`${mock.url}/__mock/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: seconds, settle: true }),
  });
  expect(answer.status).toBe(200);
  return (await answer.json()) as { now: number; pendingCallbacks: number };
}

const readCallbacks = (): Callback[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Callback);
const ofKind = (kind: Callback['kind']) => readCallbacks().filter((callback) => callback.kind === kind);
const readJsonl = (file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);

beforeAll(async () => {
  dir = freshDir('callbot-campaign-');
  mock = await startMockProcess(['--speed', '0']);
  listener = runningInProcess(running, ['listen', '--port', '0', '--out', 'results.jsonl'], { cwd: dir });
  await listener.waitForStderr(/listening on http:\/\/127\.0\.0\.1:\d+/);
  const hooks = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(listener.stderr())![1]!;
  // The callback URLs of `callbot import` come from the environment (or --order-callback-url /
  // --call-callback-url); the task's from `task create --task-callback-url`.
  env = {
    CALLBOT_BASE_URL: mock.url,
    CALLBOT_ORDER_CALLBACK_URL: `${hooks}/callbot/order`,
    CALLBOT_CALL_CALLBACK_URL: `${hooks}/callbot/call`,
    HOOKS: hooks,
  };
}, 60_000);

afterAll(async () => {
  await stopAll(running);
  await mock?.stop();
});

describe('callbot runs a whole campaign against the simulator', () => {
  it('create → import → start → clock → every callback once → export → complete → append → orders', async () => {
    const created = await callbotJson(
      'task',
      'create',
      '--task',
      TASK,
      '--scene',
      'scene-1001',
      '--settings',
      SETTINGS,
      '--task-callback-url',
      `${env.HOOKS}/callbot/task`,
    );
    expect(created).toMatchObject({ userTaskID: TASK, done: 'created' });

    const imported = await callbotJson('import', FIRST_LIST, '--task', TASK, '--report', 'first-report.csv');
    expect(imported).toMatchObject({ operation: 'importBatchCall', outcome: 'imported', exitCode: 0, rows: 5, counts: { accepted: 5 } });
    const firstOrderIDs = readReport(join(dir, 'first-report.csv')).map((line) => line.orderID);
    expect(new Set(firstOrderIDs).size).toBe(5);

    expect(await callbotJson('task', 'start', '--task', TASK)).toMatchObject({ done: 'started' });
    // A virtual day: every order is dialled, redialled and finished; settle returns once the
    // callbacks due are delivered (and `listen` answers 200 only after its fsync).
    expect((await advanceClock(86_400)).pendingCallbacks).toBe(0);

    const shown = await callbotJson('task', 'show', '--task', TASK);
    // taskKeep: the task keeps running with every order finished.
    expect(shown.task).toMatchObject({ taskStatusName: 'Running', taskStat: { finishOrderCount: 5, totalOrderCount: 5 } });

    // Each requestID exactly once, and one order callback per order.
    const callbacks = readCallbacks();
    expect(new Set(callbacks.map((c) => c.requestID)).size).toBe(callbacks.length);
    const orderCallbacks = ofKind('order');
    expect(orderCallbacks.map((c) => c.payload.orderID).sort()).toEqual([...firstOrderIDs].sort());
    expect(orderCallbacks.every((c) => c.payload.finish === true && c.payload.userTaskID === TASK)).toBe(true);

    // One call callback per call that listCall reports (all pages), and no other.
    const calls = await callbotJson('calls', '--task', TASK, '--out', 'calls.jsonl');
    const callIDs = readJsonl('calls.jsonl').map((row) => row.callID as string);
    expect(calls.rows).toBe(callIDs.length);
    expect(callIDs.length).toBeGreaterThanOrEqual(5);
    expect(
      ofKind('call')
        .map((c) => c.payload.callInfoDetail.callID)
        .sort(),
    ).toEqual([...callIDs].sort());
    expect(shown.task.taskStat.totalCall).toBe(callIDs.length);

    // One task callback per status change so far: waiting → running.
    expect(ofKind('task').map((c) => c.payload.taskStatus)).toEqual([2]);

    // The export: one row per order, finished as its order callback says, its last call that callback's call.
    const exported = await callbotJson('export', '--task', TASK, '--out', 'results.csv');
    expect(exported).toMatchObject({ rows: 5, counts: { status: { finished: 5 } } });
    const rows = parse(readFileSync(join(dir, 'results.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.orderID).sort()).toEqual([...firstOrderIDs].sort());
    const orderCallbackOf = new Map(orderCallbacks.map((c) => [c.payload.orderID as string, c.payload]));
    for (const row of rows) {
      const payload = orderCallbackOf.get(row.orderID!)!;
      expect(row.status).toBe(payload.finish ? 'finished' : 'in-progress');
      expect(row.lastCallID).toBe(payload.callInfoDetail.callID);
      expect(Number(row.lastCallStatus)).toBe(payload.callInfoDetail.callStatus);
      expect(Number(row.lastCallDuration)).toBe(payload.callInfoDetail.callDuration);
      expect(Number(row.rounds)).toBe(ofKind('call').filter((c) => c.payload.orderID === row.orderID).length);
    }

    // Complete: one more task callback (running → completed), nothing else.
    expect(await callbotJson('task', 'complete', '--task', TASK)).toMatchObject({ done: 'completed' });
    expect((await advanceClock(60)).pendingCallbacks).toBe(0);
    expect(ofKind('task').map((c) => c.payload.taskStatus)).toEqual([2, 3]);

    // --append adds to the task (addBatchCall): the orders are the old and the new ones.
    const appended = await callbotJson('import', MORE_LIST, '--task', TASK, '--append', '--report', 'more-report.csv');
    expect(appended).toMatchObject({ operation: 'addBatchCall', outcome: 'imported', exitCode: 0, rows: 3, counts: { accepted: 3 } });
    const newOrderIDs = readReport(join(dir, 'more-report.csv')).map((line) => line.orderID);
    const listed = await callbotJson('orders', '--task', TASK, '--out', 'orders.jsonl');
    const orders = readJsonl('orders.jsonl');
    expect(listed.rows).toBe(8);
    expect(orders.map((order) => order.orderID).sort()).toEqual([...firstOrderIDs, ...newOrderIDs].sort());
    expect(orders.filter((order) => firstOrderIDs.includes(order.orderID)).every((order) => order.finished === true)).toBe(true);
    expect(orders.filter((order) => newOrderIDs.includes(order.orderID)).every((order) => order.finished === false)).toBe(true);

    // The listener stops cleanly on Ctrl-C and reports what it wrote.
    const counts = { order: ofKind('order').length, call: ofKind('call').length, task: ofKind('task').length };
    listener.stop('SIGINT');
    const stopped = await listener.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain(
      `stopped. order ${counts.order} · call ${counts.call} · task ${counts.task} · duplicate 0 · refused 0 · failed 0; ${counts.order + counts.call + counts.task} written to results.jsonl`,
    );
  }, 120_000);

  it('callbot --help lists every verb; callbot import --help says what import and --append do', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const verb of ['import', 'task', 'export', 'orders', 'calls', 'listen', 'probe', 'sign', 'mock', 'docs']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
    }
    const task = await runCli(['task', '--help']);
    for (const sub of ['create', 'update', 'start', 'pause', 'complete', 'show', 'list']) expect(task.stdout).toMatch(new RegExp(`^  ${sub} `, 'm'));
    const importHelp = await runCli(['import', '--help']);
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toMatch(/importBatchCall: the list becomes the task's newest batch and\s+REPLACES its undialed numbers/);
    expect(importHelp.stdout).toMatch(/--append\s+addBatchCall: the list is ADDED; nothing is dropped/);
  });
});
