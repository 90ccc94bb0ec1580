import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { batchBody, jsonBytes, measureBody, orderBytes, type BatchEnvelope } from '../src/import/batch-body.js';
import type { CallOrder } from '../src/import/build-batch.js';
import { resolveConnection } from '../src/shared/credentials.js';
import { boundedLineBatches, isPlainCsv } from '../src/import/bounded-lines.js';
import { openRowReader, type SourceRow } from '../src/import/read-rows.js';
import { freshDir } from './support/run-cli.js';

// What the speed work changed must not change a byte of what is sent or read:
// - the body's size is now measured with orderBytes (one measurement per order instead of one
//   per string): it must equal the UTF-8 length of JSON.stringify, which is what the client
//   sends and signs, for every kind of text JSON escapes or encodes specially;
// - a CSV file without quotes is now read by splitting lines instead of csv-parse: the records
//   must be the ones csv-parse gives.

const TRICKY = [
  '',
  'plain ascii',
  '张伟 华南物流',
  'say "hi" \\ back\\slash',
  'tab\tnew\nline\rcr',
  'nul\u0000 bell\u0007 esc\u001b unit\u001f del\u007f',
  'emoji 😀👍🏽 flag 🇨🇳',
  'line sep \u2028 para sep \u2029',
  'lone high \ud800 lone low \udc00 reversed \udc00\ud800',
  'bom \ufeff nbsp \u00a0 ideographic space \u3000',
  '</script><!-- -->',
  'é (precomposed) vs é (combining)',
];

const order = (i: number, params: CallOrder['params']): CallOrder => ({
  orderID: `o-${i}-${TRICKY[i % TRICKY.length]}`,
  userPhone: '8615600000001',
  other: TRICKY[(i + 1) % TRICKY.length]!,
  userName: TRICKY[(i + 2) % TRICKY.length]!,
  customerName: TRICKY[(i + 3) % TRICKY.length]!,
  params,
});

const ORDERS: CallOrder[] = TRICKY.flatMap((text, i) => [
  order(i, []),
  order(i, [{ name: 'amount', value: text }]),
  order(i, [
    { name: text || 'x', value: '1' },
    { name: 'due', value: TRICKY[(i + 5) % TRICKY.length]! },
    { name: 'emoji😀', value: text },
  ]),
]);

describe('the measured body size', () => {
  it('orderBytes is the UTF-8 length of JSON.stringify(order), for every kind of text', () => {
    for (const o of ORDERS) expect(orderBytes(o), JSON.stringify(o)).toBe(Buffer.byteLength(JSON.stringify(o)));
    for (const o of ORDERS) expect(jsonBytes(o)).toBe(Buffer.byteLength(JSON.stringify(o)));
  });

  it.each<BatchEnvelope>([
    { operation: 'importBatchCall', userTaskID: 'task "1" 😀' },
    { operation: 'addBatchCall', userTaskID: 'task\u2028' },
    { operation: 'createAndCall', userTaskID: 't', newTask: { sceneID: 'scene "7"', taskName: '账单\u0000' } },
    { operation: 'createAndCall', userTaskID: 't', newTask: { sceneID: 's' } },
  ])('measureBody is the size of the body the client sends (%j), and names the first order over the limit', (envelope) => {
    const settings = resolveConnection({}, {});
    const text = JSON.stringify(batchBody(envelope, settings, ORDERS));
    const whole = measureBody(envelope, settings, ORDERS, Number.MAX_SAFE_INTEGER);
    expect(whole).toEqual({ bytes: Buffer.byteLength(text) });
    // The limit right below the body with its first 10 orders: the 11th is the first over.
    const limit = Buffer.byteLength(JSON.stringify(batchBody(envelope, settings, ORDERS.slice(0, 10))));
    expect(measureBody(envelope, settings, ORDERS, limit).firstOver).toBe(10);
  });
});

/** Rows as the reader gives them (row number, cells, problem). */
async function readRows(file: string, delimiter?: ',' | ';'): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const batch of openRowReader(file, delimiter ? { delimiter } : {}).batches()) rows.push(...batch);
  return rows;
}

/** The same file through csv-parse as the reader configures it, numbered and filtered the same way. */
function csvParseRows(text: string, delimiter: string): SourceRow[] {
  const records = parse(text, { delimiter, bom: true, relax_column_count: true }) as string[][];
  const blank = (cells: string[]) => cells.every((c) => c.trim() === '');
  const rows: SourceRow[] = [];
  let header: string[] | undefined;
  records.forEach((cells, i) => {
    if (!header) {
      if (!blank(cells)) header = cells;
      return;
    }
    if (blank(cells)) return;
    rows.push(
      cells.length > header.length && !blank(cells.slice(header.length))
        ? { row: i + 1, cells, problem: `has ${cells.length} fields but the header has ${header.length} (a delimiter inside an unquoted value?)` }
        : { row: i + 1, cells },
    );
  });
  return rows;
}

