import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from 'callbot-mock';
import { DEMO_ACCOUNT, RetCodes } from 'callbot-contract';
import { exitCodeFor, runImport, type ImportEvent, type ImportIO, type ImportRequest } from '../src/index.js';
import { jsonBytes } from '../src/import/batch-body.js';
import { startMock, stopMocks } from './support/mock-server.js';
import { mockBatches, readReport } from './support/report.js';
import { freshDir, runCli } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';
import { holdForever, startStandInVendor, waitForRequests } from './support/stand-in-vendor.js';

// The findings of the adversarial review of `callbot import` (issue 9: 1, 8, 9, 10, 11), in
// process: the engine (runImport) with injected io, the command as a process where only a
// process shows it (a raw stack, what reaches stdout).

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(stopMocks);

let taskCounter = 0;
const newTask = (label: string) => `hardening-${label}-${process.pid}-${(taskCounter += 1)}`;

const writeList = (name: string, text: string | Buffer, dir = freshDir()) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const FOUR = 'phone,name\n8615600008001,甲\n8615600008002,乙\n8615600008003,丙\n8615600008004,丁\n';

async function importList(file: string, task: string, baseUrl: string, request: Partial<ImportRequest> = {}, io: ImportIO = {}) {
  const report = request.report ?? join(freshDir(), 'report.csv');
  const events: ImportEvent[] = [];
  const summary = await runImport(
    { file, userTaskID: task, ...request, report, connection: { baseUrl, ...request.connection } },
    {
      env: {},
      ...io,
      onEvent: (event) => {
        events.push(event);
        io.onEvent?.(event);
      },
    },
  );
  return { summary, events, report, exitCode: exitCodeFor(summary) };
}

/** A folder no file can be created in: a read-only one, or for root (who writes anywhere) /sys (Linux). */
function unwritableDir(): string {
  const dir = freshDir();
  chmodSync(dir, 0o555);
  try {
    writeFileSync(join(dir, 'probe'), '');
  } catch {
    return dir; // not root: the read-only folder is unwritable
  }
  return '/sys';
}

/** No message may echo more than a short excerpt (80 characters) of what the file holds. */
const expectNoLongEcho = (text: string, filler: string) => {
  expect(text).not.toContain(filler.repeat(81));
};

