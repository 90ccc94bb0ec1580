import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { type Behaviour, type FakeVendor, startFakeVendor } from 'callbot-test-kit/fake-vendor';
import { readFront } from '../src/results/front.js';
import { IdBudgetError, IdDigestSet } from '../src/results/id-digests.js';
import { runList } from '../src/results/list.js';
import { freshDir } from './support/run-cli.js';
import { runInProcess, testIo } from './support/run-in-process.js';

// `callbot orders` / `calls` against a vendor whose paging cannot be trusted (issue 18,
// findings 2 and 12): the ids remembered are bounded by bytes, pages that never end or repeat
// stop the run (exit 3, the rows read kept under the temporary name, the target untouched), and
// pages that end away from totalCount are a warning (exit 2 when rows may be missing).

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(DEMO_ACCOUNT);
});
afterAll(() => vendor.close());
beforeEach(() => {
  vendor.received.length = 0;
});

const envelope = { retCode: 0, retMsg: 'success', responseID: 'r' };
const order = (id: string) => ({
  orderID: id,
  userPhone: '8615600000001',
  userName: 'n',
  other: '',
  finish: true,
  userTaskID: 'task-1',
  taskID: '1',
  sceneID: 's',
  callInfoDetail: { callID: `c-${id}`, callStatus: 1 },
});
/** listOrder (and listCall) answers computed from the page asked for; `lastPage` ends the list (a safety net for the code before the fix). */
const listOrder = (
  orderIDs: (page: number, size: number) => string[],
  extra: (page: number) => Record<string, unknown> = () => ({}),
  lastPage = 300,
): Behaviour => ({
  kind: 'compute',
  answer: (body) => {
    const list = body.page > lastPage ? [] : orderIDs(body.page, body.size).map(order);
    return { ...envelope, ...extra(body.page), orderList: list, callList: list };
  },
});
const rowsOf = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
const partials = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.partial'));
const cli = (args: string[], dir: string) => runInProcess(args, { cwd: dir, env: { CALLBOT_BASE_URL: vendor.url } });

describe('finding 2: what orders/calls remember is bounded by bytes', () => {
  it('the ids are kept as 16-byte digests: the table stays within its bytes whatever the ids weigh, and a full table is an error', () => {
    const seen = new IdDigestSet(1024 * 1024);
    expect(seen.capacity).toBe(52_428); // 65,536 slots of 16 bytes, filled to 80%
    const long = 'x'.repeat(1000);
    for (let i = 0; i < seen.capacity; i += 1) expect(seen.add(`${long}-${i}`)).toBe(true);
    expect(seen.add(`${long}-7`)).toBe(false); // a repeat, still told apart when full
    expect(() => seen.add(`${long}-new`)).toThrow(IdBudgetError);
    expect(seen.size).toBe(52_428);
  });

  it('endless pages of new long ids: stopped at the byte budget, exit 3, the rows read kept under the temporary name, the target untouched', async () => {
    const dir = freshDir();
    const out = join(dir, 'orders.csv');
    const long = 'L'.repeat(300);
    vendor.script(
      listOrder(
        (page, size) => Array.from({ length: size }, (_, i) => `${long}-${page}-${i}`),
        () => ({}),
        60,
      ),
    );
    const terminal = testIo();
    const code = await readFront(terminal.io, 'orders', { out }, (io) =>
      runList(
        {
          verb: 'orders',
          options: {},
          userTaskID: 'task-1',
          out,
          format: 'csv',
          time: 'iso',
          pageSize: 500,
          timeoutMs: 10_000,
          connection: { baseUrl: vendor.url },
          maxIdBytes: 256 * 1024, // 16,384 slots: 13,107 ids
        },
        io,
      ),
    );
    const stdout = terminal.stdout();
    const stderr = terminal.stderr();
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/the vendor's paging cannot be trusted: it listed more than 13107 distinct items .* without its pages coming to an end; stopped\./);
    expect(existsSync(out)).toBe(false);
    const [kept] = partials(dir);
    expect(stderr).toContain(`The 13107 rows read before it are in ${join(dir, kept!)}; ${out} was not written.`);
    expect(rowsOf(join(dir, kept!))).toHaveLength(13_107);
    expect(vendor.received.length).toBe(27); // 26 pages of 500 held 13,000 ids; the 27th broke the budget
  });
});

