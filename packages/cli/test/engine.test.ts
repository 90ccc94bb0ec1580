import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from 'callbot-mock';
import { DEMO_ACCOUNT, RetCodes, verifySignature } from 'callbot-contract';
import { exitCodeFor, runImport, type ImportEvent, type ImportIO, type ImportRequest } from '../src/index.js';
import { fromRoot } from 'callbot-test-kit/paths';
import { startMock, stopMocks } from './support/mock-server.js';
import { byRow, mockBatches, readReport } from './support/report.js';
import { freshDir } from './support/run-cli.js';
import { startStandInVendor } from './support/stand-in-vendor.js';
import { capturingFetch } from './support/wire.js';

// `callbot import`'s engine, in this process: runImport against the mock (callbot-mock's library
// entry) or a stand-in vendor on loopback, with injected io. What the command prints and exits
// with is the front's (front.test.ts, smoke.test.ts); here: the summary, the events, the report
// and what reached the server.

const EXAMPLE = fromRoot('packages', 'cli', 'examples', 'call-list.csv');
const BAD_ROWS = fromRoot('packages', 'cli', 'test', 'fixtures', 'bad-rows.csv');

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(stopMocks);

let taskCounter = 0;
const newTask = (label: string) => `engine-${label}-${process.pid}-${(taskCounter += 1)}`;

/** runImport(file, task) to `baseUrl` with the report in a fresh directory; no CALLBOT_* environment. */
async function importList(file: string, task: string, baseUrl: string, request: Partial<ImportRequest> = {}, io: ImportIO = {}) {
  const dir = freshDir();
  const report = join(dir, 'report.csv');
  const events: ImportEvent[] = [];
  const summary = await runImport(
    { file, userTaskID: task, report, ...request, connection: { baseUrl, ...request.connection } },
    { env: {}, onEvent: (event) => events.push(event), ...io },
  );
  return { summary, events, report, dir, exitCode: exitCodeFor(summary) };
}

const writeList = (name: string, text: string) => {
  const file = join(freshDir(), name);
  writeFileSync(file, text);
  return file;
};