describe('finding 1: the report is safe before the first byte goes out', () => {
  it('when the request leaves, the report on disk already lists every row unknown with its requestID', async () => {
    const file = writeList('list.csv', FOUR);
    const report = join(freshDir(), 'report.csv');
    let seen: ReturnType<typeof readReport> | undefined;
    let sentID: string | null = null;
    const run = await importList(
      file,
      newTask('journal'),
      mock.url,
      { report },
      {
        fetch: async (input, init) => {
          sentID = (input instanceof Request ? input.headers : new Headers(init?.headers)).get('requestID');
          seen = readReport(report);
          return globalThis.fetch(input, init);
        },
      },
    );
    expect(run.exitCode, run.summary.message).toBe(0);
    expect(sentID).toMatch(/^[0-9a-f]{32}$/);
    expect(seen?.map((l) => [l.row, l.status])).toEqual([
      [2, 'unknown'],
      [3, 'unknown'],
      [4, 'unknown'],
      [5, 'unknown'],
    ]);
    for (const line of seen!) expect(line.reason).toContain(sentID!);
    // …and after the answer the real outcome replaces it.
    expect(readReport(report).map((l) => l.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(readdirSync(join(report, '..'))).toEqual(['report.csv']); // written beside it, renamed: no temporary file left
  });

  it('invalid rows keep their rejected-locally line in that report; only the rows sent are unknown', async () => {
    const file = writeList('list.csv', 'phone,name\n8615600008101,甲\n12345,bad\n8615600008103,丙\n');
    const report = join(freshDir(), 'report.csv');
    let seen: ReturnType<typeof readReport> | undefined;
    const run = await importList(
      file,
      newTask('journal-skip'),
      mock.url,
      { report, skipInvalid: true },
      {
        fetch: async (input, init) => {
          seen = readReport(report);
          return globalThis.fetch(input, init);
        },
      },
    );
    expect(run.exitCode, run.summary.message).toBe(2);
    expect(seen?.map((l) => [l.row, l.status])).toEqual([
      [2, 'unknown'],
      [3, 'rejected-locally'],
      [4, 'unknown'],
    ]);
  });

  it('retries add their requestIDs: an unknown row names every requestID sent for it', async () => {
    let calls = 0;
    const vendor = await startStandInVendor(() => {
      calls += 1;
      return calls === 1
        ? { retCode: RetCodes.BatchImportInProgress.code, retMsg: 'in progress', responseID: 'resp-a' }
        : { retCode: RetCodes.InternalServerError.code, retMsg: 'internal', responseID: 'resp-b' };
    });
    try {
      const run = await importList(writeList('list.csv', FOUR), newTask('retry-ids'), vendor.url);
      expect(run.summary).toMatchObject({ outcome: 'unknown', attempts: 2 });
      const [first, second] = vendor.requests.map((r) => String(r.headers.requestid));
      expect(first).not.toBe(second);
      for (const line of readReport(run.report)) {
        expect(line.status).toBe('unknown');
        expect(line.reason).toContain(first!);
        expect(line.reason).toContain(second!);
      }
    } finally {
      await vendor.close();
    }
  });

  it('aborted while reading (io.signal): nothing sent, no report left behind, outcome not-sent', async () => {
    const vendor = await startStandInVendor(holdForever);
    try {
      const lines = ['phone,name'];
      for (let i = 0; i < 3000; i += 1) lines.push(`86157${String(i).padStart(8, '0')},n${i}`);
      const file = writeList('list.csv', `${lines.join('\n')}\n`);
      const controller = new AbortController();
      const run = await importList(
        file,
        newTask('abort-read'),
        vendor.url,
        {},
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'step' && event.step === 'read') controller.abort();
          },
        },
      );
      expect(run.summary).toMatchObject({ outcome: 'not-sent', interrupted: 'before-send' });
      expect(run.summary.message).toMatch(/interrupted before sending: nothing was sent/);
      expect(run.events.some((e) => e.type === 'attempt')).toBe(false);
      expect(run.events).toContainEqual({ type: 'interrupted', phase: 'before-send' });
      expect(vendor.requests).toHaveLength(0);
      expect(existsSync(run.report)).toBe(false);
      expect(readdirSync(join(run.report, '..'))).toEqual([]);
    } finally {
      await vendor.close();
    }
  });

  it('aborted while preparing (the pre-send report is written): nothing sent; a report it created is removed, one it replaced says not-sent', async () => {
    const vendor = await startStandInVendor(holdForever);
    try {
      for (const existing of [false, true]) {
        const report = join(freshDir(), 'report.csv');
        if (existing) writeFileSync(report, 'an earlier report\n');
        const controller = new AbortController();
        const run = await importList(
          writeList('list.csv', FOUR),
          newTask('abort-prepare'),
          vendor.url,
          { report },
          {
            signal: controller.signal,
            onEvent: (event) => {
              if (event.type === 'step' && event.step === 'prepare') controller.abort();
            },
          },
        );
        expect(run.summary).toMatchObject({ outcome: 'not-sent', interrupted: 'before-send' });
        if (existing) expect(readReport(report).map((l) => [l.status, l.reason])).toEqual(Array(4).fill(['not-sent', 'not sent: interrupted before sending']));
        else expect(readdirSync(join(report, '..'))).toEqual([]);
      }
      expect(vendor.requests).toHaveLength(0);
    } finally {
      await vendor.close();
    }
  });

  it('aborted while sending: waits interruptGraceMs for the answer, then resolves unknown (exit 4) with the requestID', async () => {
    const vendor = await startStandInVendor(holdForever);
    try {
      const controller = new AbortController();
      const started = Date.now();
      const pending = importList(writeList('list.csv', FOUR), newTask('abort-send'), vendor.url, { interruptGraceMs: 200 }, { signal: controller.signal });
      await waitForRequests(vendor);
      controller.abort();
      const run = await pending;
      const requestID = String(vendor.requests[0]!.headers.requestid);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(run.summary).toMatchObject({ outcome: 'unknown', interrupted: 'sending', requestID, report: run.report });
      expect(run.exitCode).toBe(4);
      expect(run.events).toContainEqual({ type: 'interrupted', phase: 'sending', requestIDs: [requestID], report: run.report, graceMs: 200 });
      expect(readReport(run.report).map((l) => l.status)).toEqual(Array(4).fill('unknown'));
    } finally {
      await vendor.close();
    }
  });

  it('aborted while waiting to send again after "batch import in progress": the attempt was not processed, so not-sent', async () => {
    const vendor = await startStandInVendor(() => ({ retCode: RetCodes.BatchImportInProgress.code, retMsg: 'in progress', responseID: 'resp-busy' }));
    try {
      const controller = new AbortController();
      const run = await importList(
        writeList('list.csv', FOUR),
        newTask('abort-retry'),
        vendor.url,
        {},
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'retry') controller.abort();
          },
        },
      );
      expect(vendor.requests).toHaveLength(1);
      const requestID = String(vendor.requests[0]!.headers.requestid);
      expect(run.summary).toMatchObject({ outcome: 'not-sent', interrupted: 'before-send' });
      const report = readReport(run.report);
      expect(report.map((l) => l.status)).toEqual(Array(4).fill('not-sent'));
      for (const line of report) expect(line.reason).toContain(requestID);
    } finally {
      await vendor.close();
    }
  });
});

