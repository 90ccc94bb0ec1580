import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { startFakeVendor, type FakeVendor } from 'callbot-test-kit/fake-vendor';
import { startMockProcess, type MockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { readReport } from './support/report.js';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// `callbot import --append` (addBatchCall) and `--create-task --scene` (createAndCall), as users
// run them: the built command as a process, against the built mock as a process (its simulator:
// real tasks and orders, real counts, an orderID already in the task refused) and against a fake vendor that records every
// request (written from the vendor's description: it checks the signature itself) and answers
// what each test scripts.

const PATH = {
  importBatchCall: '/callcentre/api/v3/importBatchCall',
  addBatchCall: '/callcentre/api/v3/addBatchCall',
  createAndCall: '/callcentre/api/v3/createAndCall',
};
const CALLBACKS = { orderCallbackUrl: 'http://127.0.0.1:8787/callbot/order', callCallbackUrl: 'http://127.0.0.1:8787/callbot/call' };
const TWO_ROWS = 'phone,name,order_id,param.amount\n8615600000001,张伟,ord-1,10\n8615600000002,李娜,ord-2,20\n';
const THREE_ROWS = `${TWO_ROWS}8615600000003,王芳,ord-3,30\n`;
const ORDERS = [
  { orderID: 'ord-1', userPhone: '8615600000001', other: '', userName: '张伟', customerName: '', params: [{ name: 'amount', value: '10' }] },
  { orderID: 'ord-2', userPhone: '8615600000002', other: '', userName: '李娜', customerName: '', params: [{ name: 'amount', value: '20' }] },
  { orderID: 'ord-3', userPhone: '8615600000003', other: '', userName: '王芳', customerName: '', params: [{ name: 'amount', value: '30' }] },
];

/** The list in a folder of its own (where a needed report lands), run from another folder. */
function listFile(text: string, name = 'list.csv') {
  const dir = freshDir();
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file, others: () => readdirSync(dir).filter((entry) => entry !== name) };
}

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
let counter = 0;
const newTask = (label: string) => `append-${label}-${process.pid}-${(counter += 1)}`;

