import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchBody, batchInput } from '../src/import/batch-body.js';
import { BatchBuilder } from '../src/import/build-batch.js';
import { mapColumns, MappingError, parseColumnOverrides } from '../src/import/column-mapping.js';
import { maskSecret, resolveApiConnection, resolveConnection } from '../src/shared/credentials.js';
import { isLoopbackUrl } from 'callbot-contract/internal';
import { deriveOrderId } from '../src/import/order-id.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { PhoneNumber } from 'libphonenumber-js/core';
import minMetadata from 'libphonenumber-js/min/metadata';
import { normalisePhone } from '../src/import/phone.js';
import { openRowReader, type SourceRow } from '../src/import/read-rows.js';
import { writeReport } from '../src/import/report.js';
import { csvCell } from '../src/shared/csv-cell.js';
import { claimsBadSignature, retCodeHint, retryReason } from '../src/import/retcode-text.js';
import { RetCodes } from 'callbot-contract';
import { freshDir } from './support/run-cli.js';

// The pieces of `callbot import`, in process: fast, and precise about edge cases.

describe('phone numbers', () => {
  it.each([
    ['8615612345678', '8615612345678'],
    ['+86 156 1234 5678', '8615612345678'],
    ['0086-156-1234-5678', '8615612345678'],
    ['(86) 156.1234.5678', '8615612345678'],
    ['+86 010 1234 5678', '861012345678'], // trunk 0 after the country code: dropped, as E.164 does
    ['+44 20 7183 8750', '442071838750'],
    ['1 202 555 0123', '12025550123'],
  ])('%s → %s', (input, phone) => {
    expect(normalisePhone(input)).toEqual({ ok: true, phone });
  });

  it.each([
    ['', /empty/],
    ['86156abc5678', /characters other than digits/],
    ['013800138000', /must start with its country calling code/],
    // A Chinese mobile without 86 reads as +1 380…: the reason names the fix.
    [
      '13800138000',
      /not a valid number for country code \+1: it looks like a Chinese number without its country code: write it as 8613800138000 \(86 first\)$/,
    ],
    ['120255501', /not a valid number for country code \+1 \(a digit too many or too few, or no country code\?\)$/], // not Chinese either: no guess
    ['8612345', /not a valid number for country code \+86/],
    ['999123456789', /not an international number/],
    ['+44 20 7183 875', /not a valid number for country code \+44/],
  ])('%j is refused', (input, reason) => {
    const result = normalisePhone(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('phone numbers: the compiled-once validity test agrees with libphonenumber-js', () => {
  // phone.ts compiles each numbering plan's pattern once instead of letting isValid() compile it
  // for every number; over numbers of every calling code and many lengths, the verdicts (and the
  // forms given) are those of libphonenumber-js's own isValid() and parse().
  const reference = (digits: string) => {
    try {
      if (new PhoneNumber(`+${digits}`, minMetadata).isValid()) return { ok: true, phone: digits };
    } catch {
      // as phone.ts: parse() says why
    }
    const parsed = parsePhoneNumberFromString(`+${digits}`);
    return parsed?.isValid() ? { ok: true, phone: parsed.number.slice(1) } : { ok: false };
  };
  it('on 10,000 numbers across every calling code', () => {
    const codes = Object.keys(minMetadata.country_calling_codes);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let valid = 0;
    const disagreements: unknown[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const code = codes[Math.floor(random() * codes.length)]!;
      const length = 4 + Math.floor(random() * 10);
      let national = String(1 + Math.floor(random() * 9));
      while (national.length < length) national += String(Math.floor(random() * 10));
      const digits = `${code}${national}`;
      const expected = reference(digits);
      const got = normalisePhone(digits);
      if (got.ok !== expected.ok || (got.ok && got.phone !== expected.phone)) disagreements.push({ digits, got, expected });
      if (got.ok) valid += 1;
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(valid).toBeGreaterThan(1000); // the sample holds valid numbers, not only refusals
  });
});

describe('derived order IDs', () => {
  const order = {
    userPhone: '8615600000000',
    userName: '张伟',
    customerName: '华南物流',
    other: 'crm-1',
    params: [
      { name: 'b', value: '2' },
      { name: 'a', value: '1' },
    ],
  };

  it('are UUIDv5 values anyone can recompute (known answers from Python uuid.uuid5)', () => {
    expect(deriveOrderId('t1', order)).toBe('60823d63-2a32-5b75-b96b-416194d9bd0f');
    expect(deriveOrderId('t2', order)).toBe('6495cb42-0435-5fde-a615-78bf70491d5e');
  });

  it('do not depend on the order of the param columns, but on every value', () => {
    expect(deriveOrderId('t1', { ...order, params: [...order.params].reverse() })).toBe(deriveOrderId('t1', order));
    expect(deriveOrderId('t1', { ...order, other: 'crm-2' })).not.toBe(deriveOrderId('t1', order));
    expect(
      deriveOrderId('t1', {
        ...order,
        params: [
          { name: 'a', value: '1' },
          { name: 'b', value: '3' },
        ],
      }),
    ).not.toBe(deriveOrderId('t1', order));
  });
});

describe('column mapping', () => {
  it('finds fields by header name and aliases, params by param.NAME, and lists the rest as ignored', () => {
    const mapping = mapColumns(['User Phone', '姓名', 'customerName', 'other', 'orderID', 'param.amount', 'notes']);
    expect(mapping.fields).toEqual({ phone: 'User Phone', name: '姓名', customer: 'customerName', other: 'other', order_id: 'orderID' });
    expect(mapping.params).toEqual([{ name: 'amount', column: 'param.amount' }]);
    expect(mapping.ignored).toEqual(['notes']);
  });

  it('--column overrides win, and a missing column is an error', () => {
    const mapping = mapColumns(['phone', 'Mobile', 'Betrag'], parseColumnOverrides(['phone=Mobile', 'param.amount=Betrag']));
    expect(mapping.fields.phone).toBe('Mobile');
    expect(mapping.params).toEqual([{ name: 'amount', column: 'Betrag' }]);
    expect(mapping.ignored).toEqual(['phone']);
    expect(() => mapColumns(['phone'], parseColumnOverrides(['name=Nom']))).toThrow(MappingError);
    expect(() => parseColumnOverrides(['telephone=Mobile'])).toThrow(/FIELD one of/);
  });
});

async function readAll(file: string): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of openRowReader(file).rows()) rows.push(row);
  return rows;
}

describe('reading rows', () => {
  it('numbers CSV rows as a spreadsheet shows them (header = 1, blank lines count, multi-line cells are one row)', async () => {
    const file = join(freshDir(), 'rows.csv');
    writeFileSync(file, '\ufeffphone,other\r\n8615600000001,a\r\n\r\n8615600000002,"x\r\ny"\r\n8615600000003,b\r\n,\r\n8615600000004,c');
    const reader = openRowReader(file);
    const rows: SourceRow[] = [];
    for await (const row of reader.rows()) rows.push(row);
    expect(rows.map((r) => [r.row, r.cells?.[0]])).toEqual([
      [2, '8615600000001'],
      [4, '8615600000002'],
      [5, '8615600000003'],
      [7, '8615600000004'],
    ]);
    expect(rows[1]!.cells?.[1]).toBe('x\r\ny');
    expect(reader.header()).toEqual(['phone', 'other']);
    expect(reader.blankRows()).toBe(2); // the empty line and the "," row: no value at all
  });

  it.each([
    ['phone,name\n8613800138000,"Zhang\n8613800138001,Li\n', 2],
    ['\ufeffphone,name\n8613800138000,"Zhang\n8613800138001,Li\n', 2], // with a BOM
    // after a multi-line cell (lines 2-3) and with CRLF: the quote opened on line 4
    ['phone,name\r\n8613800138000,"Zhang\r\nstill"\r\n8613800138001,"Li\r\n8613800138002,Wang\r\n', 4],
  ])('a quote never closed: names the line it opened on, not where the file ended (%j)', async (text, line) => {
    const file = join(freshDir(), 'open-quote.csv');
    writeFileSync(file, text);
    await expect(readAll(file)).rejects.toThrow(`is not readable CSV: the quote opened on line ${line} is never closed`);
  });

  it('detects a semicolon delimiter and keeps quoted commas', async () => {
    const file = join(freshDir(), 'semi.csv');
    writeFileSync(file, 'phone;name\n8615600000001;"Li, Na"\n');
    expect((await readAll(file))[0]!.cells).toEqual(['8615600000001', 'Li, Na']);
  });

  it('numbers JSON Lines by line and reports lines that are not objects', async () => {
    const file = join(freshDir(), 'rows.jsonl');
    writeFileSync(file, '{"phone":"8615600000001"}\n\n[1,2]\n{not json\n');
    const rows = await readAll(file);
    expect(rows.map((r) => [r.row, r.problem ?? 'ok'])).toEqual([
      [1, 'ok'],
      [3, 'is not a JSON object'],
      [4, expect.stringMatching(/not valid JSON/)],
    ]);
  });
});

describe('building the batch', () => {
  const csv = (row: number, ...cells: string[]): SourceRow => ({ row, cells });
  const json = (row: number, record: Record<string, unknown>): SourceRow => ({ row, record });

  it('rejects later duplicates of a phone or orderID, naming the earlier row', () => {
    const builder = new BatchBuilder({ userTaskID: 't' });
    builder.useHeader(['phone', 'order_id']);
    builder.add(csv(2, '8615600000001', 'a'));
    builder.add(csv(3, '+86 156 0000 0001', 'b'));
    builder.add(csv(4, '8615600000004', 'a'));
    expect(builder.outcomes.map((o) => [o.row, o.status, o.reason])).toEqual([
      [2, 'not-sent', ''],
      [3, 'rejected-locally', 'duplicate phone 8615600000001: also on row 2'],
      [4, 'rejected-locally', 'duplicate orderID a: also on row 2'],
    ]);
    expect(builder.orders).toHaveLength(1);
  });

  it('does not let an invalid row block later valid rows with its phone or orderID', () => {
    // Only rows that will be sent take a phone or orderID: an invalid row is never sent, so a
    // later valid row repeating its phone or orderID is not a duplicate of anything sent.
    const builder = new BatchBuilder({ userTaskID: 't' });
    builder.useHeader(['phone', 'order_id']);
    builder.add(csv(2, '12345', 'a')); // bad phone, orderID a
    builder.add({ row: 3, cells: ['8615600000001', 'b'], problem: 'has 3 fields but the header has 2' }); // valid phone, unreadable row
    builder.add(csv(4, '8615600000004', 'a'));
    builder.add(csv(5, '8615600000001', 'c'));
    builder.add(csv(6, '8615600000001', 'a')); // repeats row 4's orderID and row 5's phone: both sendable
    expect(builder.outcomes.map((o) => [o.row, o.status])).toEqual([
      [2, 'rejected-locally'],
      [3, 'rejected-locally'],
      [4, 'not-sent'],
      [5, 'not-sent'],
      [6, 'rejected-locally'],
    ]);
    expect(builder.outcomes[4]!.reason).toBe('duplicate orderID a: also on row 4');
    expect(builder.orders.map((o) => o.orderID)).toEqual(['a', 'c']);
  });

  it('--allow-duplicate-phones sends both and warns', () => {
    const builder = new BatchBuilder({ userTaskID: 't', allowDuplicatePhones: true });
    builder.useHeader(['phone', 'name']);
    builder.add(csv(2, '8615600000001', 'a'));
    builder.add(csv(3, '8615600000001', 'b'));
    expect(builder.orders).toHaveLength(2);
    expect(builder.warnings).toEqual([{ row: 3, message: expect.stringMatching(/also on row 2/) }]);
  });

  it('flags identical rows by their identical derived orderID', () => {
    const builder = new BatchBuilder({ userTaskID: 't' });
    builder.useHeader(['phone']);
    builder.add(csv(2, '8615600000001'));
    builder.add(csv(3, '8615600000001'));
    expect(builder.outcomes[1]!.reason).toMatch(/same content as row 2/);
  });

  it('refuses a header without a phone column', () => {
    expect(() => new BatchBuilder({ userTaskID: 't' }).useHeader(['name', 'other'])).toThrow(/no phone column/);
  });

  it('checks JSON Lines values against the spec (a param value must be text)', () => {
    const builder = new BatchBuilder({ userTaskID: 't' });
    builder.add(json(1, { phone: '8615600000001', params: { amount: { nested: true } } }));
    builder.add(json(2, { name: 'no phone' }));
    expect(builder.outcomes.map((o) => o.reason)).toEqual([expect.stringMatching(/params.amount must be text/), 'no phone field']);
  });

  it('says so when a file is not UTF-8', () => {
    const builder = new BatchBuilder({ userTaskID: 't' });
    builder.useHeader(['phone', 'name']);
    builder.add(csv(2, '8615600000001', '\ufffd\ufffd'));
    expect(builder.outcomes[0]!.reason).toMatch(/not valid UTF-8/);
  });
});

describe('credentials', () => {
  it('uses the demo account only on loopback', () => {
    expect(resolveConnection({}, {}).usingDemoAccount).toBe(true);
    expect(resolveConnection({ baseUrl: 'http://localhost:4010' }, {}).usingDemoAccount).toBe(true);
    expect(() => resolveConnection({ baseUrl: 'https://nxbot.nxcloud.com' }, {})).toThrow(/no credentials/);
    expect(() => resolveConnection({ baseUrl: 'https://nxbot.nxcloud.com', uuid: 'u', secret: 's' }, {})).toThrow(/--order-callback-url is required/);
    expect(isLoopbackUrl('http://127.0.0.2:1')).toBe(true);
    expect(isLoopbackUrl('http://127.0.0.1.example.com')).toBe(false);
  });

  it('asks for callback URLs only of a verb that sends them: { callbackUrls: false } neither requires nor defaults them', () => {
    const vendor = { baseUrl: 'https://nxbot.nxcloud.com', uuid: 'u', secret: 's' };
    const settings = resolveConnection(vendor, {}, { callbackUrls: false });
    expect(settings).toMatchObject({ baseUrl: 'https://nxbot.nxcloud.com', uuid: 'u', usingDemoAccount: false });
    expect(settings).not.toHaveProperty('orderCallbackUrl');
    expect(settings).not.toHaveProperty('callCallbackUrl');
    expect(resolveApiConnection({}, {})).not.toHaveProperty('orderCallbackUrl');
    expect(resolveConnection({}, {})).toMatchObject({ orderCallbackUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1/) });
    // Credentials are still checked the same way.
    expect(() => resolveApiConnection({ baseUrl: 'https://nxbot.nxcloud.com' }, {})).toThrow(/no credentials/);
  });

  it('takes each value from flag, then environment, then config', () => {
    const dir = freshDir();
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ uuid: 'cfg', secretKey: 'cfg-secret', algorithm: 'SHA256' }));
    const env = { CALLBOT_UUID: 'env', CALLBOT_SECRET_KEY: 'env-secret' };
    expect(resolveConnection({ config }, env)).toMatchObject({ uuid: 'env', secretKey: 'env-secret', algorithm: 'SHA256', credentialsFrom: 'env' });
    expect(resolveConnection({ config, uuid: 'flag', secret: 'flag-secret', algorithm: 'md5' }, env)).toMatchObject({
      uuid: 'flag',
      algorithm: 'MD5',
      credentialsFrom: 'flag',
    });
    expect(() => resolveConnection({ uuid: 'only-uuid' }, {})).toThrow(/without its secret/);
    // No character of the secret: printed next to full signatures, even a few would shrink a brute force.
    expect(maskSecret('u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr')).toBe('<secretKey, 32 chars>');
    expect(maskSecret('short')).toBe('<secretKey, 5 chars>');
  });
});

