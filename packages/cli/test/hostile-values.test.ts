import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { type FakeVendor, startFakeVendor } from 'callbot-test-kit/fake-vendor';
import { csvCell } from '../src/shared/csv-cell.js';
import { formatTime } from '../src/shared/time.js';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// Values of another type or range than the spec says, in the vendor's answers (issue 18,
// findings 5 and 10): the CSV formula guard holds whatever the value was, and time formatting
// never throws.

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(DEMO_ACCOUNT);
});
afterAll(() => vendor.close());
beforeEach(() => {
  vendor.received.length = 0;
});

const envelope = { retCode: 0, retMsg: 'success', responseID: 'r' };
const FORMULA = /^[=+\-@\t\r]/;

describe('finding 5: the CSV formula guard holds for values that are not strings', () => {
  it('csvCell guards the text written: arrays and objects as JSON, an object String() cannot convert, null', () => {
    expect(csvCell(["=cmd|' /C calc'!A0"])).toBe(`"[""=cmd|' /C calc'!A0""]"`);
    expect(csvCell(['-2+3'])).toBe('"[""-2+3""]"');
    expect(csvCell(JSON.parse('{"toString": null}'))).toBe('"{""toString"":null}"');
    expect(csvCell(JSON.parse('{"valueOf": null, "toString": null}'))).toBe('"{""valueOf"":null,""toString"":null}"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-2)).toBe('-2'); // a number stays a number
    expect(csvCell('-2+3')).toBe("'-2+3");
  });

  it('callbot orders: an array or object where a string was expected is written guarded, and the run completes', async () => {
    const base = { userPhone: '8615600000001', finish: true, userTaskID: 'task-1', taskID: '1', sceneID: 's', other: '' };
    vendor.script({
      answer: {
        ...envelope,
        totalCount: 3,
        orderList: [
          { ...base, orderID: 'o-1', userName: ["=cmd|' /C calc'!A0"], callInfoDetail: { callID: 'c-1', callStatus: ['-2+3'], hangupCause: ['@SUM(A1)'] } },
          { ...base, orderID: 'o-2', userName: { toString: null }, other: ['+1'], callInfoDetail: { callID: 'c-2', callStatus: { toString: null } } },
          { ...base, orderID: 'o-3', userName: '=1+1', callInfoDetail: { callID: 'c-3', callStatus: 1, termSipCode: -1 } },
        ],
      },
    });
    const dir = freshDir();
    const run = await runInProcess(['orders', '--task', 'task-1', '--out', 'orders.csv', '--json'], { cwd: dir, env: { CALLBOT_BASE_URL: vendor.url } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ rows: 3, counts: { callStatus: { '["-2+3"]': 1, '{"toString":null}': 1, '1': 1 } } });
    const rows = parse(readFileSync(join(dir, 'orders.csv'), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.name, r.callStatus, r.other])).toEqual([
      [`["=cmd|' /C calc'!A0"]`, '["-2+3"]', ''],
      ['{"toString":null}', '{"toString":null}', '["+1"]'],
      ["'=1+1", '1', ''],
    ]);
    // No cell a spreadsheet would run, but the number -1.
    for (const row of rows) for (const [column, cell] of Object.entries(row)) if (column !== 'termSipCode') expect(cell).not.toMatch(FORMULA);
    expect(rows[2]!.termSipCode).toBe('-1');
  });
});

describe('finding 10: task times outside the Date range', () => {
  const stat = { answerOrderCount: 1, finishOrderCount: 1, totalOrderCount: 2, finishRate: 0.5, totalAnswerCall: 1, totalCall: 2, answerRate: 0.5 };
  const taskItem = (userTaskID: string, createTs: unknown) => ({
    userTaskID,
    taskID: `id-${userTaskID}`,
    sceneID: 's',
    taskStatus: 2,
    createTs,
    taskStat: stat,
  });

  it('formatTime is total: a time past the Date range, a six-digit year, an object, a string', () => {
    expect(formatTime(1_764_000_000)).toBe('2025-11-24 16:00 UTC');
    expect(formatTime(1e13)).toBe('10000000000000');
    expect(formatTime(-1e13)).toBe('-10000000000000');
    expect(formatTime(1e12)).toBe('1000000000000'); // year 33658: not written as +033658-…
    expect(formatTime(JSON.parse('{"toString": null}'))).toBe('{"toString":null}');
    expect(formatTime('soon')).toBe('soon');
    expect(formatTime(null)).toBe('');
  });

  it('task list and task show with createTs 1e13: the number is shown, exit 0, no stack', async () => {
    vendor.script({ answer: { ...envelope, taskData: [taskItem('t-far', 1e13), taskItem('t-now', 1_764_000_000)] } });
    const list = await runInProcess(['task', 'list', '--base-url', vendor.url]);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/t-far .* 10000000000000 /);
    expect(list.stdout).toContain('2025-11-24 16:00 UTC');

    const show = await runInProcess(['task', 'show', '--task', 't-far', '--base-url', vendor.url]);
    expect(show.stderr).toBe('');
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/created\s+10000000000000\n/);
  });
});