describe('against the built mock (a process)', () => {
  let mock: MockProcess;
  beforeAll(async () => {
    mock = await startMockProcess(['--quiet', '--no-callbacks', '--importing-ms', '0']);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('--append: addBatchCall onto a task the simulator holds, every row accepted (its counts: 2 of 2), no report left (exit 0)', async () => {
    // The simulator appends only to a task it knows: a plain import of another order creates it.
    const task = newTask('mock');
    const first = await runInProcess(['import', listFile('phone,order_id\n8615600000009,ord-0\n').file, '--task', task, '--base-url', mock.url]);
    expect(first.code, first.stderr).toBe(0);
    const list = listFile(TWO_ROWS);
    const cwd = freshDir();
    const run = await runInProcess(['import', list.file, '--task', task, '--append', '--base-url', mock.url, '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    // perRowDetail is not asserted: the simulator leaves out an empty errList (the spec allows it),
    // and the command counts only counts *and* errList as per-row detail.
    expect(json(run.stdout)).toMatchObject({ operation: 'addBatchCall', outcome: 'imported', counts: { accepted: 2 }, report: null });
    expect(list.others()).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--append: orders already in the task are refused one by one by the simulator, the others accepted; report beside the input (exit 2)', async () => {
    const task = newTask('again');
    const first = await runInProcess(['import', listFile(TWO_ROWS).file, '--task', task, '--base-url', mock.url]);
    expect(first.code, first.stderr).toBe(0);
    const list = listFile(THREE_ROWS);
    const run = await runInProcess(['import', list.file, '--task', task, '--append', '--base-url', mock.url, '--json']);
    expect(run.code, run.stderr).toBe(2);
    const summary = json(run.stdout);
    expect(summary).toMatchObject({ operation: 'addBatchCall', outcome: 'imported', counts: { accepted: 1 } });
    expect(readReport(summary.report).map((line) => [line.orderID, line.status])).toEqual([
      ['ord-1', 'rejected-by-server'],
      ['ord-2', 'rejected-by-server'],
      ['ord-3', 'accepted'],
    ]);
  });

  it("--create-task: createAndCall, every row accepted (the simulator's counts: 1 of 1) (exit 0); the text summary names the operation", async () => {
    const list = listFile(TWO_ROWS.split('\n').slice(0, 2).join('\n'));
    const run = await runInProcess([
      'import',
      list.file,
      '--task',
      newTask('create'),
      '--create-task',
      '--scene',
      'scene-1001',
      '--task-name',
      '账单',
      '--base-url',
      mock.url,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^operation: createAndCall \(--create-task: the task is created with the list\)$/m);
    expect(run.stdout).toMatch(/^task created with its orders: 1 of 1 orders accepted/m);
    expect(list.others()).toEqual([]);
  });
});

describe('against a fake vendor that records requests', () => {
  let vendor: FakeVendor;
  beforeAll(async () => {
    vendor = await startFakeVendor(DEMO_ACCOUNT);
  });
  afterAll(async () => {
    await vendor?.close();
  });
  beforeEach(() => {
    vendor.received.length = 0;
    // The counts of what was sent, an empty errList: the answer of a vendor that took everything.
    vendor.script({
      kind: 'compute',
      answer: (body) => ({
        retCode: 0,
        retMsg: 'success',
        responseID: 'resp-1',
        totalCount: body.callInfoList.callList.length,
        successCount: body.callInfoList.callList.length,
        errList: [],
      }),
    });
  });

  it('--append sends one signed addBatchCall with the list as it is, and nothing else', async () => {
    const list = listFile(TWO_ROWS);
    const task = newTask('body');
    const run = await runInProcess(['import', list.file, '--task', task, '--append', '--base-url', vendor.url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(vendor.received.map((r) => r.path)).toEqual([PATH.addBatchCall]);
    const [request] = vendor.received;
    expect(request!.signatureValid).toBe(true);
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(request!.json).toBe(JSON.stringify({ productID: 'callbot', userTaskID: task, callInfoList: { ...CALLBACKS, callList: ORDERS.slice(0, 2) } }));
    expect(json(run.stdout)).toMatchObject({
      operation: 'addBatchCall',
      vendorCounts: { totalCount: 2, successCount: 2, errList: 0 },
      counts: { accepted: 2 },
    });
  });

  it('--create-task sends one createAndCall with sceneID and the task name, in the key order signed', async () => {
    const list = listFile(TWO_ROWS);
    const task = newTask('create-body');
    const run = await runInProcess([
      'import',
      list.file,
      '--task',
      task,
      '--create-task',
      '--scene',
      'scene-7',
      '--task-name',
      '账单 "12月"',
      '--base-url',
      vendor.url,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(vendor.received.map((r) => r.path)).toEqual([PATH.createAndCall]);
    expect(vendor.received[0]!.signatureValid).toBe(true);
    expect(vendor.received[0]!.json).toBe(
      JSON.stringify({
        productID: 'callbot',
        userTaskID: task,
        sceneID: 'scene-7',
        taskCreateSetting: { taskName: '账单 "12月"' },
        callInfoList: { ...CALLBACKS, callList: ORDERS.slice(0, 2) },
      }),
    );
    expect(json(run.stdout).operation).toBe('createAndCall');
  });

  it('without --append or --create-task: importBatchCall, as before', async () => {
    const list = listFile(TWO_ROWS);
    const run = await runInProcess(['import', list.file, '--task', newTask('plain'), '--base-url', vendor.url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(vendor.received.map((r) => r.path)).toEqual([PATH.importBatchCall]);
    expect(json(run.stdout).operation).toBe('importBatchCall');
  });

  it('an answer of success without counts or errList: rows accepted, and the summary and report say there was no per-row detail (exit 0)', async () => {
    vendor.script({ answer: { retCode: 0, retMsg: 'success', responseID: 'resp-2' } });
    const list = listFile(THREE_ROWS);
    const report = join(freshDir(), 'asked.csv');
    const run = await runInProcess(['import', list.file, '--task', newTask('no-counts'), '--append', '--base-url', vendor.url, '--report', report, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = json(run.stdout);
    expect(summary).toMatchObject({ operation: 'addBatchCall', outcome: 'imported', perRowDetail: false, counts: { accepted: 3 }, report });
    expect(summary.vendorCounts).toEqual({});
    expect(summary.message).toMatch(/no per-row detail \(no totalCount\/successCount, no errList\)/);
    for (const line of readReport(report)) {
      expect(line.status).toBe('accepted');
      expect(line.reason).toMatch(/success for the whole request but has no counts and no errList: no per-row confirmation/);
    }
    expect(list.others()).toEqual([]); // --report: nothing beside the input
  });

  it('an errList without counts: that row refused, the others accepted; the report lands beside the input (exit 2)', async () => {
    vendor.script({ answer: { retCode: 0, retMsg: 'success', responseID: 'resp-3', errList: [{ phone: '8615600000002', errMsg: 'blacklisted' }] } });
    const list = listFile(THREE_ROWS);
    const cwd = freshDir();
    const run = await runInProcess(['import', list.file, '--task', newTask('errlist'), '--create-task', '--scene', 's', '--base-url', vendor.url], { cwd });
    expect(run.code, run.stderr).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
    const [name] = list.others();
    const report = join(list.dir, name!);
    expect(run.stdout).toContain(`report: ${report}`);
    expect(readReport(report).map((line) => [line.phone, line.status])).toEqual([
      ['8615600000001', 'accepted'],
      ['8615600000002', 'rejected-by-server'],
      ['8615600000003', 'accepted'],
    ]);
  });

  it('--append: counts that do not match the rows sent (2 of 2 for 3 rows) are not trusted: unknown, report beside the input (exit 4)', async () => {
    vendor.script({ answer: { retCode: 0, retMsg: 'success', responseID: 'resp-5', totalCount: 2, successCount: 2, errList: [] } });
    const list = listFile(THREE_ROWS);
    const run = await runInProcess(['import', list.file, '--task', newTask('counts'), '--append', '--base-url', vendor.url, '--json']);
    expect(run.code, run.stderr).toBe(4);
    const summary = json(run.stdout);
    expect(summary).toMatchObject({ operation: 'addBatchCall', outcome: 'unknown', counts: { unknown: 3 } });
    const [report] = list.others();
    expect(summary.report).toBe(join(list.dir, report!));
    expect(readReport(summary.report).map((line) => line.status)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('counts short of what was sent, without an errList: the rows are unknown, not accepted (exit 4)', async () => {
    vendor.script({ answer: { retCode: 0, retMsg: 'success', responseID: 'resp-4', totalCount: 3, successCount: 2 } });
    const list = listFile(THREE_ROWS);
    const run = await runInProcess(['import', list.file, '--task', newTask('short'), '--append', '--base-url', vendor.url, '--json']);
    expect(run.code, run.stderr).toBe(4);
    expect(json(run.stdout)).toMatchObject({ outcome: 'unknown', counts: { unknown: 3 } });
    expect(list.others()).toHaveLength(1);
  });

  it('--report is honoured for a fully accepted --append: written there, nothing beside the input', async () => {
    const list = listFile(TWO_ROWS);
    const report = join(freshDir(), 'mine.csv');
    const run = await runInProcess(['import', list.file, '--task', newTask('asked'), '--append', '--base-url', vendor.url, '--report', report]);
    expect(run.code, run.stderr).toBe(0);
    expect(readReport(report).map((line) => line.status)).toEqual(['accepted', 'accepted']);
    expect(list.others()).toEqual([]);
  });

  it('a failing send leaves the pre-send report beside the input: every row unknown with the requestID (exit 4)', async () => {
    vendor.script({ kind: 'reset-after-body' });
    const list = listFile(TWO_ROWS);
    const run = await runInProcess(['import', list.file, '--task', newTask('reset'), '--append', '--base-url', vendor.url, '--json']);
    expect(run.code, run.stderr).toBe(4);
    expect(vendor.received).toHaveLength(1); // a write whose outcome is unknown is never sent again
    const [name] = list.others();
    const lines = readReport(join(list.dir, name!));
    const requestID = String(vendor.received[0]!.headers.requestid);
    expect(lines.map((line) => line.status)).toEqual(['unknown', 'unknown']);
    for (const line of lines) expect(line.reason).toContain(requestID);
  });

  it.each([
    [['--append', '--create-task', '--scene', 's'], /--append.*cannot be used with.*--create-task/],
    [['--create-task'], /--create-task needs --scene <sceneID>/],
    [['--scene', 's'], /--scene is for --create-task only/],
    [['--append', '--task-name', 'n'], /--task-name is for --create-task only/],
  ])('%j is a usage error: nothing read or sent (exit 1)', async (flags, message) => {
    const list = listFile(TWO_ROWS);
    const run = await runInProcess(['import', list.file, '--task', newTask('usage'), ...flags, '--base-url', vendor.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(vendor.received).toEqual([]);
    expect(list.others()).toEqual([]);
  });

  it('--help says what import, --append and --create-task do to the task', async () => {
    const run = await runInProcess(['import', '--help']);
    expect(run.code).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain("REPLACES its undialed numbers: the previous batch's numbers not yet dialed are dropped");
    expect(help).toContain('the list is ADDED; nothing is dropped');
    expect(help).toContain('--append and --create-task cannot be combined');
    expect(help).toMatch(/without --report, that file is removed again when the answer accepts every row/);
  });

  it('finds the folder of an input given by a relative path', async () => {
    const list = listFile(THREE_ROWS, 'rel.csv');
    vendor.script({ answer: { retCode: 0, retMsg: 'success', responseID: 'r', errList: [{ phone: '8615600000001', errMsg: 'no' }] } });
    const run = await runInProcess(['import', 'rel.csv', '--task', newTask('relative'), '--append', '--base-url', vendor.url], { cwd: list.dir });
    expect(run.code, run.stderr).toBe(2);
    expect(list.others()).toHaveLength(1); // beside the input, which is the working directory here
  });
});

// The example list is the one the README shows: it goes through --append unchanged.
it('the example list goes through --append against the fake vendor', async () => {
  const vendor = await startFakeVendor(DEMO_ACCOUNT);
  try {
    vendor.script({
      kind: 'compute',
      answer: (body) => ({
        retCode: 0,
        retMsg: 'success',
        responseID: 'r',
        totalCount: body.callInfoList.callList.length,
        successCount: body.callInfoList.callList.length,
        errList: [],
      }),
    });
    const run = await runInProcess([
      'import',
      fromRoot('packages', 'cli', 'examples', 'call-list.csv'),
      '--task',
      newTask('example'),
      '--append',
      '--base-url',
      vendor.url,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run.stdout).counts.accepted).toBe(5);
  } finally {
    await vendor.close();
  }
});
