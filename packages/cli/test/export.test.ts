import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendor } from 'callbot-test-kit/fake-vendor';
import { advanceClock } from 'callbot-test-kit/mock-clock';
import { fromRoot } from 'callbot-test-kit/paths';
import { startMock, stopMocks } from './support/mock-server.js';
import { freshDir, spawnCli } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';
import { bodiesOf, type GeneratedOrder, generateOrders, serve, startResultsVendor, TRICKY } from './support/results-vendor.js';

// `callbot export` against a fake vendor that serves a generated task (support/results-vendor.ts):
// the real command, over loopback, signed both ways.

const ORDERS = 1200; // three listOrderDetail requests of at most 500 ids
let orders: GeneratedOrder[];
let vendor: FakeVendor;

beforeAll(async () => {
  orders = generateOrders(ORDERS);
  vendor = await startResultsVendor(orders);
});
afterAll(() => vendor.close());

const env = () => ({ CALLBOT_BASE_URL: vendor.url });
const rowsOf = (text: string) => parse(text, { columns: true, bom: true }) as Record<string, string>[];

describe('callbot export', () => {
  it('writes one row per order of the batch, with status, rounds and the last call, 500 orders a request', async () => {
    vendor.received.length = 0;
    const dir = freshDir();
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'results.csv'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote ${ORDERS} rows to results.csv`);

    const rows = rowsOf(readFileSync(join(dir, 'results.csv'), 'utf8'));
    expect(rows).toHaveLength(ORDERS);
    expect(new Set(rows.map((r) => r.orderID)).size).toBe(ORDERS);
    expect(rows.map((r) => r.orderID)).toEqual(orders.map((o) => o.orderID));
    expect(Object.keys(rows[0]!)).toEqual([
      'orderID',
      'phone',
      'name',
      'other',
      'status',
      'rounds',
      'lastCallID',
      'lastCallStatus',
      'lastCallStart',
      'lastCallAnswer',
      'lastCallEnd',
      'lastCallDuration',
      'totalDuration',
      'intents',
      'hangupCause',
    ]);
    // Order 8: two calls (finished); the vendor lists them newest first, the last is the latest started.
    const o8 = rows[7]!;
    expect(o8).toMatchObject({ orderID: 'o-000008', phone: '8615600000008', status: 'finished', rounds: '2', lastCallID: 'c-8-2', lastCallStatus: '1' });
    expect(o8.lastCallStart).toBe(new Date(orders[7]!.calls[1]!.callStartTs * 1000).toISOString().replace('.000Z', 'Z'));
    expect(o8.lastCallAnswer).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(o8).toMatchObject({ lastCallDuration: '8', totalDuration: '8', intents: 'level-0', hangupCause: 'NORMAL_CLEARING' });
    // Order 7: one call, not finished; order 9: none yet.
    expect(rows[6]).toMatchObject({ status: 'in-progress', rounds: '1' });
    expect(rows[8]).toMatchObject({ status: 'waiting', rounds: '0', lastCallStart: '', lastCallID: '' });

    const details = bodiesOf(vendor, 'listOrderDetail');
    expect(details.map((b) => b.orderList.length)).toEqual([500, 500, 200]);
    expect(bodiesOf(vendor, 'exportBatchCall')).toEqual([{ productID: 'callbot', userTaskID: 'task-1' }]);
    expect(vendor.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('keeps formula-like cells as text, phones readable, and starts with a BOM when asked', async () => {
    const dir = freshDir();
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'r.csv', '--bom'], { cwd: dir, env: env() });
    expect(run.code).toBe(0);
    const bytes = readFileSync(join(dir, 'r.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = rowsOf(bytes.toString('utf8'));
    expect(rows.slice(0, TRICKY.length).map((r) => r.name)).toEqual(["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'-2+3", "'@A1", "'\tTAB", 'plain, "quoted"']);
    expect(rows[0]!.other).toBe(`'=HYPERLINK("http://evil")`);
    expect(rows[0]!.phone).toBe('8615600000001');
    // No cell of the file starts a formula.
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('joins the import report by orderID: its row number first, its status last, its missing orders as not-in-batch', async () => {
    const dir = freshDir();
    const report = [
      '\ufeffrow,phone,orderID,status,reason',
      '2,8615600000001,o-000001,accepted,',
      '3,8615600000002,o-000002,accepted,',
      '4,12,,rejected-locally,phone too short',
      '5,8615699999999,o-999999,rejected-by-server,"duplicate, refused"',
      ...orders.slice(2).map((o, i) => `${i + 6},${o.userPhone},${o.orderID},accepted,`),
    ].join('\n');
    writeFileSync(join(dir, 'IMPORT_REPORT.csv'), `${report}\n`);
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'joined.csv', '--report', 'IMPORT_REPORT.csv'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = rowsOf(readFileSync(join(dir, 'joined.csv'), 'utf8'));
    expect(Object.keys(rows[0]!)[0]).toBe('importRow');
    expect(Object.keys(rows[0]!).at(-1)).toBe('importStatus');
    expect(rows).toHaveLength(ORDERS + 1);
    expect(rows[0]).toMatchObject({ importRow: '2', orderID: 'o-000001', importStatus: 'accepted' });
    expect(rows[2]).toMatchObject({ importRow: '6', orderID: 'o-000003' });
    expect(rows.at(-2)).toMatchObject({ importRow: String(ORDERS + 3), orderID: orders.at(-1)!.orderID });
    expect(rows.at(-1)).toMatchObject({ importRow: '5', orderID: 'o-999999', status: 'not-in-batch', importStatus: 'rejected-by-server' });
  });

  it('writes JSON Lines (by extension or --format), to stdout with --out -, and a JSON summary with --json', async () => {
    const dir = freshDir();
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'r.jsonl', '--json', '--time', 'unix'], { cwd: dir, env: env() });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(run.stdout).toBe(`${JSON.stringify(summary, null, 2)}\n`); // indented, as every verb's --json
    expect(summary).toMatchObject({ verb: 'export', file: 'r.jsonl', format: 'jsonl', rows: ORDERS, pages: 3, batchID: 'b-1' });
    expect(summary.counts.status).toEqual({ finished: 400, 'in-progress': 400, waiting: 400 });
    expect(typeof summary.durationMs).toBe('number');
    const lines = readFileSync(join(dir, 'r.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(ORDERS);
    const first = JSON.parse(lines[1]!);
    expect(first).toMatchObject({ orderID: 'o-000002', name: '+SUM(1,2)', status: 'finished', rounds: 2, lastCallStart: orders[1]!.calls[1]!.callStartTs });

    const piped = await runInProcess(['export', '--task', 'task-1', '--out', '-', '--format', 'jsonl'], { cwd: dir, env: env() });
    expect(piped.code).toBe(0);
    expect(
      piped.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).orderID),
    ).toEqual(orders.map((o) => o.orderID));
    expect(piped.stderr).toContain(`${ORDERS} rows written to stdout`);
    expect(readdirSync(dir).sort()).toEqual(['r.jsonl']);
  });

  it('stops quietly when the reader of stdout goes away (exit 0), and refuses --json with --out -', async () => {
    const live = spawnCli(['export', '--task', 'task-1', '--out', '-'], { env: env() });
    await new Promise<void>((resolve) => live.child.stdout!.once('data', () => resolve()));
    live.child.stdout!.destroy();
    const done = await live.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toBe('');

    const both = await runInProcess(['export', '--task', 'task-1', '--out', '-', '--json'], { env: env() });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--json and --out - both want stdout');
  });

  it('prints only the counts without --out, and writes no file', async () => {
    const dir = freshDir();
    const run = await runInProcess(['export', '--task', 'task-1'], { cwd: dir, env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/finished\s+400/);
    expect(run.stdout).toMatch(/waiting\s+400/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves no file, whole or partial, when interrupted mid-way (SIGINT: 130)', async () => {
    const dir = freshDir();
    vendor.received.length = 0;
    vendor.script(serve(orders), serve(orders), { kind: 'slow', ms: 30_000 });
    try {
      const live = spawnCli(['export', '--task', 'task-1', '--out', 'results.csv'], { cwd: dir, env: env() });
      const until = Date.now() + 20_000;
      while (vendor.received.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(vendor.received.length).toBe(3);
      // The first 500 rows are in the temporary file by now.
      expect(readdirSync(dir).some((f) => f.startsWith('.results.csv.'))).toBe(true);
      live.child.kill('SIGINT');
      const done = await live.done;
      expect(done.code).toBe(130);
      expect(done.stderr).toContain('nothing written to results.csv');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      vendor.script(serve(orders, true));
    }
  });

  it('exits 3 and writes nothing when the vendor refuses, keeping an existing file as it was', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'results.csv'), 'previous\n');
    vendor.script({ answer: { retCode: 1001, retMsg: '批次导入进行中', responseID: 'r' } });
    try {
      const run = await runInProcess(['export', '--task', 'task-1', '--out', 'results.csv'], { cwd: dir, env: env() });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/1001/);
      expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe('previous\n');
      expect(readdirSync(dir)).toEqual(['results.csv']);
    } finally {
      vendor.script(serve(orders, true));
    }
  });

  it('refuses a report that is not an import report (exit 1), naming the flag', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'calls.csv'), 'phone,name\n861,a\n');
    const run = await runInProcess(['export', '--task', 'task-1', '--report', 'calls.csv'], { cwd: dir, env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--report calls.csv: not an import report');
  });
});

describe('against callbot-mock (its simulator: a task imported, an hour of calls on its virtual clock, answers signed)', () => {
  afterAll(() => stopMocks());

  it('export, orders and calls read the mock and write header and rows (each answer verified, or the command fails)', async () => {
    const mock = await startMock();
    const env = { CALLBOT_BASE_URL: mock.url };
    const imported = await runInProcess(
      ['import', fromRoot('packages', 'cli', 'examples', 'call-list.csv'), '--task', 'task-1', '--report', join(freshDir(), 'r.csv')],
      { env },
    );
    expect(imported.code, imported.stderr).toBe(0);
    await advanceClock(mock.url, 3600);
    for (const verb of ['export', 'orders', 'calls']) {
      const run = await runInProcess([verb, '--task', 'task-1', '--out', '-', '--format', 'jsonl'], { env });
      expect(run.code, `${verb}: ${run.stderr}`).toBe(0);
      const rows = run.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.orderID).toEqual(expect.any(String));
    }
  });
});
