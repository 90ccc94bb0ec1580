import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVendor, startFakeVendor } from 'callbot-test-kit/fake-vendor';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// The reading verbs (`export`, `orders`, `calls`, `task list`, `task show`) against a signed
// stand-in vendor whose answers are shaped as a real vendor's may be: nulls where the spec
// promises values, missing and unknown fields, values the spec does not list (callStatus 99,
// taskStatus 9), items that are `{}` or null. Each item still makes its row: an empty cell for
// null or missing, the raw value for the rest; nothing crashes, no row is dropped.

/** The vendor's own listOrderDetail answer example (orderDetailList page, zh and en, Dec 16 2024 and Jan 11 2024), verbatim. */
const VENDOR_ORDER_DETAIL_EXAMPLE = {
  retCode: 0,
  retMsg: 'string',
  responseID: 'string',
  orderDetailList: [
    {
      orderID: 'string',
      userPhone: 'string',
      userName: 'string',
      sceneID: 'string',
      userTaskID: 'string',
      taskID: 'string',
      finish: true,
      other: 'string',
      callInfoDetailList: [
        {
          callID: 'string',
          callingNumber: 'string',
          lineAddress: 'string',
          callStatus: 1,
          callStartTs: 0,
          callAnswerTs: 0,
          callEndTs: 0,
          callDuration: 0,
          callAudioUrl: 'string',
          hangupCause: 'string',
          termSipCode: 'string',
          intents: [{}],
          sms: [{}],
          agent: {
            agentName: null,
            agentGroup: null,
            agentCallStatus: null,
            agentCallElapsed: null,
            agentLabel: null,
            manualCallStart: null,
            manualCallAnswer: null,
            manualCallEnd: null,
            manualHangupBy: 0,
          },
          params: [{}],
          recordDetail: [{}],
        },
      ],
    },
  ],
};

const envelope = { retCode: 0, retMsg: 'success', responseID: 'resp-1' };

/** A call as the vendor may send it: an undocumented callStatus, agent fields null, `{}` items, a field the spec lacks. */
const strangeCall = {
  callID: 'c-2',
  callStatus: 99,
  callStartTs: null,
  callAnswerTs: 0,
  callEndTs: '1790000050',
  callDuration: null,
  hangupCause: null,
  intents: [{}, null, { intentName: 'interested' }],
  agent: { agentName: null, agentGroup: null, manualHangupBy: 0 },
  params: [{}],
  lineAddress: 'sip:line-9',
};

const exportAnswer = {
  ...envelope,
  batchID: 'b-1',
  callList: [
    { orderID: 'string', userPhone: 'string', other: 'string', callID: 'string', callStatus: 1, callStartTs: 0, intents: [{}] },
    { orderID: 'o-2', userPhone: null, other: null, callID: 'c-2', callStatus: 99, surplus: { any: 'thing' } },
    { orderID: null, userPhone: '8613800000003', callID: null },
    null,
  ],
};

const detailAnswer = (orderList: string[]) => ({
  ...envelope,
  orderDetailList: [
    ...VENDOR_ORDER_DETAIL_EXAMPLE.orderDetailList.filter((d) => orderList.includes(d.orderID)),
    // o-2: no phone, name or finish; a null call listed before the one that was made.
    ...(orderList.includes('o-2') ? [{ orderID: 'o-2', userPhone: null, userName: null, finish: null, callInfoDetailList: [null, strangeCall] }] : []),
    null,
    {},
  ],
});

const listItems = [
  // As a listOrder/listCall item shaped like the vendor's example.
  {
    orderID: 'o-1',
    userPhone: '8615600000001',
    userName: 'string',
    finish: true,
    other: 'string',
    callInfoDetail: VENDOR_ORDER_DETAIL_EXAMPLE.orderDetailList[0]!.callInfoDetailList[0],
  },
  { orderID: 'o-2', userPhone: null, userName: null, finish: null, other: null, callInfoDetail: strangeCall },
  { orderID: 'o-3', userPhone: '8615600000003', unknownField: [1, 2], callInfoDetail: null },
  { orderID: 'o-4', userPhone: '8615600000004', callInfoDetail: { callID: null, callStatus: 2 } },
  { orderID: 'o-5', userPhone: '8615600000005', callInfoDetail: { callID: null, callStatus: 2 } },
  null,
];

