import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendor } from 'callbot-test-kit/fake-vendor';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';
import { BASE_TS, bodiesOf, type GeneratedOrder, generateOrders, startResultsVendor } from './support/results-vendor.js';

// `callbot calls` (listCall, every page; answers gzip-compressed) against the fake vendor.

const ORDERS = 600; // 600 calls: 6 pages of 100 (the 7th, empty, is not asked for: totalCount)
let orders: GeneratedOrder[];
let vendor: FakeVendor;

beforeAll(async () => {
  orders = generateOrders(ORDERS);
  vendor = await startResultsVendor(orders);
});
afterAll(() => vendor.close());

const env = () => ({ CALLBOT_BASE_URL: vendor.url });

describe('callbot calls', () => {
  it('reads every page and writes every call once (JSON Lines by extension)', async () => {
    vendor.received.length = 0;
    const dir = freshDir();
    const run = await runInProcess(['calls', '--task', 'task-1', '--out', 'calls.ndjson', '--json'], { cwd: dir, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const all = orders.flatMap((o) => o.calls.map((c) => c.callID));
    expect(JSON.parse(run.stdout)).toMatchObject({ verb: 'calls', rows: all.length, pages: 6, format: 'jsonl' });
    const lines = readFileSync(join(dir, 'calls.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.callID)).toEqual(all);
    expect(lines[0]).toMatchObject({ orderID: 'o-000001', callStatus: 1, callDuration: 1, intents: 'level-1' });
    // The answers came gzip-compressed and signed.
    expect(vendor.received.every((r) => r.signatureValid && /gzip/.test(String(r.headers['accept-encoding'])))).toBe(true);
  });

  it('sends --since/--until as startTs/endTs (ISO 8601 or Unix seconds)', async () => {
    vendor.received.length = 0;
    const since = new Date((BASE_TS + 1000) * 1000).toISOString();
    const run = await runInProcess(['calls', '--task', 'task-1', '--since', since, '--until', String(BASE_TS + 2000), '--out', '-'], { env: env() });
    expect(run.code).toBe(0);
    const [body] = bodiesOf(vendor, 'listCall');
    expect(body!.options).toEqual({ startTs: BASE_TS + 1000, endTs: BASE_TS + 2000 });
    const expected = orders.flatMap((o) => o.calls).filter((c) => c.callStartTs >= BASE_TS + 1000 && c.callStartTs <= BASE_TS + 2000);
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows[0]!.startsWith('orderID,phone,')).toBe(true);
    expect(rows).toHaveLength(expected.length + 1);
  });

  it('refuses a --since that is not a time, naming the flag', async () => {
    const run = await runInProcess(['calls', '--task', 'task-1', '--since', 'yesterday'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--since: "yesterday" is neither an ISO 8601 date/time');
  });
});