describe('runImport: a clean file', () => {
  it('imports every row as one batch; the summary, the report and the mock agree (exit 0)', async () => {
    const task = newTask('clean');
    const run = await importList(EXAMPLE, task, mock.url);
    expect(run.summary).toMatchObject({
      outcome: 'imported',
      userTaskID: task,
      baseUrl: mock.url,
      dryRun: false,
      rows: 5,
      retCode: 0,
      attempts: 1,
      report: run.report,
      counts: { accepted: 5, 'rejected-locally': 0, 'rejected-by-server': 0, 'not-sent': 0, unknown: 0 },
      vendorCounts: { totalCount: 5, successCount: 5, errList: 0 },
      problems: [],
      warnings: [],
    });
    expect(run.summary.message).toMatch(/^imported: 5 of 5 orders accepted \(responseID .+\)$/);
    expect(run.summary.requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(run.exitCode).toBe(0);
    const report = readReport(run.report);
    expect(report.map((l) => [l.row, l.status])).toEqual([
      [2, 'accepted'],
      [3, 'accepted'],
      [4, 'accepted'],
      [5, 'accepted'],
      [6, 'accepted'],
    ]);
    expect(report.map((l) => l.phone)).toEqual(['8615612345678', '8613800138000', '8613911112222', '8615900001111', '8618622223333']);
    const batches = await mockBatches(mock.url, task);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.orders.map((o) => [o.orderID, o.userPhone])).toEqual(report.map((l) => [l.orderID, l.phone]));
  });

  it('tells its progress as events, in order, and prints nothing', async () => {
    const run = await importList(EXAMPLE, newTask('events'), mock.url);
    expect(run.events.map((e) => (e.type.startsWith('step') && 'step' in e ? `${e.type}:${e.step}` : e.type))).toEqual([
      'connection',
      'step:read',
      'step-done:read',
      'checked',
      'step:prepare',
      'step-done:prepare',
      'step:send',
      'attempt',
      'step-done:send',
      'report',
    ]);
    expect(run.events[0]).toMatchObject({ type: 'connection', baseUrl: mock.url, uuid: DEMO_ACCOUNT.uuid, usingDemoAccount: true, credentialsFrom: 'default' });
    expect(run.events).toContainEqual({ type: 'step-done', step: 'read', result: '5 rows read, 5 valid, 0 invalid' });
    expect(run.events).toContainEqual({ type: 'attempt', attempt: 1, requestID: run.summary.requestID });
    expect(run.events.at(-1)).toEqual({ type: 'report', path: run.report });
  });

  it('reads a semicolon CSV with a BOM, CRLF and a multi-line cell, numbering rows as a spreadsheet does', async () => {
    const run = await importList(fromRoot('packages', 'cli', 'test', 'fixtures', 'clean-semicolon-bom.csv'), newTask('semicolon'), mock.url);
    expect(run.exitCode, run.summary.message).toBe(0);
    expect(readReport(run.report).map((l) => [l.row, l.phone, l.status])).toEqual([
      [2, '8615600002001', 'accepted'],
      [3, '8615600002002', 'accepted'],
      [4, '8615600002003', 'accepted'],
    ]);
  });

  it('reads JSON Lines (params as an object or as param.NAME keys; a phone as a number)', async () => {
    const run = await importList(fromRoot('packages', 'cli', 'examples', 'call-list.jsonl'), newTask('jsonl'), mock.url);
    expect(run.exitCode, run.summary.message).toBe(0);
    expect(readReport(run.report).map((l) => [l.row, l.phone, l.status])).toEqual([
      [1, '8615612345678', 'accepted'],
      [2, '8613800138000', 'accepted'],
      [3, '8613911112222', 'accepted'],
    ]);
  });

  it('without a report path: none after a fully accepted import, none in the working directory', async () => {
    const input = join(freshDir(), 'list.csv');
    writeFileSync(input, readFileSync(EXAMPLE));
    const cwd = freshDir();
    const before = process.cwd();
    process.chdir(cwd);
    const events: ImportEvent[] = [];
    try {
      const summary = await runImport(
        { file: input, userTaskID: newTask('no-report'), connection: { baseUrl: mock.url } },
        { env: {}, onEvent: (e) => events.push(e) },
      );
      expect(summary.outcome, summary.message).toBe('imported');
      expect(summary.counts.accepted).toBe(5);
      expect(summary.report).toBeUndefined();
      // The pre-send copy was written beside the input (crash safety), then removed.
      expect(readdirSync(join(input, '..'))).toEqual(['list.csv']);
      expect(readdirSync(cwd)).toEqual([]);
      expect(events.some((e) => e.type === 'report')).toBe(false);
    } finally {
      process.chdir(before);
    }
  });

  it('without a report path: when a row is not accepted, the report is beside the input, named after the task and io.now', async () => {
    const inputDir = freshDir();
    const input = join(inputDir, 'bad.csv');
    writeFileSync(input, readFileSync(BAD_ROWS));
    const cwd = freshDir();
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const summary = await runImport(
        { file: input, userTaskID: 'task/1', dryRun: true, skipInvalid: true, connection: { baseUrl: mock.url } },
        { env: {}, now: () => new Date('2024-05-06T07:08:09.123Z') },
      );
      expect(summary.outcome).toBe('dry-run');
      const name = 'callbot-report-task_1-20240506-070809.csv';
      expect(readdirSync(inputDir).sort()).toEqual(['bad.csv', name]);
      expect(summary.report).toBe(join(inputDir, name));
      expect(readdirSync(cwd)).toEqual([]);
      expect(readReport(summary.report!).some((line) => line.status === 'rejected-locally')).toBe(true);
    } finally {
      process.chdir(before);
    }
  });

  it('a dry run of valid rows writes no report unless one is asked for', async () => {
    const input = join(freshDir(), 'list.csv');
    writeFileSync(input, readFileSync(EXAMPLE));
    const summary = await runImport({ file: input, userTaskID: newTask('dry'), dryRun: true, connection: { baseUrl: mock.url } }, { env: {} });
    expect(summary.outcome).toBe('dry-run');
    expect(summary.report).toBeUndefined();
    expect(readdirSync(join(input, '..'))).toEqual(['list.csv']);
    const asked = await importList(input, newTask('dry-asked'), mock.url, { dryRun: true });
    expect(asked.summary.report).toBe(asked.report);
    expect(readReport(asked.report)).toHaveLength(5);
  });

  it('refuses to start when the report cannot go beside the input, and says --report', async () => {
    const inputDir = freshDir();
    const input = join(inputDir, 'list.csv');
    writeFileSync(input, readFileSync(EXAMPLE));
    const { chmodSync } = await import('node:fs');
    chmodSync(inputDir, 0o555);
    try {
      const summary = await runImport({ file: input, userTaskID: newTask('ro-input'), connection: { baseUrl: mock.url } }, { env: {} });
      if (process.getuid?.() === 0) {
        // root writes anywhere: the import goes through, and leaves nothing behind.
        expect(summary.outcome).toBe('imported');
        return;
      }
      expect(summary.outcome).toBe('usage-error');
      expect(summary.message).toMatch(/beside the input file.*--report PATH/s);
    } finally {
      chmodSync(inputDir, 0o755);
    }
  });
});

