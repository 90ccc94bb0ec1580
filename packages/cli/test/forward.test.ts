import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCallbackHandler, DEMO_ACCOUNT, toNodeListener } from 'callbot-contract';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { advanceClock } from 'callbot-test-kit/mock-clock';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from './support/report.js';
import { freshDir } from './support/run-cli.js';
import { type RunningVerb, runInProcess, runningInProcess, stopAll } from './support/run-in-process.js';

// The developer's loop (issue 21): `callbot listen --forward-to` in front of a team's own app,
// which verifies every callback with the contract's receiver (createCallbackHandler, the demo
// account's secret). A campaign on the mock reaches the app once per callback; an app that fails
// once makes the mock send that callback again (listen answers the mock 500), and it is then
// handled; `callbot trigger` and `callbot resend` reach the same app and pass its verification.

const LIST = fromRoot('packages', 'cli', 'examples', 'call-list.csv'); // 5 rows
const TASK = 'forward-e2e';

interface Handled {
  kind: string;
  requestID: string;
  payload: Record<string, any>;
}

/** The team's app: the contract's receiver; each callback handled once (its replay memory), the first order callback failing once. */
async function startApp() {
  const handled: Handled[] = [];
  const deliveries: { status: number; requestID: string }[] = [];
  let failedOnce: string | undefined;
  const take = (kind: string) => (payload: any, meta: { requestID: string }) => {
    if (kind === 'order' && failedOnce === undefined) {
      failedOnce = meta.requestID;
      throw new Error('the app is down for a moment');
    }
    handled.push({ kind, requestID: meta.requestID, payload });
  };
  const handler = createCallbackHandler({
    uuid: DEMO_ACCOUNT.uuid,
    secretKey: DEMO_ACCOUNT.secretKey,
    onOrderFinished: take('order'),
    onCallFinished: take('call'),
    onTaskStatusChanged: take('task'),
  });
  const listener = toNodeListener(handler);
  const server = createServer((req, res) => {
    res.once('finish', () => deliveries.push({ status: res.statusCode, requestID: String(req.headers.requestid ?? '') }));
    void listener(req, res);
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, close, handled, deliveries, failedOnce: () => failedOnce };
}

let mock: MockProcess;
let app: Awaited<ReturnType<typeof startApp>>;
let listener: RunningVerb;
const running = new Set<RunningVerb>();
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = freshDir('callbot-forward-');
  [mock, app] = await Promise.all([startMockProcess(['--speed', '0']), startApp()]);
  listener = runningInProcess(running, ['listen', '--port', '0', '--forward-to', `${app.url}/callbot`, '--out', 'results.jsonl'], { cwd: dir });
  await listener.waitForStderr(/listening on http:\/\/127\.0\.0\.1:\d+/);
  const hooks = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(listener.stderr())![1]!;
  env = { CALLBOT_BASE_URL: mock.url, CALLBOT_ORDER_CALLBACK_URL: `${hooks}/callbot/order`, CALLBOT_CALL_CALLBACK_URL: `${hooks}/callbot/call`, HOOKS: hooks };
}, 60_000);

afterAll(async () => {
  await stopAll(running);
  await Promise.all([mock?.stop(), app?.close()]);
});

const callbot = (...args: string[]) => runInProcess(args, { cwd: dir, env });

