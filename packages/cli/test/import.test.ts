import { linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { verifySignature } from 'callbot-contract';
import { startMockProcess, type MockProcess } from '../../../test/support/mock-process.js';
import { fromRoot } from '../../../test/support/paths.js';
import { byRow, mockBatches, readReport } from './support/report.js';
import { freshDir, runCli } from './support/run-cli.js';
import { startStandInVendor } from './support/stand-in-vendor.js';
import { startWireProxy } from './support/wire-proxy.js';

// End to end: the built `callbot` command as a process, against the built mock as a process.

const EXAMPLE = fromRoot('packages', 'cli', 'examples', 'call-list.csv');
const BAD_ROWS = fromRoot('packages', 'cli', 'test', 'fixtures', 'bad-rows.csv');

let mock: MockProcess; // importing-ms 0: back-to-back imports of one task are accepted
let inProgressMock: MockProcess; // answers the first import with 1001
let dropMock: MockProcess; // reads the first import's body, then drops the connection
let internalMock: MockProcess; // imports the first batch, then answers 5001
let noPermissionMock: MockProcess; // refuses the first import with 6003

/** Every mock process that started, even when another failed to: afterAll stops them all. */
const started: MockProcess[] = [];

beforeAll(async () => {
  const quiet = ['--quiet', '--no-callbacks'];
  const results = await Promise.allSettled([
    startMockProcess([...quiet, '--importing-ms', '0']),
    startMockProcess([...quiet, '--importing-ms', '0', '--fault', 'in-progress:1']),
    startMockProcess([...quiet, '--fault', 'drop:1']),
    startMockProcess([...quiet, '--fault', 'internal-after-import:1']),
    startMockProcess([...quiet, '--fault', 'no-permission:1']),
  ]);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  [mock, inProgressMock, dropMock, internalMock, noPermissionMock] = started as [MockProcess, MockProcess, MockProcess, MockProcess, MockProcess];
});
afterAll(async () => {
  await Promise.allSettled(started.map((m) => m.stop()));
});

let taskCounter = 0;
const newTask = (label: string) => `cli-${label}-${process.pid}-${(taskCounter += 1)}`;

/** `callbot import FILE --task TASK --base-url URL --report DIR/report.csv …extra` */
async function importFile(file: string, task: string, baseUrl: string, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = freshDir();
  const report = join(dir, 'report.csv');
  const run = await runCli(['import', file, '--task', task, '--base-url', baseUrl, '--report', report, ...extra], { cwd: dir, env });
  return { ...run, report, dir };
}

describe('callbot import: a clean file', () => {
  it('imports every row as one batch, exit 0, and the report and the mock agree', async () => {
    const task = newTask('clean');
    const run = await importFile(EXAMPLE, task, mock.url);
    expect(run.code, run.stderr).toBe(0);
    const report = readReport(run.report);
    expect(report.map((l) => l.row)).toEqual([2, 3, 4, 5, 6]);
    expect(report.every((l) => l.status === 'accepted')).toBe(true);
    expect(report.map((l) => l.phone)).toEqual(['8615612345678', '8613800138000', '8613911112222', '8615900001111', '8618622223333']);

    const batches = await mockBatches(mock.url, task);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.orders.map((o) => [o.orderID, o.userPhone])).toEqual(report.map((l) => [l.orderID, l.phone]));
    expect(run.stdout).toMatch(/accepted\s+5/);
    expect(run.stdout).toMatch(/total\s+5/);
  });

  it('reads a semicolon CSV with a BOM, CRLF and a multi-line cell, numbering rows as a spreadsheet does', async () => {
    const run = await importFile(fromRoot('packages', 'cli', 'test', 'fixtures', 'clean-semicolon-bom.csv'), newTask('semicolon'), mock.url);
    expect(run.code, run.stderr).toBe(0);
    const report = readReport(run.report);
    expect(report.map((l) => [l.row, l.phone, l.status])).toEqual([
      [2, '8615600002001', 'accepted'],
      [3, '8615600002002', 'accepted'],
      [4, '8615600002003', 'accepted'],
    ]);
  });

  it('reads JSON Lines (params as an object or as param.NAME keys; a phone as a number)', async () => {
    const run = await importFile(fromRoot('packages', 'cli', 'examples', 'call-list.jsonl'), newTask('jsonl'), mock.url);
    expect(run.code, run.stderr).toBe(0);
    expect(readReport(run.report).map((l) => [l.row, l.phone, l.status])).toEqual([
      [1, '8615612345678', 'accepted'],
      [2, '8613800138000', 'accepted'],
      [3, '8613911112222', 'accepted'],
    ]);
  });

  it('--json prints one JSON document on stdout, without progress output', async () => {
    const task = newTask('json');
    const run = await importFile(EXAMPLE, task, mock.url, ['--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ outcome: 'imported', exitCode: 0, userTaskID: task, rows: 5, retCode: 0, attempts: 1, report: run.report });
    expect(summary.counts).toMatchObject({ accepted: 5, 'rejected-locally': 0 });
    expect(summary.requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(run.stderr).not.toMatch(/\[[█░=\- ]+\]/); // no bars
  });
});

describe('callbot import: invalid rows', () => {
  const expected = new Map<number, RegExp>([
    [3, /phone is empty/],
    [4, /characters other than digits/],
    [5, /not a valid number for country code \+1/],
    [6, /not a valid number for country code \+86/],
    [7, /duplicate phone 8615600000001: also on row 2/],
    [8, /duplicate orderID ord-1: also on row 2/],
    [9, /has 7 fields but the header has 6/],
  ]);

  it('lists every bad row with its spreadsheet row number and sends nothing (exit 3)', async () => {
    const task = newTask('bad');
    const run = await importFile(BAD_ROWS, task, mock.url);
    expect(run.code, run.stderr).toBe(3);
    for (const [row, reason] of expected) expect(run.stderr).toMatch(new RegExp(`invalid row ${row}: .*${reason.source}`));
    expect(run.stdout).toMatch(/--skip-invalid/);

    const report = byRow(readReport(run.report));
    expect([...report.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11]); // row 10 is blank
    for (const [row, reason] of expected) {
      expect(report.get(row)?.status).toBe('rejected-locally');
      expect(report.get(row)?.reason).toMatch(reason);
    }
    expect(report.get(2)?.status).toBe('not-sent');
    expect(report.get(11)?.status).toBe('not-sent');
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('--skip-invalid sends only the valid rows and exits 2', async () => {
    const task = newTask('skip');
    const run = await importFile(BAD_ROWS, task, mock.url, ['--skip-invalid']);
    expect(run.code, run.stderr).toBe(2);
    const report = readReport(run.report);
    expect(report.filter((l) => l.status === 'accepted').map((l) => l.row)).toEqual([2, 11]);
    expect(report.filter((l) => l.status === 'rejected-locally').map((l) => l.row)).toEqual([...expected.keys()]);
    const batches = await mockBatches(mock.url, task);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.orders.map((o) => o.userPhone)).toEqual(['8615600000001', '8615600000010']);
  });

  it('--skip-invalid sends valid rows that repeat the phone or orderID of an invalid row', async () => {
    // Row 2 is invalid (a cell too many) but has a valid phone and an orderID; rows 3 and 4 are
    // valid and share only those with it, not with each other.
    const dir = freshDir();
    const file = join(dir, 'shadowed.csv');
    writeFileSync(file, 'phone,name,order_id\n8615600005001,甲,ord-1,surplus\n8615600005002,乙,ord-1\n8615600005001,丙,ord-3\n');
    const task = newTask('shadowed');
    const run = await importFile(file, task, mock.url, ['--skip-invalid']);
    expect(run.code, run.stderr).toBe(2);
    expect(readReport(run.report).map((l) => [l.row, l.status])).toEqual([[2, 'rejected-locally'], [3, 'accepted'], [4, 'accepted']]);
    const batches = await mockBatches(mock.url, task);
    expect(batches[0]!.orders.map((o) => [o.orderID, o.userPhone])).toEqual([['ord-1', '8615600005002'], ['ord-3', '8615600005001']]);
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
    const dir = freshDir();
    const file = join(dir, 'list.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = await importFile(file, newTask('many'), mock.url, ['--skip-invalid']);
    expect(run.code, run.stderr).toBe(2);
    const report = readReport(run.report);
    expect(report).toHaveLength(600);
    expect(new Set(report.map((l) => l.row)).size).toBe(600);
    expect(new Map(report.map((l) => [l.row, l.status]))).toEqual(expectedStatus);
  });
});

describe('callbot import: order IDs', () => {
  it('derives the same order IDs from the same file and task, run after run', async () => {
    const task = newTask('twice');
    const first = await importFile(EXAMPLE, task, mock.url);
    const second = await importFile(EXAMPLE, task, mock.url);
    expect([first.code, second.code]).toEqual([0, 0]);
    const ids1 = readReport(first.report).map((l) => l.orderID);
    const ids2 = readReport(second.report).map((l) => l.orderID);
    expect(ids1).toHaveLength(5);
    expect(new Set(ids1).size).toBe(5);
    expect(ids2).toEqual(ids1);
    // The second import replaced the first batch's (undialed) orders with the very same IDs.
    const batches = await mockBatches(mock.url, task);
    expect(batches.map((b) => [b.current, b.droppedUndialed])).toEqual([[false, 5], [true, 0]]);
    expect(batches[1]!.orders.map((o) => o.orderID)).toEqual(ids1);

    const otherTask = await importFile(EXAMPLE, newTask('other-task'), mock.url, ['--dry-run']);
    const ids3 = readReport(otherTask.report).map((l) => l.orderID);
    expect(ids3.some((id) => ids1.includes(id))).toBe(false);
  });
});

describe('callbot import: on the wire', () => {
  it('sends one gzipped, signed body; the signature covers the uncompressed JSON', async () => {
    const proxy = await startWireProxy(mock.url);
    try {
      const run = await importFile(EXAMPLE, newTask('gzip'), proxy.url);
      expect(run.code, run.stderr).toBe(0);
      expect(proxy.requests).toHaveLength(1);
      const [request] = proxy.requests;
      expect(request!.headers['content-encoding']).toBe('gzip');
      expect([...request!.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      const text = gunzipSync(request!.body).toString('utf8');
      const body = JSON.parse(text) as { callInfoList: { callList: { userName: string; params: unknown[] }[] } };
      expect(body.callInfoList.callList).toHaveLength(5);
      expect(body.callInfoList.callList[0]).toMatchObject({ userName: '张伟', params: [{ name: 'amount', value: '1280.50' }, { name: 'due_date', value: '2024-12-01' }] });
      const h = request!.headers as Record<string, string>;
      expect(verifySignature({ secretKey: DEMO_ACCOUNT.secretKey, body: text, createTs: h.createts!, requestID: h.requestid!, uuid: h.uuid!, algorithm: 'MD5', sign: h.sign! })).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('--dry-run measures the very body a real import sends: same bytes, productID first', async () => {
    const proxy = await startWireProxy(mock.url);
    try {
      const task = newTask('dry-vs-wire');
      const sent = await importFile(EXAMPLE, task, proxy.url);
      expect(sent.code, sent.stderr).toBe(0);
      const wire = gunzipSync(proxy.requests[0]!.body).toString('utf8');
      expect(wire).toMatch(/^\{"productID":"callbot","userTaskID":"[^"]+","callInfoList":\{"orderCallbackUrl":"[^"]+","callCallbackUrl":"[^"]+","callList":\[/);
      const dry = await importFile(EXAMPLE, task, mock.url, ['--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, bodyBytes: Buffer.byteLength(wire) });
    } finally {
      await proxy.close();
    }
  });

  it('--no-gzip sends the JSON as is', async () => {
    const proxy = await startWireProxy(mock.url);
    try {
      const run = await importFile(EXAMPLE, newTask('plain'), proxy.url, ['--no-gzip']);
      expect(run.code, run.stderr).toBe(0);
      expect(proxy.requests[0]!.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(proxy.requests[0]!.body.toString('utf8'))).toMatchObject({ productID: 'callbot' });
    } finally {
      await proxy.close();
    }
  });

  it('maps columns with --column overrides', async () => {
    const proxy = await startWireProxy(mock.url);
    try {
      const run = await importFile(fromRoot('packages', 'cli', 'test', 'fixtures', 'custom-headers.csv'), newTask('columns'), proxy.url,
        ['--column', 'phone=Mobile', '--column', 'name=Full Name', '--column', 'other=Ticket']);
      expect(run.code, run.stderr).toBe(0);
      const body = JSON.parse(gunzipSync(proxy.requests[0]!.body).toString('utf8')) as { callInfoList: { callList: unknown[] } };
      expect(body.callInfoList.callList[0]).toMatchObject({ userPhone: '8615600003001', userName: '赵磊', customerName: '北方科技', other: 't-1', params: [{ name: 'amount', value: '10' }] });
    } finally {
      await proxy.close();
    }
  });
});

describe('callbot import: answers and failures', () => {
  it('waits through 1001 (batch import in progress) with a countdown, then imports', async () => {
    const task = newTask('1001');
    const run = await importFile(EXAMPLE, task, inProgressMock.url, ['--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/batch import in progress \(1001\), retrying in \d+s/);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'imported', attempts: 2 });
    expect(await mockBatches(inProgressMock.url, task)).toHaveLength(1);
  });

  it('reports an unknown outcome when the connection drops after the body was sent (exit 4)', async () => {
    const run = await importFile(EXAMPLE, newTask('drop'), dropMock.url, ['--json']);
    expect(run.code, run.stderr).toBe(4);
    const summary = JSON.parse(run.stdout) as { outcome: string; requestID: string };
    expect(summary.outcome).toBe('unknown');
    expect(summary.requestID).toMatch(/^[0-9a-f]{32}$/);
    const report = readReport(run.report);
    expect(report).toHaveLength(5);
    for (const line of report) {
      expect(line.status).toBe('unknown');
      expect(line.reason).toContain(summary.requestID);
    }
  });

  it('treats retCode 5001 as an unknown outcome, never retried (exit 4): here the batch was in fact imported', async () => {
    const task = newTask('5001');
    const run = await importFile(EXAMPLE, task, internalMock.url, ['--json']);
    expect(run.code, run.stderr).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'unknown', retCode: 5001, attempts: 1 });
    const report = readReport(run.report);
    expect(report.map((l) => l.status)).toEqual(Array(5).fill('unknown'));
    expect(report[0]!.reason).toMatch(/retCode 5001 \(InternalServerError\)/);
    expect(await mockBatches(internalMock.url, task)).toHaveLength(1);
  });

  it('reports a whole-batch refusal (retCode 6003) on every row and exits 3', async () => {
    const task = newTask('6003');
    const run = await importFile(EXAMPLE, task, noPermissionMock.url);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/the server refused the whole batch: retCode 6003 \(PermissionDenied\)/);
    const report = readReport(run.report);
    expect(report.map((l) => l.status)).toEqual(Array(5).fill('rejected-by-server'));
    expect(report[0]!.reason).toMatch(/^batch refused: retCode 6003/);
    expect(await mockBatches(noPermissionMock.url, task)).toEqual([]);
  });

  it('marks the rows the server refused in its errList (exit 2)', async () => {
    const dir = freshDir();
    const file = join(dir, 'blocked.csv');
    writeFileSync(file, 'phone,name\n8615600004001,甲\n8613900000001,乙\n8615600004003,丙\n');
    const run = await importFile(file, newTask('errlist'), mock.url);
    expect(run.code, run.stderr).toBe(2);
    expect(readReport(run.report).map((l) => [l.row, l.status, l.reason])).toEqual([
      [2, 'accepted', ''],
      [3, 'rejected-by-server', 'phone number is blocked'],
      [4, 'accepted', ''],
    ]);
  });

  it.each<[string, { totalCount: number; successCount: number; errList?: { phone: string; errMsg: string }[] }, RegExp]>([
    ['no errList', { totalCount: 3, successCount: 2 }, /vendor reports 2 of 3 imported but lists 0 refusals, for 3 rows sent: this row's outcome is unknown/],
    ['an errList phone that matches no row', { totalCount: 3, successCount: 2, errList: [{ phone: '8615699999999', errMsg: 'blocked' }] },
      /vendor reports 2 of 3 imported but lists 1 refusals \(1 for phones not sent\), for 3 rows sent/],
  ])('does not trust an answer whose counts do not add up (%s): the rows are unknown (exit 4)', async (_label, counts, reason) => {
    const vendor = await startStandInVendor(() => ({ retCode: 0, retMsg: 'success', responseID: 'resp-1', ...counts }));
    try {
      const dir = freshDir();
      const file = join(dir, 'three.csv');
      writeFileSync(file, 'phone,name\n8615600006001,甲\n8615600006002,乙\n8615600006003,丙\n');
      const run = await importFile(file, newTask('counts'), vendor.url, ['--json']);
      expect(run.code, run.stderr).toBe(4);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({ outcome: 'unknown', exitCode: 4, retCode: 0, responseID: 'resp-1', counts: { accepted: 0, unknown: 3 } });
      expect(summary.vendorCounts).toEqual({ totalCount: 3, successCount: 2, errList: counts.errList?.length ?? 0 });
      const report = readReport(run.report);
      expect(report.map((l) => l.status)).toEqual(['unknown', 'unknown', 'unknown']);
      for (const line of report) {
        expect(line.reason).toMatch(reason);
        expect(line.reason).toContain(String(summary.requestID));
      }
    } finally {
      await vendor.close();
    }
  });

  it('a failure after the batch was sent is an unknown outcome with the requestID, not a usage error (exit 4)', async () => {
    // The report's directory passes the check before sending, then becomes a file while the
    // request is at the vendor: writing the report fails after the batch was imported.
    const dir = freshDir();
    const reportDir = join(dir, 'out');
    mkdirSync(reportDir);
    const report = join(reportDir, 'report.csv');
    const vendor = await startStandInVendor(() => {
      rmSync(reportDir, { recursive: true });
      writeFileSync(reportDir, 'not a directory any more');
      return { retCode: 0, retMsg: 'success', responseID: 'resp-2', totalCount: 5, successCount: 5 };
    });
    try {
      const run = await runCli(['import', EXAMPLE, '--task', newTask('crash'), '--base-url', vendor.url, '--report', report, '--json'], { cwd: dir });
      expect(run.code, run.stderr).toBe(4);
      const requestID = String(vendor.requests[0]!.headers.requestid);
      expect(requestID).toMatch(/^[0-9a-f]{32}$/);
      expect(run.stderr).toMatch(/failed after the batch was sent: .*ENOTDIR/);
      expect(run.stderr).toContain(`check the task before sending again (requestID ${requestID})`);
      expect(run.stderr).toMatch(/report .* could not be written \(ENOTDIR\)/);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'unknown', exitCode: 4, requestID });
    } finally {
      await vendor.close();
    }
  });

  it('refuses a list over --max-batch-size instead of splitting it (exit 3)', async () => {
    const task = newTask('too-big');
    const run = await importFile(EXAMPLE, task, mock.url, ['--max-batch-size', '3']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/5 orders is more than the batch limit of 3/);
    expect(run.stdout).toMatch(/replaces the undialed orders/);
    expect(readReport(run.report).every((l) => l.status === 'not-sent')).toBe(true);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('--dry-run does everything but send', async () => {
    const task = newTask('dry');
    const run = await importFile(EXAMPLE, task, mock.url, ['--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/5 orders, [\d.]+ KB JSON, [\d.]+ (KB|B) gzipped/);
    expect(readReport(run.report).map((l) => l.status)).toEqual(Array(5).fill('not-sent'));
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('exits 3 when no connection can be made, marking every row not-sent', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const run = await importFile(EXAMPLE, newTask('refused'), `http://127.0.0.1:${port}`, ['--max-attempts', '2', '--json']);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/could not connect \(ECONNREFUSED\), retrying in/);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'not-sent', attempts: 2 });
    expect(readReport(run.report).map((l) => l.status)).toEqual(Array(5).fill('not-sent'));
  });
});

describe('callbot import: credentials', () => {
  it('never sends the demo account anywhere but loopback (exit 1, nothing read)', async () => {
    const run = await importFile(EXAMPLE, newTask('prod'), 'https://nxbot.nxcloud.com');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no credentials for https:\/\/nxbot\.nxcloud\.com/);
    expect(() => readFileSync(run.report)).toThrow();
  });

  it('takes credentials from the environment and never prints the secret; a wrong secret is an unverifiable answer (exit 4)', async () => {
    // With a wrong secret the server refuses (retCode 6) and signs its answer with the real key,
    // so the answer cannot be verified: the client treats that as "outcome unknown".
    const task = newTask('wrong-secret');
    const secret = 'a-very-distinctive-wrong-secret-0123456789';
    const run = await importFile(EXAMPLE, task, mock.url, [], { CALLBOT_UUID: DEMO_ACCOUNT.uuid, CALLBOT_SECRET_KEY: secret });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/secret <secretKey, 42 chars> from env/);
    expect(run.stdout).toMatch(/signature check failed/);
    expect(run.stdout).toMatch(/says the signature is wrong: a wrong secret key or algorithm is the likely cause.*callbot sign/s);
    expect(`${run.stdout}${run.stderr}${readFileSync(run.report, 'utf8')}`).not.toContain(secret);
    expect(`${run.stdout}${run.stderr}`).not.toContain('a-ve'); // not even its first characters
    expect(readReport(run.report).every((l) => l.status === 'unknown')).toBe(true);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('is a usage error when no column holds phones (exit 1, no report left behind)', async () => {
    const dir = freshDir();
    const file = join(dir, 'no-phone.csv');
    writeFileSync(file, 'name,other\n张伟,x\n');
    const run = await importFile(file, newTask('no-phone'), mock.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no phone column.*--column phone=HEADER/);
    expect(() => readFileSync(run.report)).toThrow();
  });

  it('refuses to start when the report cannot be written (exit 1, nothing sent)', async () => {
    const task = newTask('no-report');
    const run = await importFile(EXAMPLE, task, mock.url, ['--report', join(freshDir(), 'missing-dir', 'r.csv')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot write the report .*ENOENT/);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it('refuses a --report that is the input file, under any name, and leaves the input intact (exit 1)', async () => {
    const dir = freshDir();
    const list = join(dir, 'list.csv');
    const original = readFileSync(EXAMPLE);
    writeFileSync(list, original);
    symlinkSync(list, join(dir, 'link.csv'));
    linkSync(list, join(dir, 'hard.csv'));
    for (const report of ['list.csv', './sub/../list.csv', 'link.csv', 'hard.csv']) {
      const run = await runCli(['import', 'list.csv', '--task', newTask('same-file'), '--base-url', mock.url, '--report', report, '--dry-run'], { cwd: dir });
      expect(run.code, report).toBe(1);
      expect(run.stderr).toMatch(/--report .* is the input file list\.csv/);
      expect(readFileSync(list).equals(original), report).toBe(true);
    }
  });

  it('leaves an existing --report file as it was when the run stops with a usage error', async () => {
    const dir = freshDir();
    const file = join(dir, 'no-phone.csv');
    writeFileSync(file, 'name,other\n张伟,x\n');
    const report = join(dir, 'keep.csv');
    writeFileSync(report, 'keep me\n');
    const run = await runCli(['import', file, '--task', newTask('keep-report'), '--base-url', mock.url, '--report', report], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no phone column/);
    expect(readFileSync(report, 'utf8')).toBe('keep me\n');

    // A run that gets to the end replaces it, as before.
    const dry = await runCli(['import', EXAMPLE, '--task', newTask('keep-report'), '--base-url', mock.url, '--report', report, '--dry-run'], { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(readReport(report)).toHaveLength(5);
  });

  it('reads a --config file; flags win over it', async () => {
    const dir = freshDir();
    const config = join(dir, 'callbot.json');
    writeFileSync(config, JSON.stringify({ uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey, baseUrl: 'http://127.0.0.1:9' }));
    const run = await importFile(EXAMPLE, newTask('config'), mock.url, ['--config', config]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`to ${mock.url}`);
    expect(run.stderr).toMatch(/from config/);
  });
});