describe('runImport: the default report never replaces another', () => {
  // Without --report the report is named after the task and the second (io.now), beside the
  // input: runs of one task in the same second, one after another or at the same time, each
  // leave their own report (`-2`, `-3`, … when the name is taken), and the summary names it.
  const SAME_SECOND = () => new Date('2024-05-06T07:08:09.500Z');
  const NAME = 'callbot-report-same-second-20240506-070809';

  /** BAD_ROWS beside nothing else; skipInvalid: 2 rows accepted, 7 refused, so each run keeps its report. */
  const importBadRows = (input: string, onEvent?: (event: ImportEvent) => void) =>
    runImport(
      { file: input, userTaskID: 'same-second', skipInvalid: true, connection: { baseUrl: mock.url } },
      { env: {}, now: SAME_SECOND, ...(onEvent ? { onEvent } : {}) },
    );

  it('four imports of the same list into one task, back to back in the same second, leave four reports', async () => {
    const dir = freshDir();
    const input = join(dir, 'list.csv');
    writeFileSync(input, readFileSync(BAD_ROWS));
    const written: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const events: ImportEvent[] = [];
      const summary = await importBadRows(input, (event) => events.push(event));
      expect(summary.outcome, summary.message).toBe('imported');
      // The summary and the `report` event (what the command prints) name the file written.
      expect(events.filter((e) => e.type === 'report')).toEqual([{ type: 'report', path: summary.report }]);
      written.push(summary.report!);
    }
    const names = [`${NAME}.csv`, `${NAME}-2.csv`, `${NAME}-3.csv`, `${NAME}-4.csv`];
    expect(written).toEqual(names.map((name) => join(dir, name)));
    expect(readdirSync(dir).sort()).toEqual(['list.csv', ...names].sort());
    // Each its own run's: the first accepted rows 2 and 11; the mock refused them to the later
    // runs (their orderIDs were in the task by then). Overwritten, the first would be lost.
    const sent = written.map((file) =>
      readReport(file)
        .filter((l) => l.row === 2 || l.row === 11)
        .map((l) => l.status),
    );
    expect(sent).toEqual([['accepted', 'accepted'], ...Array(3).fill(['rejected-by-server', 'rejected-by-server'])]);
    for (const file of written) expect(readReport(file)).toHaveLength(9);
  });

  it('four imports at the same time, in the same second, leave four reports, each complete', async () => {
    const dir = freshDir();
    const input = join(dir, 'list.csv');
    writeFileSync(input, readFileSync(BAD_ROWS));
    const summaries = await Promise.all(Array.from({ length: 4 }, () => importBadRows(input)));
    const written = summaries.map((summary) => summary.report!);
    expect(new Set(written).size).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(['list.csv', `${NAME}-2.csv`, `${NAME}-3.csv`, `${NAME}-4.csv`, `${NAME}.csv`].sort());
    for (const file of written) expect(readReport(file)).toHaveLength(9);
  });

  it('a file, a link or a folder already holding the name is left as it is', async () => {
    const dir = freshDir();
    const input = join(dir, 'list.csv');
    writeFileSync(input, readFileSync(BAD_ROWS));
    writeFileSync(join(dir, `${NAME}.csv`), 'not a report of this run\n');
    symlinkSync(input, join(dir, `${NAME}-2.csv`));
    mkdirSync(join(dir, `${NAME}-3.csv`));
    const summary = await importBadRows(input);
    expect(summary.report).toBe(join(dir, `${NAME}-4.csv`));
    expect(readFileSync(join(dir, `${NAME}.csv`), 'utf8')).toBe('not a report of this run\n');
    expect(readFileSync(input)).toEqual(readFileSync(BAD_ROWS));
    expect(readReport(summary.report!)).toHaveLength(9);
  });
});

