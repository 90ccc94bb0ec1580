import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_ACCOUNT, sign } from 'callbot-contract';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDir, spawnCli } from './support/run-cli.js';
import { type RunningVerb, runningInProcess, stopAll, tracked } from './support/run-in-process.js';

// `callbot listen` on a free loopback port, sent callbacks signed as the vendor signs them
// (callbot-contract's `sign` with the demo account's key, which the receiver uses on loopback by
// default). It runs in-process, stopped by an interrupt triggered by hand; the first test runs
// the bin as a process, stopped by a real SIGINT.

const running = new Set<RunningVerb>();
afterEach(() => stopAll(running));

function launch(args: string[], dir: string, how: 'in-process' | 'spawned' = 'in-process'): RunningVerb {
  if (how === 'in-process') return runningInProcess(running, ['listen', ...args], { cwd: dir });
  const child = spawnCli(['listen', ...args], { cwd: dir });
  return tracked(running, { stderr: child.stderr, waitForStderr: child.waitForStderr, stop: (signal) => child.child.kill(signal), done: child.done });
}

async function startListen(dir: string, extra: string[] = [], how: 'in-process' | 'spawned' = 'in-process') {
  const live = launch(['--port', '0', '--out', 'callbacks.jsonl', ...extra], dir, how);
  await live.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())![1]!;
  return { live, url };
}

const callPayload = (orderID: string) => ({
  callbackType: 3,
  orderID,
  userPhone: '8615612345678',
  userName: '张伟',
  sceneID: 'scene-1',
  userTaskID: 'task-1',
  taskID: '880012',
  finish: false,
  other: '=1+1',
  callInfoDetail: {
    callID: `c-${orderID}`,
    callStatus: 1,
    callStartTs: 1_790_000_000,
    callAnswerTs: 1_790_000_005,
    callEndTs: 1_790_000_050,
    callDuration: 45,
    callAudioUrl: '',
    hangupCause: 'NORMAL_CLEARING',
    termSipCode: '200',
    intents: [{ intentID: 'i-1', intentName: 'interested', intentTag: 'A', intentLevel: 1 }],
    sms: [],
    params: [],
  },
});
const orderPayload = (orderID: string) => ({ ...callPayload(orderID), callbackType: '2', finish: true });
const taskPayload = () => ({
  callbackType: 1,
  userTaskID: 'task-1',
  taskID: '880012',
  sceneID: 'scene-1',
  taskStatus: 3,
  createTs: 1_790_000_000,
  taskStat: { answerOrderCount: 1, finishOrderCount: 2, totalOrderCount: 2, finishRate: 1, totalAnswerCall: 1, totalCall: 3, answerRate: 0.33 },
});