describe('reading a CSV without quotes by splitting lines', () => {
  const files: [string, string, ',' | ';'][] = [
    ['LF, trailing newline', `phone,name,other\n8615600000001,张伟,${TRICKY.slice(0, 3).join(' ')}\n8615600000002,李娜,x\n`, ','],
    ['CRLF, no trailing newline, BOM', '\ufeffphone,name\r\n8615600000001,a\r\n8615600000002,b', ','],
    ['blank lines and a blank first line', '\nphone,name\n\n8615600000001,a\n,\n\n8615600000002,b\n\n', ','],
    ['too many and too few fields', 'phone,name\n8615600000001,a,extra\n8615600000002\n8615600000003,b,,\n', ','],
    ['semicolons', 'phone;name;other\n8615600000001;a,b;c\n', ';'],
    // (no NUL: a NUL byte makes the file look like UTF-16, refused before reading)
    [
      'emoji, \\u2028 and control characters',
      `phone,other\n8615600000001,${TRICKY.slice(4, 9)
        .join('|')
        .replace(/[\n\r\u0000]/g, ' ')}\n`,
      ',',
    ],
  ];

  it.each(files)('%s: the same records as csv-parse', async (_label, text, delimiter) => {
    const file = join(freshDir(), 'list.csv');
    writeFileSync(file, text);
    expect(isPlainCsv(file)).toBe(true);
    expect(await readRows(file, delimiter)).toEqual(csvParseRows(text, delimiter));
  });

  it('the same records for a 3 MB file whose lines cross the 256 KiB read chunks, multi-byte characters included', async () => {
    const lines = ['phone,name,other'];
    for (let i = 0; i < 30_000; i += 1) lines.push(`86156${String(i).padStart(8, '0')},王${'芳'.repeat(i % 7)},${'x😀'.repeat(i % 13)}`);
    const text = `${lines.join('\r\n')}\r\n`;
    const file = join(freshDir(), 'big.csv');
    writeFileSync(file, text);
    expect(isPlainCsv(file)).toBe(true);
    expect(await readRows(file)).toEqual(csvParseRows(text, ','));
  });

  it('a file with a quote, or a carriage return not before a line feed, goes through csv-parse', () => {
    const dir = freshDir();
    const cases: [string, boolean][] = [
      ['phone,name\n8615600000001,"a,b"\n', false],
      ['phone,name\r8615600000001,a\r', false],
      ['phone,name\n8615600000001,a\rb\n', false],
      ['phone,name\r\n8615600000001,a\r\n', true],
      ['phone,name\n8615600000001,a\r', false],
    ];
    cases.forEach(([text, plain], i) => {
      const file = join(dir, `f${i}.csv`);
      writeFileSync(file, text);
      expect(isPlainCsv(file), JSON.stringify(text)).toBe(plain);
    });
  });

  it('stops at a line over the bound, naming its row, without holding more than the bound and a chunk', async () => {
    const file = join(freshDir(), 'long.csv');
    writeFileSync(file, `phone,other\n8615600000001,a\n8615600000002,${'y'.repeat(300_000)}\n8615600000003,c\n`);
    const reader = openRowReader(file, { maxRowBytes: 1000 });
    await expect(
      (async () => {
        for await (const _ of reader.batches());
      })(),
    ).rejects.toThrow(/row 3 is longer than 1000 bytes/);
    // A line exactly at the bound passes; one byte more does not (\r\n does not count).
    const exact = join(freshDir(), 'exact.csv');
    writeFileSync(exact, `phone\r\n${'1'.repeat(10)}\r\n`);
    const lines: string[] = [];
    const { createReadStream } = await import('node:fs');
    for await (const batch of boundedLineBatches(createReadStream(exact, { highWaterMark: 4 }), 10, (n) => new Error(`line ${n}`))) lines.push(...batch);
    expect(lines).toEqual(['phone', '1111111111']);
    await expect(
      (async () => {
        for await (const _ of boundedLineBatches(createReadStream(exact, { highWaterMark: 4 }), 9, (n) => new Error(`line ${n}`)));
      })(),
    ).rejects.toThrow('line 2');
  });
});