describe('runImport: invalid rows', () => {
  const expected = new Map<number, RegExp>([
    [3, /phone is empty/],
    [4, /characters other than digits/],
    [5, /not a valid number for country code \+1/],
    [6, /not a valid number for country code \+86/],
    [7, /duplicate phone 8615600000001: also on row 2/],
    [8, /duplicate orderID ord-1: also on row 2/],
    [9, /has 7 fields but the header has 6/],
  ]);

  it.each([
    ['8615600000001x\n8615600000002x\n', 'nothing sent: all 2 rows are invalid (each reason is in the report). Fix them and import again.'],
    ['8615600000001x\n', 'nothing sent: the one row is invalid (each reason is in the report). Fix it and import again.'],
  ])('every row invalid: says so, without offering --skip-invalid for "the 0 valid rows" (%j)', async (rows, message) => {
    const file = join(freshDir(), 'all-bad.csv');
    writeFileSync(file, `phone\n${rows}`);
    const run = await importList(file, newTask('all-bad'), mock.url);
    expect([run.summary.outcome, run.exitCode, run.summary.message]).toEqual(['not-sent', 3, message]);
  });

  it('lists every bad row with its spreadsheet row number and sends nothing (exit 3)', async () => {
    const task = newTask('bad');
    const run = await importList(BAD_ROWS, task, mock.url);
    expect(run.summary.outcome).toBe('not-sent');
    expect(run.exitCode).toBe(3);
    expect(run.summary.message).toBe(
      'nothing sent: 7 of 9 rows are invalid (each reason is in the report). Fix them, or use --skip-invalid to send the 2 valid rows.',
    );
    expect(run.summary.problems.map((p) => p.row)).toEqual([...expected.keys()]);
    for (const problem of run.summary.problems) expect(problem.message).toMatch(expected.get(problem.row)!);
    expect(run.events.find((e) => e.type === 'checked')).toMatchObject({ rows: 9, valid: 2, blankRows: 1, problems: run.summary.problems });
    expect(run.events.some((e) => e.type === 'attempt')).toBe(false);

    const report = byRow(readReport(run.report));
    expect([...report.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11]); // row 10 is blank
    for (const [row, reason] of expected) {
      expect(report.get(row)?.status).toBe('rejected-locally');
      expect(report.get(row)?.reason).toMatch(reason);
    }
    expect(report.get(2)).toMatchObject({ status: 'not-sent', reason: 'not sent: the file has 7 invalid rows' });
    expect(report.get(11)?.status).toBe('not-sent');
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('skipInvalid sends only the valid rows (exit 2)', async () => {
    const task = newTask('skip');
    const run = await importList(BAD_ROWS, task, mock.url, { skipInvalid: true });
    expect(run.summary.outcome).toBe('imported');
    expect(run.exitCode).toBe(2);
    const report = readReport(run.report);
    expect(report.filter((l) => l.status === 'accepted').map((l) => l.row)).toEqual([2, 11]);
    expect(report.filter((l) => l.status === 'rejected-locally').map((l) => l.row)).toEqual([...expected.keys()]);
    const batches = await mockBatches(mock.url, task);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.orders.map((o) => o.userPhone)).toEqual(['8615600000001', '8615600000010']);
  });

  it('skipInvalid sends valid rows that repeat the phone or orderID of an invalid row', async () => {
    // Row 2 is invalid (a cell too many) but has a valid phone and an orderID; rows 3 and 4 are
    // valid and share only those with it, not with each other.
    const file = writeList('shadowed.csv', 'phone,name,order_id\n8615600005001,甲,ord-1,surplus\n8615600005002,乙,ord-1\n8615600005001,丙,ord-3\n');
    const task = newTask('shadowed');
    const run = await importList(file, task, mock.url, { skipInvalid: true });
    expect(run.exitCode, run.summary.message).toBe(2);
    expect(readReport(run.report).map((l) => [l.row, l.status])).toEqual([
      [2, 'rejected-locally'],
      [3, 'accepted'],
      [4, 'accepted'],
    ]);
    const batches = await mockBatches(mock.url, task);
    expect(batches[0]!.orders.map((o) => [o.orderID, o.userPhone])).toEqual([
      ['ord-1', '8615600005002'],
      ['ord-3', '8615600005001'],
    ]);
  });

  it('accounts for every input row exactly once in a larger file', async () => {
    // 600 data rows: every 7th has a bad phone, every 50th repeats an earlier phone, a blank
    // line and a multi-line cell now and then. The expected outcome of each row is computed here.
    const lines = ['phone,name,other'];
    const expectedStatus = new Map<number, string>();
    let row = 1;
    for (let i = 0; i < 600; i += 1) {
      if (i % 97 === 5) {
        lines.push('');
        row += 1;
      }
      row += 1;
      const bad = i % 7 === 3;
      const repeat = !bad && i % 50 === 49;
      const phone = bad ? `86${i}` : repeat ? '8615700000000' : `86157${String(i).padStart(8, '0')}`;
      const other = i % 41 === 0 ? `"note ${i}\nline two"` : `n${i}`;
      lines.push(`${phone},客户${i},${other}`);
      expectedStatus.set(row, bad || repeat ? 'rejected-locally' : 'accepted');
    }
    const file = writeList('list.csv', `${lines.join('\n')}\n`);
    const run = await importList(file, newTask('many'), mock.url, { skipInvalid: true });
    expect(run.exitCode, run.summary.message).toBe(2);
    const report = readReport(run.report);
    expect(report).toHaveLength(600);
    expect(new Set(report.map((l) => l.row)).size).toBe(600);
    expect(new Map(report.map((l) => [l.row, l.status]))).toEqual(expectedStatus);
    expect(run.summary.rows).toBe(600);
    expect(run.summary.problems).toHaveLength([...expectedStatus.values()].filter((s) => s === 'rejected-locally').length);
  });
});

describe('runImport: order IDs', () => {
  it('derives the same order IDs from the same file and task, run after run', async () => {
    const task = newTask('twice');
    const first = await importList(EXAMPLE, task, mock.url);
    // The second run derives without sending: the simulator refuses an orderID already in the
    // task, so a second real import could not show the IDs; what the mock holds can.
    const second = await importList(EXAMPLE, task, mock.url, { dryRun: true });
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    const ids1 = readReport(first.report).map((l) => l.orderID);
    const ids2 = readReport(second.report).map((l) => l.orderID);
    expect(ids1).toHaveLength(5);
    expect(new Set(ids1).size).toBe(5);
    expect(ids2).toEqual(ids1);
    // What reached the mock carries those very IDs.
    const batches = await mockBatches(mock.url, task);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.orders.map((o) => o.orderID)).toEqual(ids1);

    const otherTask = await importList(EXAMPLE, newTask('other-task'), mock.url, { dryRun: true });
    const ids3 = readReport(otherTask.report).map((l) => l.orderID);
    expect(ids3.some((id) => ids1.includes(id))).toBe(false);
  });
});

