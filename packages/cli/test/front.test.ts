import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from 'callbot-mock';
import { DEMO_ACCOUNT, RetCodes, retCodesWithOutcome } from 'callbot-contract';
import { importCommand, registerImportCommand, type ImportFlags } from '../src/commands/import.js';
import { runInProcess, testIo } from './support/run-in-process.js';
import { EXIT_CODES_HELP } from '../src/import/exit-codes.js';
import { fromRoot } from 'callbot-test-kit/paths';
import { startMock, stopMocks } from './support/mock-server.js';
import { readReport } from './support/report.js';
import { freshDir } from './support/run-cli.js';
import { startStandInVendor } from './support/stand-in-vendor.js';

// `callbot import`'s front, in this process: the real commander definition parses the
// arguments, importCommand runs the engine and draws and prints onto a recording IO (not
// a TTY, as when stdout is redirected). What a user reads, and the exit code.

const EXAMPLE = fromRoot('packages', 'cli', 'examples', 'call-list.csv');
const BAD_ROWS = fromRoot('packages', 'cli', 'test', 'fixtures', 'bad-rows.csv');

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(stopMocks);

let taskCounter = 0;
const newTask = (label: string) => `front-${label}-${process.pid}-${(taskCounter += 1)}`;

/** The flags commander gives the action for `callbot import ARGS` (defaults included). */
function parse(args: string[]): { file: string; flags: ImportFlags } {
  const program = new Command().exitOverride();
  registerImportCommand(program, { io: testIo().io, exitCode: 0 });
  let parsed: { file: string; flags: ImportFlags } | undefined;
  program.commands
    .find((c) => c.name() === 'import')!
    .exitOverride()
    .action((file: string, flags: ImportFlags) => {
      parsed = { file, flags };
    });
  program.parse(['import', ...args], { from: 'user' });
  return parsed!;
}

/** `callbot import ARGS` through the front, with the report in a fresh directory unless given. */
async function callbotImport(args: string[], env: Record<string, string> = {}) {
  const report = join(freshDir(), 'report.csv');
  const { file, flags } = parse([...args, ...(args.includes('--report') ? [] : ['--report', report])]);
  const test = testIo({ env });
  const code = await importCommand(file, flags, test.io);
  return { code, stdout: test.stdout(), stderr: test.stderr(), report };
}