const tasks = [
  { userTaskID: 't-9', taskID: '880009', sceneID: 's-1', taskStatus: 9, createTs: 1_790_000_000, taskStat: null, surplus: true },
  {
    userTaskID: 't-null',
    taskID: null,
    sceneID: null,
    taskStatus: null,
    createTs: null,
    taskStat: { finishOrderCount: null, totalOrderCount: 3, totalCall: null },
  },
  { userTaskID: 't-missing' },
  null,
];
/** Served only when asked for by userTaskID: a createTs in microseconds (past the Date range) and one that is an object whose `toString` is no function. */
const oddTasks = [
  { userTaskID: 't-micro', taskID: '1', taskStatus: 2, createTs: 1_790_000_000_000_000 },
  { userTaskID: 't-trap', taskID: '2', taskStatus: 2, createTs: { toString: 'x', valueOf: 1 } },
];

function answerFor(body: any, path: string): Record<string, unknown> {
  const operation = path.slice(path.lastIndexOf('/') + 1);
  switch (operation) {
    case 'exportBatchCall':
      return exportAnswer;
    case 'listOrderDetail':
      return detailAnswer(body.orderList);
    case 'listOrder':
      return { ...envelope, totalCount: listItems.length, orderList: listItems };
    case 'listCall':
      return { ...envelope, totalCount: null, callList: listItems };
    case 'listTask': {
      const wanted: string[] | undefined = body.queryConditions?.userTaskID;
      const all = wanted ? [...tasks, ...oddTasks].filter((t) => t === null || wanted.includes(String(t.userTaskID))) : tasks;
      return { ...envelope, totalCount: all.length, taskData: all };
    }
    default:
      return { retCode: 3, retMsg: `not served here: ${operation}`, responseID: 'r' };
  }
}

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(DEMO_ACCOUNT);
  vendor.script({ kind: 'compute', answer: answerFor });
});
afterAll(() => vendor.close());

const env = () => ({ CALLBOT_BASE_URL: vendor.url });
const csvRows = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the reading verbs on answers shaped as the vendor may send them', () => {
  it('export: the vendor’s own listOrderDetail example, nulls, unknown values and entries without an orderID each make their row', async () => {
    const dir = freshDir();
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'export.csv', '--json'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 4, counts: { status: { finished: 1, 'in-progress': 1, unknown: 2 } } });
    const rows = csvRows(join(dir, 'export.csv'));
    expect(rows[0]).toMatchObject({
      orderID: 'string',
      phone: 'string',
      name: 'string',
      status: 'finished',
      rounds: '1',
      lastCallID: 'string',
      lastCallStatus: '1',
      lastCallStart: '',
      totalDuration: '0',
      intents: '',
      hangupCause: 'string',
    });
    expect(rows[1]).toMatchObject({
      orderID: 'o-2',
      phone: '',
      name: '',
      other: '',
      status: 'in-progress',
      rounds: '2',
      lastCallID: 'c-2',
      lastCallStatus: '99',
      lastCallStart: '',
      lastCallEnd: '1790000050',
      lastCallDuration: '',
      totalDuration: '0',
      intents: 'interested',
      hangupCause: '',
    });
    expect(rows[2]).toMatchObject({ orderID: '', phone: '8613800000003', status: 'unknown' });
    expect(rows[3]).toMatchObject({ orderID: '', phone: '', status: 'unknown' });
    // Only the entries with an orderID were asked about.
    const asked = vendor.received.filter((r) => r.path.endsWith('/listOrderDetail')).map((r) => JSON.parse(r.json).orderList);
    expect(asked.at(-1)).toEqual(['string', 'o-2']);
  });

  it('orders: every item is a row, null and {} included; callStatus 99 passes through; null is an empty cell (CSV) or null (JSON Lines)', async () => {
    const dir = freshDir();
    const run = await runInProcess(['orders', '--task', 'task-1', '--out', 'orders.csv', '--json'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 6, duplicatesSkipped: 0, counts: { callStatus: { 1: 1, 2: 2, 99: 1, '(none)': 2 } } });
    const rows = csvRows(join(dir, 'orders.csv'));
    expect(rows.map((r) => r.orderID)).toEqual(['o-1', 'o-2', 'o-3', 'o-4', 'o-5', '']);
    expect(rows[0]).toMatchObject({ callID: 'string', callStatus: '1', callStart: '', intents: '', finished: 'true' });
    expect(rows[1]).toMatchObject({ phone: '', name: '', finished: '', other: '', callID: 'c-2', callStatus: '99', callDuration: '', callEnd: '1790000050' });
    expect(rows[2]).toMatchObject({ phone: '8615600000003', callID: '', callStatus: '', intents: '' });
    expect(Object.values(rows[5]!).every((value) => value === '')).toBe(true);

    const jsonl = await runInProcess(['orders', '--task', 'task-1', '--out', 'orders.jsonl'], { cwd: dir, env: env() });
    expect(jsonl.code).toBe(0);
    const lines = jsonLines(join(dir, 'orders.jsonl'));
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatchObject({ orderID: 'o-2', phone: null, name: null, callStatus: 99, callDuration: null, callEnd: '1790000050' });
  });

  it('calls: items without a callID are all written (not taken for repeats); a null totalCount is no end of pages', async () => {
    const dir = freshDir();
    const run = await runInProcess(['calls', '--task', 'task-1', '--out', 'calls.csv', '--json'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 6, pages: 1, duplicatesSkipped: 0 });
    expect(csvRows(join(dir, 'calls.csv')).map((r) => [r.orderID, r.callID, r.callStatus])).toEqual([
      ['o-1', 'string', '1'],
      ['o-2', 'c-2', '99'],
      ['o-3', '', ''],
      ['o-4', '', '2'],
      ['o-5', '', '2'],
      ['', '', ''],
    ]);
  });

  it('task list: a taskStatus the spec does not list shows as its number, nulls as empty cells; every item is a row', async () => {
    const run = await runInProcess(['task', 'list'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(5); // the header and four items
    expect(lines[1]).toMatch(/^t-9 +880009 +9 \(not in the contract\) +s-1 +2026-09-21 \d\d:\d\d UTC *$/);
    expect(lines[2]).toMatch(/^t-null +-\/3 *$/);
    expect(lines[3]).toMatch(/^t-missing *$/);
    expect(lines[4]!.trim()).toBe(''); // the null item: a row of empty cells

    const json = await runInProcess(['task', 'list', '--json'], { env: env() });
    expect(json.code).toBe(0);
    const printed = JSON.parse(json.stdout) as { tasks: unknown[] };
    // As the vendor sent them, with the spec's status name (null when it lists none).
    expect(printed.tasks).toEqual([{ ...tasks[0], taskStatusName: null }, { ...tasks[1], taskStatusName: null }, { ...tasks[2], taskStatusName: null }, null]);
  });

  it('task show: a task with taskStat null and an undocumented status is shown, not a crash', async () => {
    const run = await runInProcess(['task', 'show', '--task', 't-9'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('status             9 (not in the contract)\n');
    expect(run.stdout).toContain('orders             - in all, - done (-), - answered\n');
    const other = await runInProcess(['task', 'show', '--task', 't-null', '--json'], { env: env() });
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout).task).toEqual({ ...tasks[1], taskStatusName: null });
  });

  it('task list / show: a createTs past the Date range or an object with a toString that is no function is shown as it came, not a crash', async () => {
    const list = await runInProcess(['task', 'list', '--task', 't-micro', '--task', 't-trap'], { env: env() });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^t-micro +1 +2 Running +1790000000000000 *$/m);
    expect(list.stdout).toMatch(/^t-trap +2 +2 Running +\{"toString":"x","valueOf":1\} *$/m);
    for (const task of ['t-micro', 't-trap']) {
      const show = await runInProcess(['task', 'show', '--task', task], { env: env() });
      expect(show.stderr).toBe('');
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/^created +(1790000000000000|\{"toString":"x","valueOf":1\})$/m);
    }
  });
});

