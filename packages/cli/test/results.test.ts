import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendLog } from '../src/listen/append-log.js';
import { readRequestIDs } from '../src/listen/records.js';
import { SeenIds } from '../src/listen/seen-ids.js';
import { formatFor, rowWriter } from '../src/results/csv.js';
import { csvCell } from '../src/shared/csv-cell.js';
import { callOptions, FilterError, orderOptions, unixSeconds } from '../src/results/filters.js';
import { openOutput } from '../src/results/output.js';
import { type ResultSummary, summaryTable } from '../src/results/summary.js';
import { exportRow, timeCell } from '../src/results/rows.js';
import { freshDir } from './support/run-cli.js';

// The pieces behind export/orders/calls/listen, one by one.

describe('CSV cells', () => {
  it('prefixes formula starts with a quote, quotes separators, leaves numbers and digit phones alone', () => {
    expect(['=1+1', '+86 156', '-x', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+86 156", "'-x", "'@SUM(A1)", "'\tx", '"\'\rx"']);
    expect(csvCell('8615612345678')).toBe('8615612345678');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('writes a header (BOM on request) and rows in column order; JSON Lines with null for missing fields', () => {
    const csv = rowWriter('csv', ['a', 'b'], { bom: true });
    expect(csv.header()).toBe('\ufeffa,b\n');
    expect(csv.line({ b: 2, a: '=x' })).toBe("'=x,2\n");
    const jsonl = rowWriter('jsonl', ['a', 'b']);
    expect(jsonl.header()).toBe('');
    expect(jsonl.line({ a: '=x' })).toBe('{"a":"=x","b":null}\n');
  });

  it('takes the format from the flag, else the extension', () => {
    expect(formatFor('x.jsonl', undefined)).toBe('jsonl');
    expect(formatFor('x.NDJSON', undefined)).toBe('jsonl');
    expect(formatFor('x.txt', undefined)).toBe('csv');
    expect(formatFor('-', undefined)).toBe('csv');
    expect(formatFor('x.jsonl', 'csv')).toBe('csv');
  });
});

describe('rows', () => {
  it('writes times as ISO 8601 UTC or Unix seconds, 0 as empty', () => {
    expect(timeCell(1_700_000_000, 'iso')).toBe('2023-11-14T22:13:20Z');
    expect(timeCell(1_700_000_000, 'unix')).toBe(1_700_000_000);
    expect(timeCell(0, 'iso')).toBeUndefined();
    for (let t = 1; t < 4_102_444_800; t += 86_399 * 37 + 7_919) expect(timeCell(t, 'iso')).toBe(new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('tells an order the details did not return (unknown) from one outside the batch (not-in-batch)', () => {
    expect(exportRow('o-1', { phone: '861' }, undefined, 'iso')).toMatchObject({ status: 'unknown', phone: '861' });
    expect(exportRow('o-2', undefined, undefined, 'iso')).toMatchObject({ status: 'not-in-batch' });
  });
});

describe('filters', () => {
  it('turns inclusive bounds into the vendor exclusive range', () => {
    expect(orderOptions({ minDuration: '0', maxDuration: '30' })).toEqual({ callDuration: { enable: true, lt: 31 } });
    expect(orderOptions({ minTurns: '2' })).toEqual({ turnTime: { enable: true, gt: 1 } });
    expect(orderOptions({ unfinished: true })).toEqual({ finish: 0 });
    expect(orderOptions({})).toEqual({});
  });

  it('reads ISO 8601 and Unix seconds, and names the flag of a bad value', () => {
    expect(unixSeconds('2023-11-14T22:13:20Z', '--since')).toBe(1_700_000_000);
    expect(unixSeconds('2023-11-15T06:13:20+08:00', '--since')).toBe(1_700_000_000);
    expect(unixSeconds('1700000000', '--since')).toBe(1_700_000_000);
    expect(() => callOptions({ until: 'soon' })).toThrow(/--until: "soon"/);
    expect(() => callOptions({ since: '1700000001', until: '1700000000' })).toThrow(FilterError);
    expect(() => orderOptions({ intentLevel: ['1.5'] })).toThrow(/--intent-level: "1.5"/);
  });
});

describe('output files', () => {
  it('writes beside the target and renames at commit; abort leaves nothing', async () => {
    const dir = freshDir();
    const target = join(dir, 'out.csv');
    const out = await openOutput(target);
    await out.write('a\n');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toHaveLength(1);
    await out.commit();
    expect(readFileSync(target, 'utf8')).toBe('a\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);

    const again = await openOutput(target);
    await again.write('b\n');
    await again.abort();
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(target, 'utf8')).toBe('a\n');
  });
});

describe('listen pieces', () => {
  it('SeenIds forgets the oldest past its bound', () => {
    const seen = new SeenIds(3);
    for (const id of ['a', 'b', 'c', 'd']) seen.add(id);
    expect(seen.size).toBe(3);
    expect(seen.has('a')).toBe(false);
    expect(seen.has('d')).toBe(true);
  });

  it('AppendLog writes every concurrent append whole, in order', async () => {
    const file = join(freshDir(), 'log.jsonl');
    const log = await AppendLog.open(file);
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(`${JSON.stringify({ requestID: `r${i}` })}\n`)));
    await log.close();
    const ids: string[] = [];
    const read = await readRequestIDs(file, 'jsonl', (id) => ids.push(id));
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
    expect(read).toEqual({ records: 200, unreadable: 0, endsMidLine: false });
  });

  it('reads requestIDs back, skipping unreadable and over-long lines without holding them', async () => {
    const file = join(freshDir(), 'cb.jsonl');
    const huge = `{"requestID":"big","x":"${'x'.repeat(9 * 1024 * 1024)}"}`;
    writeFileSync(file, ['{"requestID":"r1"}', 'not json', huge, '{"requestID":"r2"}', '{"requestID":"cut'].join('\n'));
    const ids: string[] = [];
    const read = await readRequestIDs(file, 'jsonl', (id) => ids.push(id));
    expect(ids).toEqual(['r1', 'r2']);
    expect(read).toEqual({ records: 2, unreadable: 3, endsMidLine: true, tornFrom: readFileSync(file).lastIndexOf(0x0a) + 1 });
  });

  it('reads CSV requestIDs, not counting a last record cut short', async () => {
    const file = join(freshDir(), 'cb.csv');
    writeFileSync(file, 'receivedAt,kind,requestID\nt,call,r1\nt,call,r2\nt,call,r3');
    const ids: string[] = [];
    const read = await readRequestIDs(file, 'csv', (id) => ids.push(id));
    expect(ids).toEqual(['r1', 'r2']);
    expect(read.endsMidLine).toBe(true);
  });
});

describe('the reading verbs’ summary', () => {
  it.each([
    [1, 1, 'orders of task t: 1 row (1 page, 0.5 s)'],
    [0, 1, 'orders of task t: 0 rows (1 page, 0.5 s)'],
    [250, 3, 'orders of task t: 250 rows (3 pages, 0.5 s)'],
  ])('%i rows in %i pages: counts with their nouns, singular for one ("1 pages" before)', (rows, pages, first) => {
    const summary: ResultSummary = {
      verb: 'orders',
      userTaskID: 't',
      file: null,
      format: null,
      rows,
      pages,
      requests: {},
      durationMs: 500,
      counts: {},
      duplicatesSkipped: 0,
      warnings: [],
    };
    expect(summaryTable(summary).split('\n')[0]).toBe(first);
  });
});