describe('finding 8: bounded input, short excerpts, the body size checked before sending', () => {
  it('a CSV record over maxRowBytes stops the reading with an error naming the row, quoting at most 80 characters', async () => {
    const header = `phone,${'h'.repeat(3000)}`;
    const file = writeList('wide.csv', `${header}\n8615600008201,x\n`);
    const run = await importList(file, newTask('wide-header'), mock.url, { maxRowBytes: 1000 });
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.exitCode).toBe(1);
    expect(run.summary.message).toMatch(/row 1 .*longer than 1000 bytes/);
    expect(run.summary.message).toMatch(/--max-row-bytes/);
    expectNoLongEcho(run.summary.message, 'h');
  });

  it('the default bound (64 KiB) stops a single-line file of 100 KB at row 1', async () => {
    const file = writeList('one-line.csv', 'z'.repeat(100_000));
    const run = await importList(file, newTask('one-line'), mock.url);
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(/row 1 .*longer than 65536 bytes/);
    expectNoLongEcho(run.summary.message, 'z');
  });

  it('a data row over the bound is named by its row number', async () => {
    const file = writeList('long-row.csv', `phone,name\n8615600008301,甲\n8615600008302,${'y'.repeat(2000)}\n8615600008303,丙\n`);
    const run = await importList(file, newTask('long-row'), mock.url, { maxRowBytes: 500 });
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(/row 3 .*longer than 500 bytes/);
    expectNoLongEcho(run.summary.message, 'y');
  });

  it('a JSON line over the bound is named by its line number, without reading it whole', async () => {
    const file = writeList('long.jsonl', `{"phone":"8615600008401"}\n{"phone":"8615600008402","name":"${'q'.repeat(5000)}"}\n`);
    const run = await importList(file, newTask('long-jsonl'), mock.url, { maxRowBytes: 1000 });
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(/line 2 .*longer than 1000 bytes/);
    expectNoLongEcho(run.summary.message, 'q');
  });

  it('messages about a row quote at most 80 characters of what it holds', async () => {
    const file = writeList(
      'echo.csv',
      [
        'phone,name,order_id',
        `${'7'.repeat(300)}x,a,o-1`, // a phone that is not one
        `8615600008501,b,${'k'.repeat(300)}`,
        `8615600008502,c,${'k'.repeat(300)}`, // duplicate orderID
      ].join('\n'),
    );
    const run = await importList(file, newTask('echo'), mock.url);
    expect(run.summary.problems.map((p) => p.row)).toEqual([2, 4]);
    for (const problem of run.summary.problems) {
      expectNoLongEcho(problem.message, '7');
      expectNoLongEcho(problem.message, 'k');
    }
    const jsonl = writeList('echo.jsonl', `{"phone": "8615600008503", ${'"w":1,'.repeat(100)} oops\n`);
    const bad = await importList(jsonl, newTask('echo-jsonl'), mock.url);
    expect(bad.summary.problems).toHaveLength(1);
    expect(bad.summary.problems[0]!.message.length).toBeLessThan(300);
    const header = writeList('no-phone.csv', `name,${Array.from({ length: 100 }, (_, i) => `column${i}`).join(',')}\n甲,x\n`);
    const noPhone = await importList(header, newTask('echo-header'), mock.url);
    expect(noPhone.summary.message).toMatch(/no phone column/);
    expect(noPhone.summary.message.length).toBeLessThan(300);
  });

  it('a body over maxBodyBytes is refused before sending, naming the limit and the row that breaks it (exit 3)', async () => {
    const rows = ['phone,name'];
    for (let i = 0; i < 10; i += 1) rows.push(`86156000086${String(i).padStart(2, '0')},${'名'.repeat(40)}`);
    const file = writeList('heavy.csv', `${rows.join('\n')}\n`);
    const task = newTask('body-limit');
    // The envelope (an empty callList) is about 210 bytes and each order 253 (a 36-character
    // orderID, a 13-digit phone, 40 three-byte characters) plus a comma: 3 orders fit in 1,200,
    // the 4th (row 5) passes it.
    const run = await importList(file, task, mock.url, { maxBodyBytes: 1200 });
    expect(run.summary.outcome).toBe('not-sent');
    expect(run.exitCode).toBe(3);
    expect(run.summary.message).toMatch(/over the limit of 1200 bytes \(--max-body-bytes\)/);
    expect(run.summary.message).toMatch(/row 5\b/);
    expect(run.events.some((e) => e.type === 'attempt')).toBe(false);
    expect(await mockBatches(mock.url, task)).toEqual([]);
    const report = readReport(run.report);
    expect(report.map((l) => l.status)).toEqual(Array(10).fill('not-sent'));
    expect(report[0]!.reason).toMatch(/not sent: the body would be \d+ bytes, over the limit of 1200/);
  });

  it('one order with a huge name is refused locally, not sent to meet a "too many orders" answer', async () => {
    const file = writeList('huge-name.csv', `phone,name\n8615600008701,${'长'.repeat(20_000)}\n`);
    const task = newTask('huge-name');
    const run = await importList(file, task, mock.url, { maxBodyBytes: 16_384 });
    expect(run.summary.outcome).toBe('not-sent');
    expect(run.summary.message).toMatch(/row 2\b/);
    expect(await mockBatches(mock.url, task)).toEqual([]);
  });

  it("counts the body's bytes exactly as JSON.stringify writes them, without building the text", () => {
    const values: unknown[] = [
      '',
      'plain',
      '张伟',
      '😀 emoji',
      'quote " and \\ backslash',
      'control \u0001\n\t',
      'lone \ud800 surrogate',
      '\udc00',
      '\u2028',
      [],
      ['a', undefined, 'b'],
      {},
      { a: 'x', skipped: undefined, n: 12.5, t: true, z: null, nested: { list: [{ name: 'n', value: 'v' }] } },
      { orderID: 'o-1', userPhone: '8615600000000', other: '', userName: '王秀英', customerName: '华南物流', params: [{ name: 'amount', value: '1.5' }] },
    ];
    for (const value of values) expect(jsonBytes(value), JSON.stringify(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it('the measured body size is the size of the body a dry run builds', async () => {
    const file = writeList('list.csv', FOUR);
    const dry = await importList(file, newTask('measure'), mock.url, { dryRun: true });
    const exact = dry.summary.bodyBytes!;
    expect(exact).toBeGreaterThan(100);
    expect((await importList(file, newTask('measure'), mock.url, { dryRun: true, maxBodyBytes: exact })).summary.outcome).toBe('dry-run');
    expect((await importList(file, newTask('measure'), mock.url, { dryRun: true, maxBodyBytes: exact - 1 })).summary.outcome).toBe('not-sent');
  });
});

describe('finding 9: the report never replaces a link, an input or the config file', () => {
  it('refuses a --report that is a symbolic link, leaving its target as it was', async () => {
    const dir = freshDir();
    const target = writeList('precious.txt', 'precious\n', dir);
    const link = join(dir, 'report.csv');
    symlinkSync(target, link);
    const run = await importList(writeList('list.csv', FOUR), newTask('symlink'), mock.url, { report: link, dryRun: true });
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(/--report .*report\.csv is a symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    // A dangling link is refused too (it would create its target).
    const dangling = join(dir, 'dangling.csv');
    symlinkSync(join(dir, 'nowhere.csv'), dangling);
    const again = await importList(writeList('list.csv', FOUR), newTask('symlink'), mock.url, { report: dangling, dryRun: true });
    expect(again.summary.outcome).toBe('usage-error');
    expect(existsSync(join(dir, 'nowhere.csv'))).toBe(false);
  });

  it('refuses the config file as the report, under any name (the same path, a hard link, another spelling, CALLBOT_CONFIG)', async () => {
    const dir = freshDir();
    const configText = JSON.stringify({ uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey });
    const config = writeList('cfg.json', configText, dir);
    linkSync(config, join(dir, 'hard.json'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync(dir, join(dir, 'sub', 'up'));
    const file = writeList('list.csv', FOUR);
    for (const report of [config, join(dir, 'hard.json'), `${dir}/sub/../cfg.json`, join(dir, 'sub', 'up', 'cfg.json')]) {
      const run = await importList(file, newTask('config-report'), mock.url, { report, connection: { config } });
      expect(run.summary.outcome, report).toBe('usage-error');
      expect(run.summary.message).toMatch(/--report .* is the config file/);
      expect(readFileSync(config, 'utf8'), report).toBe(configText);
    }
    const viaEnv = await importList(file, newTask('config-report'), mock.url, { report: join(dir, 'hard.json') }, { env: { CALLBOT_CONFIG: config } });
    expect(viaEnv.summary.outcome).toBe('usage-error');
    expect(readFileSync(config, 'utf8')).toBe(configText);
  });

  it("callbot import --report cfg.json --config cfg.json: exit 1, the secret's file untouched", async () => {
    const dir = freshDir();
    const configText = JSON.stringify({ uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey });
    writeList('cfg.json', configText, dir);
    writeList('list.csv', FOUR, dir);
    const run = await runInProcess(
      ['import', 'list.csv', '--task', newTask('cfg-cli'), '--base-url', mock.url, '--report', 'cfg.json', '--config', 'cfg.json'],
      {
        cwd: dir,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is the config file/);
    expect(readFileSync(join(dir, 'cfg.json'), 'utf8')).toBe(configText);
  });
});

describe('finding 10: results are never lost when the report cannot be written', () => {
  it.runIf(existsSync('/dev/full'))('report /dev/full after sending: the results go to a fallback file in the temp folder that the summary names', async () => {
    const task = newTask('dev-full');
    const run = await importList(writeList('list.csv', FOUR), task, mock.url, { report: '/dev/full' });
    expect(await mockBatches(mock.url, task)).toHaveLength(1);
    expect(run.summary.outcome).toBe('unknown');
    expect(run.exitCode).toBe(4);
    const failure = run.summary.failedAfterSend!;
    expect(failure).toMatchObject({ reportPath: '/dev/full', reportError: 'ENOSPC' });
    expect(failure.fallbackReport?.startsWith(tmpdir())).toBe(true);
    expect(readReport(failure.fallbackReport!).map((l) => l.status)).toEqual(Array(4).fill('accepted'));
    expect(run.summary.message).toContain(failure.fallbackReport!);
    rmSync(failure.fallbackReport!);
  });

  it.runIf(existsSync('/dev/full'))('callbot import --report /dev/full: stderr names the fallback file holding the results', async () => {
    const dir = freshDir();
    writeList('list.csv', FOUR, dir);
    const run = await runInProcess(['import', 'list.csv', '--task', newTask('dev-full-cli'), '--base-url', mock.url, '--report', '/dev/full'], { cwd: dir });
    expect(run.code, run.stderr).toBe(4);
    const fallback = /results? (?:are|is) in (\S+\.csv)/.exec(run.stderr)?.[1];
    expect(fallback, run.stderr).toBeDefined();
    expect(readReport(fallback!).map((l) => l.status)).toEqual(Array(4).fill('accepted'));
    rmSync(fallback!);
  });

  it.runIf(existsSync('/dev/full'))('callbot import --report /dev/full with nothing to send: one line, exit 1, no stack', async () => {
    const dir = freshDir();
    writeList('list.csv', FOUR, dir);
    const run = await runInProcess(['import', 'list.csv', '--task', newTask('dev-full-dry'), '--base-url', mock.url, '--report', '/dev/full', '--dry-run'], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stderr).toMatch(/^callbot import: cannot write the report \/dev\/full \(ENOSPC\); nothing was sent; the report is in (\S+\.csv)$/m);
    rmSync(/the report is in (\S+\.csv)/.exec(run.stderr)![1]!);
  });

  it('an unwritable directory before sending: one line, exit 1, nothing sent', async () => {
    const dir = unwritableDir();
    const vendor = await startStandInVendor(holdForever);
    try {
      const cwd = freshDir();
      writeList('list.csv', FOUR, cwd);
      const run = await runInProcess(['import', 'list.csv', '--task', newTask('ro-dir'), '--base-url', vendor.url, '--report', join(dir, 'report.csv')], {
        cwd,
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^callbot import: cannot write the report .*report\.csv \(E[A-Z]+\)/);
      expect(vendor.requests).toHaveLength(0);
    } finally {
      await vendor.close();
    }
  });

  it('when neither the report nor a copy in the temp folder can be written after sending, the results are printed on stdout as CSV', async () => {
    // The report's folder becomes a file while the request is at the stand-in vendor, and the
    // temp folder (TMPDIR) cannot be written.
    const cwd = freshDir();
    writeList('list.csv', FOUR, cwd);
    const reportDir = join(cwd, 'out');
    mkdirSync(reportDir);
    const vendor = await startStandInVendor(() => {
      rmSync(reportDir, { recursive: true });
      writeFileSync(reportDir, 'not a folder any more');
      return { retCode: 0, retMsg: 'success', responseID: 'resp-3', totalCount: 4, successCount: 4 };
    });
    try {
      // In-process: the temp folder is the IO's TMPDIR.
      const run = await runInProcess(
        ['import', 'list.csv', '--task', newTask('nowhere'), '--base-url', vendor.url, '--report', join(reportDir, 'report.csv')],
        {
          cwd,
          env: { TMPDIR: unwritableDir() },
        },
      );
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).toMatch(/the results follow on stdout, as CSV/);
      const csv = run.stdout.slice(run.stdout.indexOf('\ufeffrow,'));
      const report = join(freshDir(), 'printed.csv');
      writeFileSync(report, csv);
      expect(readReport(report).map((l) => [l.row, l.status])).toEqual([
        [2, 'accepted'],
        [3, 'accepted'],
        [4, 'accepted'],
        [5, 'accepted'],
      ]);
    } finally {
      await vendor.close();
    }
  });
});

describe('finding 11: UTF-16 files, credentials from two places, a request that never left', () => {
  const utf16 = (text: string, order: 'le' | 'be', bom: boolean) => {
    const le = Buffer.from(`${bom ? '\ufeff' : ''}${text}`, 'utf16le');
    if (order === 'le') return le;
    const be = Buffer.alloc(le.length);
    for (let i = 0; i + 1 < le.length; i += 2) {
      be[i] = le[i + 1]!;
      be[i + 1] = le[i]!;
    }
    return be;
  };

  it.each([
    ['le', true],
    ['le', false],
    ['be', true],
    ['be', false],
  ] as const)('refuses a UTF-16%s file (BOM: %s) and says to save it as CSV UTF-8', async (order, bom) => {
    const file = writeList('list.csv', utf16(FOUR, order, bom));
    const run = await importList(file, newTask('utf16'), mock.url);
    expect(run.summary.outcome).toBe('usage-error');
    expect(run.summary.message).toMatch(new RegExp(`UTF-16${order.toUpperCase()}`));
    expect(run.summary.message).toMatch(/save it as "CSV UTF-8"/);
    expect(run.summary.message).not.toContain('\u0000');
    const jsonl = writeList('list.jsonl', utf16('{"phone":"8615600008801"}\n', order, bom));
    expect((await importList(jsonl, newTask('utf16'), mock.url)).summary.message).toMatch(/UTF-16/);
  });

  it('names the source of the uuid and of the secret, and warns when they differ', async () => {
    const file = writeList('list.csv', FOUR);
    const run = await importList(
      file,
      newTask('mixed'),
      mock.url,
      { dryRun: true, connection: { uuid: DEMO_ACCOUNT.uuid } },
      { env: { CALLBOT_SECRET_KEY: DEMO_ACCOUNT.secretKey } },
    );
    const connection = run.events.find((e) => e.type === 'connection');
    expect(connection).toMatchObject({ uuidFrom: 'flag', secretFrom: 'env' });
    expect(connection && 'message' in connection && connection.message).toMatch(/\(uuid from flag, secret <secretKey, \d+ chars> from env\)/);
    const warning = run.events.find((e) => e.type === 'warning');
    expect(warning && 'message' in warning && warning.message).toMatch(
      /the uuid \(from --uuid\) and the secret key \(from CALLBOT_SECRET_KEY\) come from different places/,
    );
    // The same source: one source named, no warning.
    const same = await importList(
      file,
      newTask('same'),
      mock.url,
      { dryRun: true },
      { env: { CALLBOT_UUID: DEMO_ACCOUNT.uuid, CALLBOT_SECRET_KEY: DEMO_ACCOUNT.secretKey } },
    );
    expect(same.events.some((e) => e.type === 'warning')).toBe(false);
  });

  it("a config file's secret paired with another uuid from a flag is named as such", async () => {
    const config = writeList('cfg.json', JSON.stringify({ uuid: 'config-uuid', secretKey: 'config-secret' }));
    const run = await importList(writeList('list.csv', FOUR), newTask('mixed-config'), mock.url, { dryRun: true, connection: { uuid: 'flag-uuid', config } });
    const warning = run.events.find((e) => e.type === 'warning');
    expect(warning && 'message' in warning && warning.message).toMatch(/--config .* names another uuid \(config-uuid\)/);
    expect(JSON.stringify(run.events)).not.toContain('config-secret');
  });

  it('a request that never left the machine (bad port 1) is not sent: exit 3, every row not-sent', async () => {
    const run = await importList(writeList('list.csv', FOUR), newTask('bad-port'), 'http://127.0.0.1:1');
    expect(run.summary.outcome).toBe('not-sent');
    expect(run.exitCode).toBe(3);
    expect(run.summary.message).toMatch(/BAD_PORT/);
    expect(readReport(run.report).map((l) => l.status)).toEqual(Array(4).fill('not-sent'));
    const cli = await runInProcess([
      'import',
      writeList('list.csv', FOUR),
      '--task',
      newTask('bad-port-cli'),
      '--base-url',
      'http://127.0.0.1:1',
      '--report',
      join(freshDir(), 'r.csv'),
    ]);
    expect(cli.code, cli.stderr).toBe(3);
  });
});