describe('callbot listen --forward-to in front of an app that verifies with the contract receiver', () => {
  it('a campaign reaches the app once per callback; the callback the app failed is sent again by the mock and then handled', async () => {
    expect((await callbot('task', 'create', '--task', TASK, '--scene', 'scene-1001', '--task-callback-url', `${env.HOOKS}/callbot/task`)).code).toBe(0);
    expect((await callbot('import', LIST, '--task', TASK, '--report', 'report.csv')).code).toBe(0);
    const orderIDs = readReport(join(dir, 'report.csv')).map((line) => line.orderID);
    expect((await callbot('task', 'start', '--task', TASK)).code).toBe(0);
    expect((await advanceClock(mock.url, 86_400)).pendingCallbacks).toBe(0);

    // What the mock sent, by its own records: every callback delivered, one of them on a second attempt.
    const records = (await (await fetch(`${mock.url}/__mock/callbacks?limit=1000`)).json()) as { callbacks: any[] };
    const sent = records.callbacks.filter((r) => r.userTaskID === TASK);
    expect(sent.length).toBeGreaterThan(5);
    expect(sent.every((r) => r.status === 'delivered')).toBe(true);
    const retried = sent.filter((r) => r.attempts > 1);
    expect(retried.map((r) => [r.kind, r.requestID, r.attempts])).toEqual([['order', app.failedOnce(), 2]]);

    // The app handled each of them once, verified, with the vendor's requestID.
    const byId = new Map(app.handled.map((h) => [h.requestID, h]));
    expect(byId.size).toBe(app.handled.length);
    expect([...byId.keys()].sort()).toEqual(sent.map((r) => r.requestID).sort());
    expect(
      app.handled
        .filter((h) => h.kind === 'order')
        .map((h) => h.payload.orderID)
        .sort(),
    ).toEqual([...orderIDs].sort());
    expect(app.handled.filter((h) => h.kind === 'task').map((h) => h.payload.taskStatus)).toEqual([2, 3]); // running, then completed (no taskKeep)
    // Every delivery the app saw passed its signature check: 200, or the one 500 its handler threw.
    expect(app.deliveries.filter((d) => d.status !== 200)).toEqual([{ status: 500, requestID: app.failedOnce() }]);

    // One line per forward on listen's stderr, the failed one with the app's 500.
    const lines = listener.stderr().split('\n');
    const forwardLines = lines.filter((line) => / {2}requestID /.test(line));
    expect(forwardLines).toHaveLength(sent.length + 1);
    expect(forwardLines.filter((line) => line.includes(`requestID ${app.failedOnce()}`)).map((line) => /→ (\d+)/.exec(line)?.[1])).toEqual(['500', '200']);
    expect(forwardLines[0]).toMatch(/^\d\d:\d\d:\d\d {2}(order|call|task) +(order \S+ )?task forward-e2e/);

    // --out kept each requestID once, as the app did.
    const written = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).requestID);
    expect(written.sort()).toEqual([...byId.keys()].sort());
  }, 120_000);

  it('callbot trigger reaches the app and passes its verification; a wrong secret is refused by it (exit 3)', async () => {
    const before = app.handled.length;
    const run = await callbot('trigger', 'order', '--to', `${app.url}/callbot`, '--task', 'T-trigger', '--field', 'callInfoDetail.callStatus=1', '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ kind: 'order', ok: true, status: 200 });
    expect(app.handled.slice(before)).toEqual([
      expect.objectContaining({
        kind: 'order',
        requestID: result.requestID,
        payload: expect.objectContaining({ userTaskID: 'T-trigger', callInfoDetail: expect.objectContaining({ callStatus: 1 }) }),
      }),
    ]);

    const wrong = await callbot('trigger', 'task', '--to', `${app.url}/callbot`, '--uuid', DEMO_ACCOUNT.uuid, '--secret', 'not-the-secret');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/did not take it: 401 .*signature/);
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-secret');
    expect(app.handled).toHaveLength(before + 1);
  });

  it('callbot resend sends a recorded callback again with its requestID: the app verifies it and answers "already handled"', async () => {
    const [first] = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const deliveries = app.deliveries.length;
    const run = await callbot('resend', first.requestID, '--from', 'results.jsonl', '--to', `${app.url}/callbot`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`requestID ${first.requestID} {2}→ 200 \\(\\d+ ms\\): success \\(already handled\\)`));
    expect(app.deliveries.slice(deliveries)).toEqual([{ status: 200, requestID: first.requestID }]);

    const missing = await callbot('resend', 'no-such-id', '--from', 'results.jsonl', '--to', `${app.url}/callbot`);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('no callback with requestID no-such-id in results.jsonl');
  });
});
