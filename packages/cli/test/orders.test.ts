import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendor } from 'callbot-test-kit/fake-vendor';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';
import { bodiesOf, type GeneratedOrder, generateOrders, serve, startResultsVendor } from './support/results-vendor.js';

// `callbot orders` (listOrder, every page) against the fake vendor serving a generated task.

const ORDERS = 1000; // 667 of them called: 7 pages of 100
let orders: GeneratedOrder[];
let vendor: FakeVendor;

beforeAll(async () => {
  orders = generateOrders(ORDERS);
  vendor = await startResultsVendor(orders);
});
afterAll(() => vendor.close());

const env = () => ({ CALLBOT_BASE_URL: vendor.url });
const rowsOf = (text: string) => parse(text, { columns: true, bom: true }) as Record<string, string>[];
const called = () => orders.filter((o) => o.calls.length > 0);

describe('callbot orders', () => {
  it('reads every page and writes every order once, with its last call', async () => {
    vendor.received.length = 0;
    const dir = freshDir();
    const run = await runInProcess(['orders', '--task', 'task-1', '--out', 'orders.csv', '--json'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verb: 'orders', rows: 667, pages: 7, file: 'orders.csv', format: 'csv', duplicatesSkipped: 0 });
    const rows = rowsOf(readFileSync(join(dir, 'orders.csv'), 'utf8'));
    expect(rows.map((r) => r.orderID)).toEqual(called().map((o) => o.orderID));
    expect(Object.keys(rows[0]!)).toEqual([
      'orderID',
      'phone',
      'name',
      'other',
      'finished',
      'callID',
      'callStatus',
      'callStart',
      'callAnswer',
      'callEnd',
      'callDuration',
      'intents',
      'hangupCause',
      'termSipCode',
      'callingNumber',
      'audioUrl',
    ]);
    expect(rows[1]).toMatchObject({ orderID: 'o-000002', finished: 'true', callID: 'c-2-2', name: "'+SUM(1,2)" });
    expect(bodiesOf(vendor, 'listOrder').map((b) => [b.page, b.size])).toEqual([1, 2, 3, 4, 5, 6, 7].map((p) => [p, 100]));
    expect(readdirSync(dir)).toEqual(['orders.csv']);
  });

  it('sends the filters as listOrder options', async () => {
    vendor.received.length = 0;
    const run = await runInProcess(
      [
        'orders',
        '--task',
        'task-1',
        '--finished',
        '--call-status',
        '1,2',
        '--call-status',
        '3',
        '--intent',
        'interested',
        '--intent-level',
        '1',
        '--min-duration',
        '10',
        '--max-duration',
        '60',
        '--max-turns',
        '4',
        '--order',
        'o-000002,o-000005',
        '--page-size',
        '50',
      ],
      { env: env() },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [first] = bodiesOf(vendor, 'listOrder');
    expect(first).toEqual({
      productID: 'callbot',
      userTaskID: 'task-1',
      page: 1,
      size: 50,
      options: {
        finish: 1,
        callStatus: [1, 2, 3],
        intentName: ['interested'],
        intentLevel: [1],
        callDuration: { enable: true, gt: 9, lt: 61 },
        turnTime: { enable: true, lt: 5 },
        orderID: ['o-000002', 'o-000005'],
      },
    });
    // The fake vendor honours `finish`: only the finished orders, counted on stdout.
    expect(run.stdout).toMatch(/orders of task task-1: 333 rows \(7 pages/);
    expect(run.stdout).toMatch(/true\s+333/);
  });

  it('writes an order the vendor lists twice (shifted pages) once', async () => {
    const shifted = serve(orders);
    vendor.script({
      kind: 'compute',
      answer: (body, path) => {
        const answer = (shifted as { answer: (b: unknown, p: string) => Record<string, unknown> }).answer({ ...body, page: body.page }, path);
        // Page 2 starts with the last order of page 1 again, as when an order was added before it.
        if (body.page === 2) (answer.orderList as unknown[]).unshift(...(shifted as any).answer({ ...body, page: 1 }, path).orderList.slice(-1));
        return answer;
      },
    });
    try {
      const dir = freshDir();
      const run = await runInProcess(['orders', '--task', 'task-1', '--out', 'o.jsonl'], { cwd: dir, env: env() });
      expect(run.code).toBe(0);
      const ids = readFileSync(join(dir, 'o.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).orderID);
      expect(ids).toHaveLength(667);
      expect(new Set(ids).size).toBe(667);
      expect(run.stdout).toContain('listed twice by the vendor, written once: 1');
    } finally {
      vendor.script(serve(orders, true));
    }
  });

  it('names the flag of a bad filter (exit 1) and sends nothing', async () => {
    vendor.received.length = 0;
    for (const [args, message] of [
      [['--finished', '--unfinished'], '--finished and --unfinished exclude each other'],
      [['--call-status', 'one'], '--call-status: "one" is not a whole number'],
      [['--min-duration', '60', '--max-duration', '10'], '--min-duration 60 is above --max-duration 10'],
    ] as const) {
      const run = await runInProcess(['orders', '--task', 'task-1', ...args], { env: env() });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(message);
    }
    expect(vendor.received).toHaveLength(0);
  });
});