async function deliver(url: string, payload: unknown, requestID: string, options: { secretKey?: string; path?: string } = {}) {
  const body = JSON.stringify(payload);
  const createTs = String(Math.floor(Date.now() / 1000));
  const uuid = DEMO_ACCOUNT.uuid;
  const signature = sign({ secretKey: options.secretKey ?? DEMO_ACCOUNT.secretKey, body, createTs, requestID, uuid, algorithm: 'MD5' });
  return fetch(`${url}${options.path ?? '/callbot/call'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', requestID, uuid, createTs, sign: signature },
    body,
  });
}

const linesOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { receivedAt: string; kind: string; requestID: string; payload: Record<string, unknown> });

describe('callbot listen', () => {
  it('appends each callback once per requestID, on the disk before the 200; refuses bad signatures; SIGINT exits 0 with counts', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.jsonl');
    const { live, url } = await startListen(dir, ['--progress-every', '2'], 'spawned');

    const first = await deliver(url, callPayload('o-1'), 'req-call-1');
    expect(first.status).toBe(200);
    // The 200 came: the line is already in the file.
    expect(linesOf(file).map((l) => l.requestID)).toEqual(['req-call-1']);

    const again = await deliver(url, callPayload('o-1'), 'req-call-1');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ retCode: 0 });
    expect((await deliver(url, orderPayload('o-1'), 'req-order-1', { path: '/callbot/order' })).status).toBe(200);
    expect((await deliver(url, taskPayload(), 'req-task-1', { path: '/callbot/task' })).status).toBe(200);

    const forged = await deliver(url, callPayload('o-2'), 'req-forged', { secretKey: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ retCode: 6 });
    const unsigned = await fetch(`${url}/callbot/call`, { method: 'POST', body: JSON.stringify(callPayload('o-3')) });
    expect(unsigned.status).toBe(401);

    const lines = linesOf(file);
    expect(lines.map((l) => [l.kind, l.requestID])).toEqual([
      ['call', 'req-call-1'],
      ['order', 'req-order-1'],
      ['task', 'req-task-1'],
    ]);
    expect(lines[0]!.payload).toEqual(callPayload('o-1'));
    expect(Date.parse(lines[0]!.receivedAt)).toBeGreaterThan(Date.now() - 60_000);

    // Not a terminal: a line of counts every 2 callbacks.
    expect(live.stderr()).toContain('callbot listen: order 0 · call 1 · task 0 · duplicate 1 · refused 0 · failed 0\n');
    live.stop('SIGINT');
    const done = await live.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/stopped\. order 1 · call 1 · task 1 · duplicate 1 · refused 2 · failed 0; 3 written to callbacks\.jsonl/);
  });

  it('remembers the requestIDs in the file across a restart', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.jsonl');
    const one = await startListen(dir);
    expect((await deliver(one.url, callPayload('o-1'), 'req-1')).status).toBe(200);
    one.live.stop('SIGTERM');
    expect((await one.live.done).code).toBe(0);

    const two = await startListen(dir);
    expect(two.live.stderr()).toContain('1 requestIDs already in it');
    const repeat = await deliver(two.url, callPayload('o-1'), 'req-1');
    expect(repeat.status).toBe(200);
    expect((await deliver(two.url, callPayload('o-2'), 'req-2')).status).toBe(200);
    expect(linesOf(file).map((l) => l.requestID)).toEqual(['req-1', 'req-2']);
    two.live.stop('SIGINT');
    const done = await two.live.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/call 1 · task 0 · duplicate 1/);
  });

  it('starts a line of its own after a last line cut short, and does not count that line as written', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ receivedAt: 'x', kind: 'call', requestID: 'req-old', payload: {} })}\n{"receivedAt":"x","kind":"call","requestID":"req-cut`,
    );
    const { live, url } = await startListen(dir);
    expect(live.stderr()).toContain('ended in the middle of a line');
    expect((await deliver(url, callPayload('o-1'), 'req-old')).status).toBe(200);
    expect((await deliver(url, callPayload('o-2'), 'req-cut')).status).toBe(200);
    const text = readFileSync(file, 'utf8');
    const whole = text.split('\n').filter((l) => l.startsWith('{') && l.endsWith('}'));
    expect(whole.map((l) => JSON.parse(l).requestID)).toEqual(['req-old', 'req-cut']);
    live.stop('SIGINT');
    expect((await live.done).code).toBe(0);
  });

  it('--csv: one row of key fields per callback, a header once, formula-safe, deduplicated across a restart', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.csv');
    const start = async () => {
      const live = launch(['--port', '0', '--out', 'callbacks.csv', '--csv'], dir);
      await live.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      return { live, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())![1]! };
    };
    const one = await start();
    expect((await deliver(one.url, callPayload('o-1'), 'req-1')).status).toBe(200);
    expect((await deliver(one.url, taskPayload(), 'req-t')).status).toBe(200);
    one.live.stop('SIGINT');
    await one.live.done;
    const two = await start();
    expect((await deliver(two.url, callPayload('o-1'), 'req-1')).status).toBe(200);
    expect((await deliver(two.url, orderPayload('o-2'), 'req-2')).status).toBe(200);
    two.live.stop('SIGINT');
    expect((await two.live.done).code).toBe(0);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.kind, r.requestID])).toEqual([
      ['call', 'req-1'],
      ['task', 'req-t'],
      ['order', 'req-2'],
    ]);
    expect(rows[0]).toMatchObject({
      orderID: 'o-1',
      other: "'=1+1",
      callDuration: '45',
      intents: 'interested',
      callStart: new Date(1_790_000_000_000).toISOString().replace('.000Z', 'Z'),
    });
    expect(rows[1]).toMatchObject({ taskStatus: '3', finishOrderCount: '2', totalOrderCount: '2' });
  });

  it('writes a requestID delivered many times at once exactly once', async () => {
    const dir = freshDir();
    const { live, url } = await startListen(dir);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => deliver(url, callPayload('o-1'), 'req-same').then((r) => r.status)));
    // Each delivery is taken (200) or told it is being handled (409: the vendor retries later).
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses).toContain(200);
    expect(linesOf(join(dir, 'callbacks.jsonl')).map((l) => l.requestID)).toEqual(['req-same']);
    live.stop('SIGINT');
    expect((await live.done).code).toBe(0);
  });

  it('refuses a body over --max-body-bytes (413) and writes nothing', async () => {
    const dir = freshDir();
    const { live, url } = await startListen(dir, ['--max-body-bytes', '2000']);
    const big = { ...callPayload('o-1'), other: 'x'.repeat(5000) };
    const response = await deliver(url, big, 'req-big');
    expect(response.status).toBe(413);
    expect(readFileSync(join(dir, 'callbacks.jsonl'), 'utf8')).toBe('');
    live.stop('SIGINT');
    expect((await live.done).stderr).toMatch(/refused 1/);
  });

  // DEPENDS ON THE TOLERANT RECEIVER (issue 17, item 1): createCallbackHandler must hand a
  // verified payload that deviates from the schema to its handler with `meta.deviations`
  // instead of answering 400. Against a strict receiver the deviating deliveries get 400.
  it('writes a verified callback that deviates from the contract like any other, with its deviations, and counts it (live, final, --json)', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.jsonl');
    const { live, url } = await startListen(dir, ['--progress-every', '1', '--json']);

    // The vendor's own shape of a call no agent touched (listOrderDetail example): agent fields
    // null, params [{}] (the spec now allows both); plus an undocumented callStatus, a field the
    // spec lacks and one missing: the last two are deviations.
    const { userName: _, ...withoutName } = orderPayload('o-9');
    const deviating = {
      ...withoutName,
      surplus: 'a field the spec lacks',
      callInfoDetail: {
        ...callPayload('o-9').callInfoDetail,
        callStatus: 99,
        agent: { agentName: null, agentGroup: null, agentCallStatus: null, agentCallElapsed: null, agentLabel: null, manualHangupBy: 0 },
        params: [{}],
      },
    };
    const taken = await deliver(url, deviating, 'req-deviating', { path: '/callbot/order' });
    expect(taken.status).toBe(200);
    expect((await deliver(url, deviating, 'req-deviating', { path: '/callbot/order' })).status).toBe(200); // a repeat: not written again
    expect((await deliver(url, callPayload('o-1'), 'req-conforming')).status).toBe(200);
    expect((await deliver(url, deviating, 'req-forged', { secretKey: 'not-the-secret', path: '/callbot/order' })).status).toBe(401);

    const lines = linesOf(file) as (ReturnType<typeof linesOf>[number] & { deviations?: { path: string; message: string }[] })[];
    expect(lines.map((l) => [l.kind, l.requestID])).toEqual([
      ['order', 'req-deviating'],
      ['call', 'req-conforming'],
    ]);
    expect(lines[0]!.payload).toEqual(deviating);
    const paths = lines[0]!.deviations!.map((d) => d.path);
    expect(paths).toEqual(['userName', 'surplus']);
    expect(lines[0]!.deviations!.every((d) => typeof d.message === 'string' && d.message.length > 0)).toBe(true);
    expect(lines[1]!).not.toHaveProperty('deviations');

    expect(live.stderr()).toContain('callbot listen: order 1 · call 0 · task 0 · duplicate 0 · refused 0 · failed 0 · deviating 1\n');
    live.stop('SIGINT');
    const done = await live.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(
      /stopped\. order 1 · call 1 · task 0 · duplicate 1 · refused 1 · failed 0 · deviating 1; 2 written to callbacks\.jsonl \(1 deviating from the contract, written with their deviations\)/,
    );
    expect(done.stdout).toBe(`${JSON.stringify(JSON.parse(done.stdout), null, 2)}\n`); // indented, as every verb's --json
    expect(JSON.parse(done.stdout)).toEqual({
      out: 'callbacks.jsonl',
      format: 'jsonl',
      forwardTo: null,
      written: 2,
      counts: { order: 1, call: 1, task: 0, deviating: 1, duplicate: 1, refused: 1, failed: 0 },
    });
  });

  // DEPENDS ON THE TOLERANT RECEIVER, as above.
  it('--csv: a deviating callback is a row like any other, its nulls empty cells, its deviations in the last column', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.jsonl'); // startListen's file name; CSV inside
    const { live, url } = await startListen(dir, ['--csv']);
    const strange = {
      ...callPayload('o-7'),
      userPhone: null,
      callInfoDetail: { ...callPayload('o-7').callInfoDetail, callStatus: 99, intents: [{}], callDuration: null },
    };
    expect((await deliver(url, strange, 'req-strange')).status).toBe(200);
    live.stop('SIGINT');
    expect((await live.done).code).toBe(0);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'call', requestID: 'req-strange', orderID: 'o-7', userPhone: '', callStatus: '99', callDuration: '', intents: '' });
    expect(rows[0]!.deviations).toContain('userPhone: ');
    expect(rows[0]!.deviations).toContain('callInfoDetail.callDuration: ');
  });

  it('--csv: a file begun by an earlier version (no deviations column) keeps its columns, and says deviations are only counted', async () => {
    const dir = freshDir();
    const file = join(dir, 'callbacks.csv');
    const oldColumns = [
      'receivedAt',
      'kind',
      'requestID',
      'userTaskID',
      'orderID',
      'userPhone',
      'userName',
      'other',
      'finish',
      'callID',
      'callStatus',
      'callStart',
      'callAnswer',
      'callEnd',
      'callDuration',
      'hangupCause',
      'intents',
      'taskStatus',
      'finishOrderCount',
      'totalOrderCount',
    ];
    writeFileSync(file, `${oldColumns.join(',')}\n2026-01-01T00:00:00.000Z,call,req-old,task-1,o-0,,,,,,,,,,,,,,,\n`);
    const live = launch(['--port', '0', '--out', 'callbacks.csv', '--csv'], dir);
    await live.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(live.stderr()).toContain('callbacks.csv has no deviations column (begun by an earlier version)');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())![1]!;
    expect((await deliver(url, callPayload('o-1'), 'req-new')).status).toBe(200);
    live.stop('SIGINT');
    expect((await live.done).code).toBe(0);
    const records = parse(readFileSync(file, 'utf8')) as string[][];
    expect(records.map((r) => r.length)).toEqual([20, 20, 20]);
    expect(records[2]!.slice(1, 5)).toEqual(['call', 'req-new', 'task-1', 'o-1']);
  });
});