describe('the batch body', () => {
  it("is built in the client's key order: productID, userTaskID, callInfoList (callbacks before callList)", () => {
    const settings = resolveConnection({}, {});
    const body = batchBody({ operation: 'importBatchCall', userTaskID: 't' }, settings, []);
    expect(Object.keys(body)).toEqual(['productID', 'userTaskID', 'callInfoList']);
    expect(Object.keys(body.callInfoList)).toEqual(['orderCallbackUrl', 'callCallbackUrl', 'callList']);
    expect(JSON.stringify(body)).toBe(JSON.stringify({ productID: 'callbot', ...batchInput({ operation: 'importBatchCall', userTaskID: 't' }, settings, []) }));
    const created = batchBody({ operation: 'createAndCall', userTaskID: 't', newTask: { sceneID: 's', taskName: 'n' } }, settings, []);
    expect(Object.keys(created)).toEqual(['productID', 'userTaskID', 'sceneID', 'taskCreateSetting', 'callInfoList']);
  });
});

describe('the report', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', async () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    const file = join(freshDir(), 'r.csv');
    await writeReport(file, [{ row: 2, phone: '+86 x', orderID: 'o', status: 'rejected-locally', reason: 'a; b' }]);
    expect(readFileSync(file, 'utf8')).toBe('\ufeffrow,phone,orderID,status,reason\n2,\'+86 x,o,rejected-locally,"a; b"\n');
  });
});

describe("what the command says about retCodes (from the contract's table)", () => {
  it("names a retried code by the vendor's English message and its number; a refused connection by its error", () => {
    expect(retryReason(1001, undefined)).toBe('batch import in progress (1001)');
    expect(retryReason(5, undefined)).toBe('server maintenance (5)');
    expect(retryReason(7, undefined)).toBe('system busy (7)');
    expect(retryReason(4242, undefined)).toBe('retCode 4242');
    expect(retryReason(undefined, 'ECONNREFUSED')).toBe('could not connect (ECONNREFUSED)');
  });

  it("hints at what to do with each code's x-callbot-hints, and nothing for a code without one", () => {
    for (const info of Object.values(RetCodes)) {
      const hint = 'hint' in info ? info.hint : undefined;
      expect(retCodeHint(info.code), info.name).toBe(hint ? `\n  ${hint}` : '');
    }
    expect(retCodeHint(4242)).toBe('');
  });

  it('knows the signature codes by name', () => {
    expect(
      Object.values(RetCodes)
        .filter((info) => claimsBadSignature(info.code))
        .map((info) => info.name),
    ).toEqual(['IncorrectSignature', 'MissingSignature']);
    expect(claimsBadSignature(undefined)).toBe(false);
  });
});