describe('callbot import, the front', () => {
  it('prints the steps on stderr and the message and the table on stdout (exit 0)', async () => {
    const run = await callbotImport([EXAMPLE, '--task', newTask('clean'), '--base-url', mock.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^sending as ${DEMO_ACCOUNT.uuid} \\(the mock's demo account\\) to ${mock.url.replaceAll('.', '\\.')}$`, 'm'));
    expect(run.stderr).toMatch(/^reading call-list\.csv…\n {2}5 rows read, 5 valid, 0 invalid \([\d.]+ s\)$/m);
    expect(run.stderr).toMatch(/^preparing 5 orders \(JSON, signature, gzip\)…\n {2}ready \([\d.]+ s\)\nsending…\n {2}imported: 5 of 5 orders accepted/m);
    expect(run.stderr).toContain(`report: ${run.report}`);
    expect(run.stdout).toMatch(
      /^operation: importBatchCall \(the list replaces the task's undialed numbers\)\nimported: 5 of 5 orders accepted \(responseID .+\)\n {2}accepted +5\n {2}-+\n {2}total +5\nreport: .+\n$/,
    );
  });

  it("a list inside node_modules (the quick start's sample): its report goes to the current folder, never into the package, and says so", async () => {
    const cwd = freshDir();
    const examples = join(cwd, 'node_modules', 'callbot-cli', 'examples');
    mkdirSync(examples, { recursive: true });
    writeFileSync(join(examples, 'bad-rows.csv'), readFileSync(BAD_ROWS));
    const run = await runInProcess(['import', 'node_modules/callbot-cli/examples/bad-rows.csv', '--task', newTask('nm'), '--base-url', mock.url], { cwd });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('node_modules/callbot-cli/examples/bad-rows.csv is inside node_modules: a report goes to the current folder instead');
    expect(readdirSync(examples)).toEqual(['bad-rows.csv']);
    const reports = readdirSync(cwd).filter((f) => f.startsWith('callbot-report-'));
    expect(reports).toHaveLength(1);
    expect(run.stdout).toContain(`report: ${join(realpathSync(cwd), reports[0]!)}`);
  });

  it('rows the vendor refuses one by one are listed with its reason on stderr (a re-run of the same list), up to --max-problems (exit 2)', async () => {
    const task = newTask('again');
    expect((await callbotImport([EXAMPLE, '--task', task, '--create-task', '--scene', 'scene-1001', '--base-url', mock.url])).code).toBe(0);
    const again = await callbotImport([EXAMPLE, '--task', task, '--append', '--base-url', mock.url, '--max-problems', '3']);
    expect(again.code).toBe(2);
    const refused = again.stderr.split('\n').filter((line) => line.startsWith('  refused row '));
    expect(refused).toHaveLength(3);
    for (const line of refused) expect(line).toMatch(/^ {2}refused row \d+: orderID "[^"]+" is already in the task$/);
    expect(again.stderr).toContain('  … and 2 more refused by the vendor (all are in the report)');
    const json = await callbotImport([EXAMPLE, '--task', task, '--append', '--base-url', mock.url, '--json']);
    const summary = JSON.parse(json.stdout) as { refused: { row: number; message: string }[] };
    expect(summary.refused.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    // A batch refused whole (the task exists already): its one message says why, no row lines.
    const whole = await callbotImport([EXAMPLE, '--task', task, '--create-task', '--scene', 'scene-1001', '--base-url', mock.url]);
    expect(whole.stderr).toMatch(/refused the whole batch/);
    expect(whole.stderr).not.toContain('refused row');
  });

  it('lists the invalid rows on stderr, up to --max-problems, and says how to go on (exit 3)', async () => {
    const run = await callbotImport([BAD_ROWS, '--task', newTask('bad'), '--base-url', mock.url, '--max-problems', '3']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^ {2}invalid row 3: phone is empty$/m);
    expect(run.stderr).toMatch(/^ {2}invalid row 4: .*characters other than digits/m);
    expect(run.stderr).toMatch(/^ {2}invalid row 5: .*not a valid number for country code \+1/m);
    expect(run.stderr).not.toMatch(/invalid row 6/);
    expect(run.stderr).toMatch(/^ {2}… and 4 more invalid rows \(all are in the report\)$/m);
    expect(run.stdout).toMatch(/nothing sent: 7 of 9 rows are invalid .* use --skip-invalid to send the 2 valid rows\./);
    expect(run.stdout).toMatch(/rejected-locally +7/);
  });

  it('counts down "batch import in progress (1001)" and says when it sends again', async () => {
    const busy = await startMock([{ kind: 'in-progress', times: 1 }]);
    const run = await callbotImport([EXAMPLE, '--task', newTask('in-progress'), '--base-url', busy.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^batch import in progress \(1001\), retrying in \d+s…\nsending again \(attempt 2\)$/m);
  });

  it('--json: one document on stdout, with the exit code and the first problems', async () => {
    const task = newTask('json');
    const run = await callbotImport([BAD_ROWS, '--task', task, '--base-url', mock.url, '--skip-invalid', '--json']);
    expect(run.code, run.stderr).toBe(2);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual([
      'file',
      'userTaskID',
      'operation',
      'baseUrl',
      'dryRun',
      'outcome',
      'exitCode',
      'message',
      'rows',
      'counts',
      'vendorCounts',
      'perRowDetail',
      'requestID',
      'responseID',
      'retCode',
      'attempts',
      'report',
      'problems',
      'refused',
      'warnings',
    ]);
    expect(summary).toMatchObject({
      userTaskID: task,
      operation: 'importBatchCall',
      outcome: 'imported',
      exitCode: 2,
      rows: 9,
      retCode: 0,
      attempts: 1,
      perRowDetail: true,
      report: run.report,
    });
    expect((summary.problems as unknown[]).length).toBe(7);
  });

  it('a usage error: the message on stderr, and with --json a short document (exit 1)', async () => {
    const run = await callbotImport([EXAMPLE, '--task', newTask('usage'), '--base-url', 'https://nxbot.nxcloud.com', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^callbot import: no credentials for https:\/\/nxbot\.nxcloud\.com/);
    expect(JSON.parse(run.stdout)).toEqual({ outcome: 'usage-error', exitCode: 1, message: expect.stringMatching(/^no credentials/) });
  });

  it("a failure after the batch was sent: the requestID and the report's fate on stderr (exit 4)", async () => {
    // The report's directory passes the check before sending, then becomes a file while the
    // request is at the vendor: writing the report fails after the batch was imported.
    const dir = freshDir();
    const reportDir = join(dir, 'out');
    mkdirSync(reportDir);
    const vendor = await startStandInVendor(() => {
      rmSync(reportDir, { recursive: true });
      writeFileSync(reportDir, 'not a directory any more');
      return { retCode: 0, retMsg: 'success', responseID: 'resp-2', totalCount: 5, successCount: 5 };
    });
    try {
      const run = await callbotImport([EXAMPLE, '--task', newTask('crash'), '--base-url', vendor.url, '--report', join(reportDir, 'report.csv'), '--json']);
      expect(run.code, run.stderr).toBe(4);
      const requestID = String(vendor.requests[0]!.headers.requestid);
      expect(run.stderr).toMatch(/callbot import: failed after the batch was sent: .*ENOTDIR/);
      expect(run.stderr).toContain(`check the task before sending again (requestID ${requestID})`);
      expect(run.stderr).toMatch(/the report .* could not be written \(ENOTDIR\)/);
      // The results are not lost: they are in a file in the temp folder, named on stderr and in the JSON.
      const fallbackReport = /the results are in (\S+\.csv)/.exec(run.stderr)?.[1];
      expect(JSON.parse(run.stdout)).toEqual({
        outcome: 'unknown',
        exitCode: 4,
        message: expect.stringMatching(/^failed after the batch was sent: /),
        requestID,
        fallbackReport,
      });
      expect(readReport(fallbackReport!).map((l) => l.status)).toEqual(Array(5).fill('accepted'));
      rmSync(fallbackReport!);
    } finally {
      await vendor.close();
    }
  });

  it("passes the terminal's environment to the engine (credentials from env, secret masked)", async () => {
    const run = await callbotImport([EXAMPLE, '--task', newTask('env'), '--base-url', mock.url, '--dry-run'], {
      CALLBOT_UUID: 'someone',
      CALLBOT_SECRET_KEY: 'not-the-demo-secret',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^sending as someone \(secret <secretKey, 19 chars> from env\) to http:\/\/127\.0\.0\.1:\d+ — dry run, nothing will be sent$/m);
    expect(run.stdout + run.stderr).not.toContain('not-the-demo-secret');
  });
});

describe('callbot import --help', () => {
  it("names the codes the client sends again from the contract's table, and the exit codes by outcome class", () => {
    const program = new Command();
    registerImportCommand(program, { io: testIo().io, exitCode: 0 });
    const maxAttempts = program.commands[0]!.options.find((option) => option.long === '--max-attempts')!;
    expect(maxAttempts.description).toContain(`(retCode ${retCodesWithOutcome('not-processed').join(', ')}, refused connection;`);
    for (const outcome of ['"refused"', '"not-processed"', '"unknown"']) expect(EXIT_CODES_HELP).toContain(outcome);
    for (const { code } of Object.values(RetCodes)) {
      if (code > 4) expect(EXIT_CODES_HELP).not.toMatch(new RegExp(`\\b${code}\\b`)); // 0-4 are the exit codes themselves
    }
  });
});