describe('import: an answer whose errList is shaped as the vendor may send it', () => {
  it('a null entry, a phone as a number and an errMsg object are read as text: every row accounted for, nothing thrown after the send', async () => {
    // Three refusals listed (one of them null) but 1 of 3 said imported: the counts do not add up,
    // so the row no refusal names is unknown (exit 4), never taken for accepted.
    const dir = freshDir();
    const list = join(dir, 'list.csv');
    writeFileSync(list, 'phone,order_id\n8615600000001,o-1\n8615600000002,o-2\n8615600000003,o-3\n');
    const odd = await startFakeVendor(DEMO_ACCOUNT);
    try {
      odd.script({
        answer: {
          ...envelope,
          totalCount: 3,
          successCount: 1,
          errList: [null, { phone: 8615600000001, errMsg: { toString: null, why: 'blacklisted' } }, { phone: '8615600000002', errMsg: ['=cmd'] }],
        },
      });
      const run = await runInProcess(['import', list, '--task', 'task-odd', '--report', join(dir, 'report.csv'), '--json'], {
        cwd: dir,
        env: { CALLBOT_BASE_URL: odd.url },
      });
      expect(run.stderr).not.toMatch(/TypeError|Cannot convert/);
      expect(run.code, run.stdout + run.stderr).toBe(4);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'unknown', counts: { 'rejected-by-server': 2, unknown: 1 } });
      expect(odd.received).toHaveLength(1); // sent once
      const rows = csvRows(join(dir, 'report.csv'));
      expect(rows.map((r) => r.status)).toEqual(['rejected-by-server', 'rejected-by-server', 'unknown']);
      expect(rows[0]!.reason).toContain('blacklisted');
      expect(rows[1]!.reason).toBe('["=cmd"]'); // the vendor's value as its JSON text
    } finally {
      await odd.close();
    }
  });
});