describe('runImport: on the wire (io.fetch records what the client sends)', () => {
  it('sends one gzipped, signed body; the signature covers the uncompressed JSON', async () => {
    const wire = capturingFetch();
    const run = await importList(EXAMPLE, newTask('gzip'), mock.url, {}, { fetch: wire.fetch });
    expect(run.exitCode, run.summary.message).toBe(0);
    expect(wire.requests).toHaveLength(1);
    const [request] = wire.requests;
    expect(request!.headers.get('content-encoding')).toBe('gzip');
    expect([...request!.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const body = JSON.parse(request!.text) as { callInfoList: { callList: { userName: string; params: unknown[] }[] } };
    expect(body.callInfoList.callList).toHaveLength(5);
    expect(body.callInfoList.callList[0]).toMatchObject({
      userName: '张伟',
      params: [
        { name: 'amount', value: '1280.50' },
        { name: 'due_date', value: '2024-12-01' },
      ],
    });
    const h = (name: string) => request!.headers.get(name)!;
    expect(h('requestID')).toBe(run.summary.requestID);
    expect(
      verifySignature({
        secretKey: DEMO_ACCOUNT.secretKey,
        body: request!.text,
        createTs: h('createTs'),
        requestID: h('requestID'),
        uuid: h('uuid'),
        algorithm: 'MD5',
        sign: h('sign'),
      }),
    ).toBe(true);
  });

  it('dryRun measures the very body a real import sends: same bytes, productID first', async () => {
    const wire = capturingFetch();
    const task = newTask('dry-vs-wire');
    const sent = await importList(EXAMPLE, task, mock.url, {}, { fetch: wire.fetch });
    expect(sent.exitCode, sent.summary.message).toBe(0);
    const text = wire.requests[0]!.text;
    expect(text).toMatch(/^\{"productID":"callbot","userTaskID":"[^"]+","callInfoList":\{"orderCallbackUrl":"[^"]+","callCallbackUrl":"[^"]+","callList":\[/);
    const dry = await importList(EXAMPLE, task, mock.url, { dryRun: true });
    expect(dry.summary).toMatchObject({ outcome: 'dry-run', dryRun: true, bodyBytes: Buffer.byteLength(text) });
  });

  it('gzip: false sends the JSON as is', async () => {
    const wire = capturingFetch();
    const run = await importList(EXAMPLE, newTask('plain'), mock.url, { gzip: false }, { fetch: wire.fetch });
    expect(run.exitCode, run.summary.message).toBe(0);
    expect(wire.requests[0]!.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(wire.requests[0]!.body.toString('utf8'))).toMatchObject({ productID: 'callbot' });
    expect(run.events).toContainEqual({ type: 'step', step: 'prepare', label: 'preparing 5 orders (JSON, signature)' });
  });

  it('maps columns with overrides (the --column items)', async () => {
    const wire = capturingFetch();
    const run = await importList(
      fromRoot('packages', 'cli', 'test', 'fixtures', 'custom-headers.csv'),
      newTask('columns'),
      mock.url,
      { columns: ['phone=Mobile', 'name=Full Name', 'other=Ticket'] },
      { fetch: wire.fetch },
    );
    expect(run.exitCode, run.summary.message).toBe(0);
    const body = JSON.parse(wire.requests[0]!.text) as { callInfoList: { callList: unknown[] } };
    expect(body.callInfoList.callList[0]).toMatchObject({
      userPhone: '8615600003001',
      userName: '赵磊',
      customerName: '北方科技',
      other: 't-1',
      params: [{ name: 'amount', value: '10' }],
    });
  });
});

describe('runImport: answers and failures', () => {
  it('waits through "batch import in progress", telling each retry, then imports', async () => {
    const busy = await startMock([{ kind: 'in-progress', times: 1 }]);
    const task = newTask('in-progress');
    const run = await importList(EXAMPLE, task, busy.url);
    expect(run.summary).toMatchObject({ outcome: 'imported', attempts: 2 });
    expect(run.exitCode).toBe(0);
    const retry = run.events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', attempt: 1, reason: 'batch import in progress (1001)', retCode: 1001 });
    expect(run.events.filter((e) => e.type === 'attempt').map((e) => 'attempt' in e && e.attempt)).toEqual([1, 2]);
    expect(await mockBatches(busy.url, task)).toHaveLength(1);
  });

  it('reports an unknown outcome when the connection drops after the body was sent (exit 4)', async () => {
    const dropping = await startMock([{ kind: 'drop', times: 1 }]);
    const run = await importList(EXAMPLE, newTask('drop'), dropping.url);
    expect(run.summary.outcome).toBe('unknown');
    expect(run.exitCode).toBe(4);
    expect(run.summary.requestID).toMatch(/^[0-9a-f]{32}$/);
    const report = readReport(run.report);
    expect(report).toHaveLength(5);
    for (const line of report) {
      expect(line.status).toBe('unknown');
      expect(line.reason).toContain(run.summary.requestID);
    }
  });

  it('treats retCode 5001 as an unknown outcome, never retried (exit 4): here the batch was in fact imported', async () => {
    const internal = await startMock([{ kind: 'internal-after-import', times: 1 }]);
    const task = newTask('internal');
    const run = await importList(EXAMPLE, task, internal.url);
    expect(run.summary).toMatchObject({ outcome: 'unknown', retCode: 5001, attempts: 1 });
    expect(run.exitCode).toBe(4);
    expect(run.summary.message).toMatch(/^outcome unknown: the server answered retCode 5001 \(InternalServerError\).*may or may not have been imported/);
    const report = readReport(run.report);
    expect(report.map((l) => l.status)).toEqual(Array(5).fill('unknown'));
    expect(report[0]!.reason).toMatch(/retCode 5001 \(InternalServerError\)/);
    expect(await mockBatches(internal.url, task)).toHaveLength(1);
  });

  it('reports a whole-batch refusal (retCode 6003) on every row (exit 3)', async () => {
    const refusing = await startMock([{ kind: 'no-permission', times: 1 }]);
    const task = newTask('no-permission');
    const run = await importList(EXAMPLE, task, refusing.url);
    expect(run.summary).toMatchObject({ outcome: 'refused', retCode: 6003, attempts: 1 });
    expect(run.exitCode).toBe(3);
    expect(run.summary.message).toMatch(/^the server refused the whole batch: retCode 6003 \(PermissionDenied\)/);
    expect(run.summary.message.endsWith(`\n  ${RetCodes.PermissionDenied.hint}`)).toBe(true); // the spec's hint (x-callbot-hints)
    const report = readReport(run.report);
    expect(report.map((l) => l.status)).toEqual(Array(5).fill('rejected-by-server'));
    expect(report[0]!.reason).toMatch(/^batch refused: retCode 6003/);
    expect(await mockBatches(refusing.url, task)).toEqual([]);
  });

  it('treats a retCode the spec does not document as an unknown outcome, as the contract classes it (exit 4)', async () => {
    const vendor = await startStandInVendor(() => ({ retCode: 4242, retMsg: 'something new', responseID: 'resp-new' }));
    try {
      const run = await importList(EXAMPLE, newTask('undocumented'), vendor.url);
      expect(run.summary).toMatchObject({ outcome: 'unknown', retCode: 4242, responseID: 'resp-new', attempts: 1, counts: { unknown: 5 } });
      expect(run.exitCode).toBe(4);
      expect(run.summary.message).toMatch(
        /^outcome unknown: the server answered retCode 4242 \(Unknown\): something new; the batch may or may not have been imported/,
      );
      expect(vendor.requests).toHaveLength(1); // not retried
    } finally {
      await vendor.close();
    }
  });

  it('marks the rows the server refused in its errList (exit 2)', async () => {
    const file = writeList('blocked.csv', 'phone,name\n8615600004001,甲\n8613900000001,乙\n8615600004003,丙\n');
    const run = await importList(file, newTask('errlist'), mock.url);
    expect(run.summary).toMatchObject({
      outcome: 'imported',
      counts: { accepted: 2, 'rejected-by-server': 1 },
      vendorCounts: { totalCount: 3, successCount: 2, errList: 1 },
    });
    expect(run.exitCode).toBe(2);
    expect(readReport(run.report).map((l) => [l.row, l.status, l.reason])).toEqual([
      [2, 'accepted', ''],
      [3, 'rejected-by-server', 'phone number is blocked'],
      [4, 'accepted', ''],
    ]);
  });

  it.each<[string, { totalCount: number; successCount: number; errList?: { phone: string; errMsg: string }[] }, RegExp]>([
    ['no errList', { totalCount: 3, successCount: 2 }, /vendor reports 2 of 3 imported but lists 0 refusals, for 3 rows sent: this row's outcome is unknown/],
    [
      'an errList phone that matches no row',
      { totalCount: 3, successCount: 2, errList: [{ phone: '8615699999999', errMsg: 'blocked' }] },
      /vendor reports 2 of 3 imported but lists 1 refusals \(1 for phones not sent\), for 3 rows sent/,
    ],
  ])('does not trust an answer whose counts do not add up (%s): the rows are unknown (exit 4)', async (_label, counts, reason) => {
    const vendor = await startStandInVendor(() => ({ retCode: 0, retMsg: 'success', responseID: 'resp-1', ...counts }));
    try {
      const file = writeList('three.csv', 'phone,name\n8615600006001,甲\n8615600006002,乙\n8615600006003,丙\n');
      const run = await importList(file, newTask('counts'), vendor.url);
      expect(run.summary).toMatchObject({ outcome: 'unknown', retCode: 0, responseID: 'resp-1', counts: { accepted: 0, unknown: 3 } });
      expect(run.exitCode).toBe(4);
      expect(run.summary.vendorCounts).toEqual({ totalCount: 3, successCount: 2, errList: counts.errList?.length ?? 0 });
      const report = readReport(run.report);
      expect(report.map((l) => l.status)).toEqual(['unknown', 'unknown', 'unknown']);
      for (const line of report) {
        expect(line.reason).toMatch(reason);
        expect(line.reason).toContain(String(run.summary.requestID));
      }
      if (counts.errList)
        expect(run.events).toContainEqual({ type: 'warning', message: 'the server rejected phone 8615699999999 (blocked), which matches no row sent' });
    } finally {
      await vendor.close();
    }
  });

  it('a failure after the batch was sent is an unknown outcome with the requestID, not a usage error (exit 4)', async () => {
    // The report's directory passes the check before sending, then becomes a file while the
    // request is at the server (io.fetch does it once the answer is in): writing the report
    // fails after the batch was imported.
    const dir = freshDir();
    const reportDir = join(dir, 'out');
    mkdirSync(reportDir);
    const wire = capturingFetch();
    const summary = await runImport(
      { file: EXAMPLE, userTaskID: newTask('crash'), report: join(reportDir, 'report.csv'), connection: { baseUrl: mock.url } },
      {
        fetch: async (input, init) => {
          const answer = await wire.fetch(input, init);
          rmSync(reportDir, { recursive: true });
          writeFileSync(reportDir, 'not a directory any more');
          return answer;
        },
      },
    );
    const requestID = wire.requests[0]!.headers.get('requestID');
    expect(requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(summary).toMatchObject({ outcome: 'unknown', requestID, report: undefined, counts: { accepted: 5 } });
    expect(summary.message).toMatch(/^failed after the batch was sent: .*ENOTDIR/);
    expect(summary.failedAfterSend).toMatchObject({ reportPath: join(reportDir, 'report.csv'), reportError: 'ENOTDIR' });
    rmSync(summary.failedAfterSend!.fallbackReport!); // the results went to the temp folder instead
    expect(exitCodeFor(summary)).toBe(4);
  });

  it('refuses a list over maxBatchSize instead of splitting it (exit 3)', async () => {
    const task = newTask('too-big');
    const run = await importList(EXAMPLE, task, mock.url, { maxBatchSize: 3 });
    expect(run.summary.outcome).toBe('not-sent');
    expect(run.exitCode).toBe(3);
    expect(run.summary.message).toMatch(/5 orders is more than the batch limit of 3/);
    expect(run.summary.message).toMatch(/replaces the undialed orders/);
    expect(readReport(run.report).every((l) => l.status === 'not-sent')).toBe(true);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('dryRun does everything but send', async () => {
    const task = newTask('dry');
    const run = await importList(EXAMPLE, task, mock.url, { dryRun: true });
    expect(run.summary).toMatchObject({ outcome: 'dry-run', dryRun: true, message: 'dry run: 5 orders would be sent as one batch' });
    expect(run.exitCode).toBe(0);
    const built = run.events.find((e) => e.type === 'step-done' && e.step === 'build');
    expect(built && 'result' in built && built.result).toMatch(/^5 orders, [\d.]+ KB JSON, [\d.]+ (KB|B) gzipped$/);
    expect(run.events.some((e) => e.type === 'attempt')).toBe(false);
    expect(readReport(run.report).map((l) => [l.status, l.reason])).toEqual(Array(5).fill(['not-sent', 'dry run: valid, not sent']));
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('is not-sent when no connection can be made, marking every row not-sent (exit 3)', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const run = await importList(EXAMPLE, newTask('refused'), `http://127.0.0.1:${port}`, { maxAttempts: 2 });
    expect(run.summary).toMatchObject({ outcome: 'not-sent', attempts: 2 });
    expect(run.exitCode).toBe(3);
    expect(run.events.find((e) => e.type === 'retry')).toMatchObject({ reason: 'could not connect (ECONNREFUSED)', code: 'ECONNREFUSED' });
    expect(readReport(run.report).map((l) => l.status)).toEqual(Array(5).fill('not-sent'));
  });
});

describe('runImport: settings and usage errors', () => {
  it('never sends the demo account anywhere but loopback (a usage error, nothing read)', async () => {
    const run = await importList(EXAMPLE, newTask('prod'), 'https://nxbot.nxcloud.com');
    expect(run.summary).toMatchObject({ outcome: 'usage-error', rows: 0 });
    expect(run.summary.message).toMatch(/^no credentials for https:\/\/nxbot\.nxcloud\.com/);
    expect(run.exitCode).toBe(1);
    expect(run.events).toEqual([]);
    expect(() => readFileSync(run.report)).toThrow();
  });

  it('takes credentials from io.env and never tells the secret; a wrong secret is an unverifiable answer (exit 4)', async () => {
    // With a wrong secret the server refuses (incorrect signature) and signs its answer with the
    // real key, so the answer cannot be verified: the client treats that as "outcome unknown".
    const task = newTask('wrong-secret');
    const secret = 'a-very-distinctive-wrong-secret-0123456789';
    const run = await importList(EXAMPLE, task, mock.url, {}, { env: { CALLBOT_UUID: DEMO_ACCOUNT.uuid, CALLBOT_SECRET_KEY: secret } });
    expect(run.events[0]).toMatchObject({ type: 'connection', credentialsFrom: 'env', usingDemoAccount: false });
    expect(run.events[0]!.type === 'connection' && run.events[0]!.message).toContain('secret <secretKey, 42 chars> from env');
    expect(run.summary.outcome).toBe('unknown');
    expect(run.exitCode).toBe(4);
    expect(run.summary.message).toMatch(/signature check failed/);
    expect(run.summary.message).toMatch(/says the signature is wrong: a wrong secret key or algorithm is the likely cause.*callbot sign/s);
    const everything = `${JSON.stringify(run.events)}${JSON.stringify(run.summary)}${readFileSync(run.report, 'utf8')}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('a-ve'); // not even its first characters
    expect(readReport(run.report).every((l) => l.status === 'unknown')).toBe(true);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('is a usage error when no column holds phones (no report left behind)', async () => {
    const file = writeList('no-phone.csv', 'name,other\n张伟,x\n');
    const run = await importList(file, newTask('no-phone'), mock.url);
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(/no phone column.*--column phone=HEADER/);
    expect(() => readFileSync(run.report)).toThrow();
  });

  it('refuses to start when the report cannot be written (nothing sent)', async () => {
    const task = newTask('no-report');
    const run = await importList(EXAMPLE, task, mock.url, { report: join(freshDir(), 'missing-dir', 'r.csv') });
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(/cannot write the report .*ENOENT/);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('refuses a report that is the input file, under any name, and leaves the input intact', async () => {
    const dir = freshDir();
    const list = join(dir, 'list.csv');
    const original = readFileSync(EXAMPLE);
    writeFileSync(list, original);
    symlinkSync(list, join(dir, 'link.csv'));
    linkSync(list, join(dir, 'hard.csv'));
    for (const report of [list, `${dir}/sub/../list.csv`, join(dir, 'link.csv'), join(dir, 'hard.csv')]) {
      const summary = await runImport({ file: list, userTaskID: newTask('same-file'), report, dryRun: true, connection: { baseUrl: mock.url } });
      expect(summary.outcome, report).toBe('usage-error');
      expect(summary.message).toMatch(/--report .* is the input file .*list\.csv/);
      expect(readFileSync(list).equals(original), report).toBe(true);
    }
  });

  it('leaves an existing report file as it was when the run stops with a usage error', async () => {
    const file = writeList('no-phone.csv', 'name,other\n张伟,x\n');
    const report = join(freshDir(), 'keep.csv');
    writeFileSync(report, 'keep me\n');
    const failed = await importList(file, newTask('keep-report'), mock.url, { report });
    expect(failed.summary.outcome).toBe('usage-error');
    expect(readFileSync(report, 'utf8')).toBe('keep me\n');

    // A run that gets to the end replaces it, as before.
    const dry = await importList(EXAMPLE, newTask('keep-report'), mock.url, { report, dryRun: true });
    expect(dry.exitCode, dry.summary.message).toBe(0);
    expect(readReport(report)).toHaveLength(5);
  });

  it("reads a config file; the request's connection wins over it", async () => {
    const config = writeList('callbot.json', JSON.stringify({ uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey, baseUrl: 'http://127.0.0.1:9' }));
    const run = await importList(EXAMPLE, newTask('config'), mock.url, { connection: { config } });
    expect(run.exitCode, run.summary.message).toBe(0);
    expect(run.events[0]).toMatchObject({ type: 'connection', baseUrl: mock.url, credentialsFrom: 'config' });
  });

  it('reads no CALLBOT_* variable of the process: only io.env counts', async () => {
    const saved = process.env.CALLBOT_BASE_URL;
    process.env.CALLBOT_BASE_URL = 'https://nxbot.nxcloud.com';
    try {
      const summary = await runImport({ file: EXAMPLE, userTaskID: newTask('no-process-env'), report: join(freshDir(), 'r.csv'), dryRun: true });
      expect(summary).toMatchObject({ outcome: 'dry-run', baseUrl: 'http://127.0.0.1:4010' });
    } finally {
      if (saved === undefined) delete process.env.CALLBOT_BASE_URL;
      else process.env.CALLBOT_BASE_URL = saved;
    }
  });
});