describe('finding 12: paging that repeats or never ends stops the run', () => {
  it('a vendor repeating one page: exit 3 at page 2, the first page kept, the target untouched', async () => {
    const dir = freshDir();
    vendor.script(listOrder((_, size) => Array.from({ length: size }, (_, i) => `o-${i}`)));
    const run = await cli(['orders', '--task', 'task-1', '--out', 'orders.csv', '--page-size', '50'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /callbot orders: the vendor's paging cannot be trusted: page 2 repeats an earlier page item for item; stopped\. The 50 rows read before it are in .*\.orders\.csv\.\d+-[0-9a-f]+\.partial; orders\.csv was not written\./,
    );
    expect(existsSync(join(dir, 'orders.csv'))).toBe(false);
    expect(rowsOf(join(dir, partials(dir)[0]!))).toHaveLength(50);
    expect(vendor.received).toHaveLength(2);
  });

  it('a vendor cycling through 20 pages: stopped after 10 pages of items already written', async () => {
    const dir = freshDir();
    vendor.script(listOrder((page, size) => Array.from({ length: size }, (_, i) => `o-${page % 20}-${i}`)));
    const run = await cli(['calls', '--task', 'task-1', '--page-size', '10'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /callbot calls: the vendor's paging cannot be trusted: 100 items in a row \(10 pages\) were all written already: its pages repeat; stopped\./,
    );
    expect(vendor.received).toHaveLength(30);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('finding 12: pages that disagree with totalCount', () => {
  it('totalCount 1 with full pages: every page is read (250 rows), a warning on stderr and in the --json summary, exit 0', async () => {
    const dir = freshDir();
    vendor.script(
      listOrder(
        (page, size) => Array.from({ length: Math.max(0, Math.min(size, 250 - (page - 1) * size)) }, (_, i) => `o-${page}-${i}`),
        () => ({ totalCount: 1 }),
      ),
    );
    const run = await cli(['orders', '--task', 'task-1', '--out', 'orders.csv', '--json'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("callbot orders: warning: the vendor's pages listed 250 items, more than its totalCount of 1\n");
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      rows: 250,
      pages: 3,
      warnings: ["the vendor's pages listed 250 items, more than its totalCount of 1"],
      countMismatch: { kind: 'more', totalCount: 1, listed: 250 },
    });
    expect(rowsOf(join(dir, 'orders.csv'))).toHaveLength(250);
  });

  it('an empty page 2 while totalCount says 500: the file is written, a warning says rows may be missing, exit 2', async () => {
    const dir = freshDir();
    vendor.script(
      listOrder(
        (page, size) => (page === 1 ? Array.from({ length: size }, (_, i) => `o-${i}`) : []),
        () => ({ totalCount: 500 }),
      ),
    );
    const run = await cli(['orders', '--task', 'task-1', '--out', 'orders.csv', '--json'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "callbot orders: warning: the vendor's totalCount says 500, but its pages ended after 100 (page 2 was empty): items may be missing\n",
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 100, countMismatch: { kind: 'fewer', totalCount: 500, listed: 100 } });
    expect(rowsOf(join(dir, 'orders.csv'))).toHaveLength(100);
    // Without --json: the same warning, the table on stdout.
    const plain = await cli(['orders', '--task', 'task-1'], dir);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('items may be missing');
    expect(plain.stdout).toMatch(/100 rows/);
  });

  it('items listed twice by shifting pages explain pages past totalCount: no warning when the rows written match it', async () => {
    const dir = freshDir();
    // Page 2 starts with the last two orders of page 1 (two orders were added before them meanwhile).
    vendor.script(
      listOrder(
        (page) => (page === 1 ? ['a', 'b', 'c', 'd'] : page === 2 ? ['c', 'd', 'e', 'f'] : ['g']),
        () => ({ totalCount: 7 }),
      ),
    );
    const run = await cli(['orders', '--task', 'task-1', '--page-size', '4', '--json'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 7, duplicatesSkipped: 2, warnings: [] });
  });
});

describe('finding 12: `callbot task list --all` on the same paging', () => {
  const stat = { answerOrderCount: 1, finishOrderCount: 1, totalOrderCount: 2, finishRate: 0.5, totalAnswerCall: 1, totalCall: 2, answerRate: 0.5 };
  const taskItem = (userTaskID: string) => ({ userTaskID, taskID: `id-${userTaskID}`, sceneID: 's', taskStatus: 2, createTs: 1764000000, taskStat: stat });

  it('a vendor repeating one page of tasks: exit 3 and, with --json, the error document (kind untrusted-paging)', async () => {
    vendor.script({ answer: { ...envelope, taskData: Array.from({ length: 10 }, (_, i) => taskItem(`t-${i}`)) } });
    const run = await runInProcess(['task', 'list', '--all', '--size', '10', '--json', '--base-url', vendor.url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/callbot task list: The vendor's paging cannot be trusted: page 2 repeats page 1 item for item/);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 3, error: { kind: 'untrusted-paging', requestID: expect.any(String) } });
    expect(vendor.received).toHaveLength(2);
  });

  it('an empty page 2 while totalCount says 30: the tasks read, and a warning on stderr and in --json', async () => {
    vendor.script({
      kind: 'compute',
      answer: (body) => ({ ...envelope, totalCount: 30, taskData: body.page === 1 ? Array.from({ length: 10 }, (_, i) => taskItem(`t-${i}`)) : [] }),
    });
    const run = await runInProcess(['task', 'list', '--all', '--size', '10', '--json', '--base-url', vendor.url]);
    expect(run.code).toBe(0);
    const warning = "the vendor's totalCount says 30, but its pages ended after 10 (page 2 was empty): items may be missing";
    expect(run.stderr).toBe(`callbot task list: warning: ${warning}\n`);
    expect(JSON.parse(run.stdout)).toMatchObject({ truncated: false, warnings: [warning] });
    expect(JSON.parse(run.stdout).tasks).toHaveLength(10);
  });
});
