import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from 'callbot-mock';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { fromRoot } from 'callbot-test-kit/paths';
import { startMock, stopMocks } from './support/mock-server.js';
import { mockBatches, readReport } from './support/report.js';
import { freshDir, runCli } from './support/run-cli.js';

// The built package as users run it: the `callbot` bin as a process (its exit codes, stdout and
// stderr, its environment), and the library entry by its package name. The behaviour in detail
// is tested in process (engine.test.ts, front.test.ts); the mock here runs in this process.

const EXAMPLE = fromRoot('packages', 'cli', 'examples', 'call-list.csv');
const BAD_ROWS = fromRoot('packages', 'cli', 'test', 'fixtures', 'bad-rows.csv');
const version = (JSON.parse(readFileSync(fromRoot('packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(stopMocks);

let taskCounter = 0;
const execFileAsync = promisify(execFile);
const newTask = (label: string) => `smoke-${label}-${process.pid}-${(taskCounter += 1)}`;

describe('the callbot bin', () => {
  it.each(['listen --help', '--help', 'sign --help'])(
    'a reader that goes away (`callbot %s | true`): exit 0 without a word on stderr (no EPIPE stack trace), as export does',
    async (line) => {
      const args = line.split(' ');
      const dir = freshDir();
      const errors = join(dir, 'stderr.txt');
      const quoted = [process.execPath, fromRoot('packages', 'cli', 'dist', 'cli.js'), ...args].map((a) => `'${a}'`).join(' ');
      // `true` exits at once: the command's first write finds no reader (EPIPE).
      const { stdout } = await execFileAsync('bash', ['-c', `${quoted} 2>'${errors}' | true; echo "\${PIPESTATUS[0]}"`]);
      expect(stdout.trim()).toBe('0');
      expect(readFileSync(errors, 'utf8')).toBe('');
    },
  );

  it('--version prints the package version; import --help lists every flag and the exit codes', async () => {
    const [versionRun, help] = await Promise.all([runCli(['--version']), runCli(['import', '--help'])]);
    expect(versionRun.code).toBe(0);
    expect(versionRun.stdout.trim()).toBe(version);
    expect(help.code).toBe(0);
    for (const flag of ['--task', '--skip-invalid', '--dry-run', '--report', '--json', '--max-attempts', '--config']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('\nExit codes:\n');
    for (const code of [0, 1, 2, 3, 4]) expect(help.stdout).toMatch(new RegExp(`^ {2}${code} {2}\\S`, 'm'));
    expect(help.stdout).toMatch(/^ {2}4 {2}outcome unknown/m);
  });

  it('imports the sample list; a fully accepted import leaves no report, in the working directory or beside the input (exit 0)', async () => {
    const dir = freshDir();
    const inputDir = freshDir();
    const input = join(inputDir, 'call-list.csv');
    copyFileSync(EXAMPLE, input);
    const task = newTask('clean');
    const run = await runCli(['import', input, '--task', task, '--base-url', mock.url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/accepted\s+5/);
    expect(run.stdout).toMatch(/total\s+5/);
    expect(run.stdout).toMatch(/^no report written \(every row accepted; --report PATH writes one anyway\)$/m);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(inputDir)).toEqual(['call-list.csv']);
    expect(await mockBatches(mock.url, task)).toHaveLength(1);
  });

  it('writes the report beside the input when a row is not accepted, and says where (exit 2)', async () => {
    const dir = freshDir();
    const inputDir = freshDir();
    const input = join(inputDir, 'bad-rows.csv');
    copyFileSync(BAD_ROWS, input);
    const task = newTask('beside');
    const run = await runCli(['import', input, '--task', task, '--base-url', mock.url, '--skip-invalid'], { cwd: dir });
    expect(run.code, run.stderr).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    const report = readdirSync(inputDir).find((name) => name !== 'bad-rows.csv');
    expect(report).toMatch(new RegExp(`^callbot-report-${task}-\\d{8}-\\d{6}\\.csv$`));
    expect(run.stdout).toContain(`report: ${join(inputDir, report!)}`);
    expect(readReport(join(inputDir, report!)).map((l) => l.status)).toContain('rejected-locally');
  });

  it('four imports of one list into one task run at the same time leave four reports, each named in its own output', async () => {
    const inputDir = freshDir();
    const input = join(inputDir, 'bad-rows.csv');
    copyFileSync(BAD_ROWS, input);
    const task = newTask('together');
    // Started together, they mostly land in the same second: the same default name, taken once
    // (O_EXCL), the others numbered -2, -3, …
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['import', input, '--task', task, '--base-url', mock.url, '--skip-invalid'])));
    const reports = readdirSync(inputDir).filter((name) => name !== 'bad-rows.csv');
    expect(reports).toHaveLength(4);
    for (const name of reports) expect(name).toMatch(new RegExp(`^callbot-report-${task}-\\d{8}-\\d{6}(-[2-4])?\\.csv$`));
    const named = runs.map((run) => /^report: (.+)$/m.exec(run.stdout)?.[1]);
    expect(new Set(named)).toEqual(new Set(reports.map((name) => join(inputDir, name))));
    for (const name of reports) expect(readReport(join(inputDir, name))).toHaveLength(9);
  });

  it("--json prints one JSON document on stdout whose exitCode is the process's, without progress bars", async () => {
    const dir = freshDir();
    const task = newTask('json');
    const run = await runCli(['import', EXAMPLE, '--task', task, '--base-url', mock.url, '--report', join(dir, 'r.csv'), '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ outcome: 'imported', exitCode: run.code, userTaskID: task, rows: 5, retCode: 0, attempts: 1, report: join(dir, 'r.csv') });
    expect(summary.requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(run.stderr).not.toMatch(/\[[█░=\- ]+\]/); // no bars
    expect(run.stderr).toMatch(/^sending…$/m); // plain progress lines instead
  });

  it('exits 3 on invalid rows, listing them on stderr', async () => {
    const dir = freshDir();
    const run = await runCli(['import', BAD_ROWS, '--task', newTask('bad'), '--base-url', mock.url, '--report', join(dir, 'r.csv')], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/invalid row 7: duplicate phone 8615600000001: also on row 2/);
    expect(run.stdout).toMatch(/--skip-invalid/);
  });

  it('exits 1 on a usage error: the demo account never leaves loopback', async () => {
    const dir = freshDir();
    const run = await runCli(['import', EXAMPLE, '--task', newTask('prod'), '--base-url', 'https://nxbot.nxcloud.com'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^callbot import: no credentials for https:\/\/nxbot\.nxcloud\.com/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exits 4 on an unverifiable answer, with credentials from the environment, never printing the secret', async () => {
    const dir = freshDir();
    const secret = 'a-very-distinctive-wrong-secret-0123456789';
    const run = await runCli(['import', EXAMPLE, '--task', newTask('wrong-secret'), '--base-url', mock.url, '--report', join(dir, 'r.csv')], {
      cwd: dir,
      env: { CALLBOT_UUID: DEMO_ACCOUNT.uuid, CALLBOT_SECRET_KEY: secret },
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/secret <secretKey, 42 chars> from env/);
    expect(run.stdout).toMatch(/says the signature is wrong: a wrong secret key or algorithm is the likely cause.*callbot sign/s);
    expect(`${run.stdout}${run.stderr}${readFileSync(join(dir, 'r.csv'), 'utf8')}`).not.toContain('a-ve');
  });

  it('CALLBOT_LOG=debug: the client logs one line per attempt on stderr (never the secret); stdout stays the JSON summary', async () => {
    const dir = freshDir();
    const run = await runCli(['import', EXAMPLE, '--task', newTask('log'), '--base-url', mock.url, '--json'], { cwd: dir, env: { CALLBOT_LOG: 'debug' } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'imported' });
    expect(run.stderr).toMatch(/^callbot op=importBatchCall attempt=1 requestID=\S+ status=200 retCode=0 ms=\d+ result=ok$/m);
    expect(run.stderr).not.toContain(DEMO_ACCOUNT.secretKey);
  });

  it('exits 1 on a flag commander refuses', async () => {
    const run = await runCli(['import', EXAMPLE, '--task', 't', '--max-batch-size', 'lots']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--max-batch-size.*must be a whole number of at least 1/);
  });
});

describe('the library entry, by package name (dist/)', () => {
  it('exports runImport and exitCodeFor, which import without a process', async () => {
    const { runImport, exitCodeFor, EXIT } = await import('callbot-cli');
    const dir = freshDir();
    const summary = await runImport({ file: EXAMPLE, userTaskID: newTask('entry'), report: join(dir, 'r.csv'), connection: { baseUrl: mock.url } });
    expect(summary).toMatchObject({ outcome: 'imported', counts: { accepted: 5 } });
    expect(exitCodeFor(summary)).toBe(EXIT.allAccepted);
  });
});
