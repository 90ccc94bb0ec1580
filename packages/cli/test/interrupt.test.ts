import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readReport } from './support/report.js';
import { freshDir, spawnCli, type LiveCli } from './support/run-cli.js';
import { holdForever, startStandInVendor, waitForRequests, type StandInVendor } from './support/stand-in-vendor.js';

// `callbot import` stopped while the batch is on its way (issue 9, finding 1), as a real process
// against a stand-in vendor that holds its answer: the batch has reached the "vendor", whose
// answer never comes. Whatever stops the command — Ctrl-C, SIGTERM, SIGKILL, running out of
// memory — the report on disk already lists every sent row as `unknown` with the requestID,
// and a signal it can catch makes it say so and exit 4 ("outcome unknown").

const ROWS = ['phone,name', '8615600007001,甲', '8615600007002,乙', '8615600007003,丙', '8615600007004,丁'];

let vendor: StandInVendor | undefined;
let live: LiveCli | undefined;
afterEach(async () => {
  if (live && live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
  await vendor?.close();
  vendor = undefined;
  live = undefined;
});

/** `callbot import` of a 4-row list into a stand-in vendor that holds its answer, until the request has arrived. */
async function importUntilTheRequestArrives(extra: string[] = []) {
  vendor = await startStandInVendor(holdForever);
  const dir = freshDir();
  const file = join(dir, 'list.csv');
  writeFileSync(file, `${ROWS.join('\n')}\n`);
  const report = join(dir, 'report.csv');
  live = spawnCli(['import', file, '--task', `interrupt-${process.pid}`, '--base-url', vendor.url, '--report', report, ...extra], { cwd: dir });
  await waitForRequests(vendor);
  const requestID = String(vendor.requests[0]!.headers.requestid);
  expect(requestID).toMatch(/^[0-9a-f]{32}$/);
  return { dir, report, requestID, live, vendor };
}

const expectEveryRowUnknown = (report: string, requestID: string) => {
  const lines = readReport(report);
  expect(lines.map((l) => [l.row, l.status])).toEqual([
    [2, 'unknown'],
    [3, 'unknown'],
    [4, 'unknown'],
    [5, 'unknown'],
  ]);
  for (const line of lines) expect(line.reason).toContain(requestID);
};

describe('callbot import stopped while sending (a real process, a vendor that holds its answer)', () => {
  it('SIGINT after the request arrived: prints the requestID, waits the grace period, exits 4; the report has every row unknown', async () => {
    const run = await importUntilTheRequestArrives(['--interrupt-grace-ms', '300']);
    run.live.child.kill('SIGINT');
    const ended = await run.live.done;
    expect(ended.code, ended.stderr).toBe(4);
    expect(ended.stderr).toContain(run.requestID);
    expect(ended.stderr).toMatch(/interrupted \(SIGINT\) while sending/);
    expect(ended.stderr).toMatch(/check the task .*before sending again/i);
    expectEveryRowUnknown(run.report, run.requestID);
    expect(readdirSync(run.dir).sort()).toEqual(['list.csv', 'report.csv']); // no temporary files left
  });

  it('SIGTERM is handled the same way (exit 4, the requestID on stderr)', async () => {
    const run = await importUntilTheRequestArrives(['--interrupt-grace-ms', '300']);
    run.live.child.kill('SIGTERM');
    const ended = await run.live.done;
    expect(ended.code, ended.stderr).toBe(4);
    expect(ended.stderr).toContain(run.requestID);
    expectEveryRowUnknown(run.report, run.requestID);
  });

  it('SIGKILL after the request arrived: the report on disk already lists every row unknown with the requestID', async () => {
    const run = await importUntilTheRequestArrives();
    run.live.child.kill('SIGKILL');
    const ended = await run.live.done;
    expect(ended.signal).toBe('SIGKILL');
    expectEveryRowUnknown(run.report, run.requestID);
  });

  it('a second SIGINT exits at once (exit 4), the report already safe', async () => {
    const run = await importUntilTheRequestArrives(['--interrupt-grace-ms', '60000']);
    run.live.child.kill('SIGINT');
    await run.live.waitForStderr(/interrupt again/i);
    const second = Date.now();
    run.live.child.kill('SIGINT');
    const ended = await run.live.done;
    expect(ended.code, ended.stderr).toBe(4);
    expect(ended.exitedAt - second).toBeLessThan(5000); // not the 60 s grace period
    expect(ended.stderr).toContain(run.requestID);
    expectEveryRowUnknown(run.report, run.requestID);
  });

  it('the answer arriving within the grace period is used: the real outcome, the real exit code', async () => {
    let release: (answer: Record<string, unknown>) => void = () => {};
    vendor = await startStandInVendor(
      () =>
        new Promise((resolve) => {
          release = resolve;
        }),
    );
    const dir = freshDir();
    const file = join(dir, 'list.csv');
    writeFileSync(file, `${ROWS.join('\n')}\n`);
    const report = join(dir, 'report.csv');
    live = spawnCli(['import', file, '--task', `interrupt-late-${process.pid}`, '--base-url', vendor.url, '--report', report], { cwd: dir });
    await waitForRequests(vendor);
    live.child.kill('SIGINT');
    await live.waitForStderr(/interrupt again/i);
    release({ retCode: 0, retMsg: 'success', responseID: 'resp-late', totalCount: 4, successCount: 4 });
    const ended = await live.done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(readReport(report).map((l) => l.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });
});

describe('callbot import stopped before sending', () => {
  it('SIGTERM while reading: exits promptly (143), nothing sent, no report left behind', async () => {
    vendor = await startStandInVendor(holdForever);
    const dir = freshDir();
    const file = join(dir, 'big.csv');
    // About 2.4 MB: reading and checking it takes long enough to be stopped midway.
    const lines = ['phone,name,other'];
    for (let i = 0; i < 40_000; i += 1) lines.push(`86157${String(i).padStart(8, '0')},客户${i},note ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const report = join(dir, 'report.csv');
    live = spawnCli(['import', file, '--task', `interrupt-early-${process.pid}`, '--base-url', vendor.url, '--report', report], { cwd: dir });
    await live.waitForStderr('reading big.csv');
    live.child.kill('SIGTERM');
    const ended = await live.done;
    expect(ended.stderr).not.toMatch(/^sending…$/m);
    expect(ended.code, ended.stderr).toBe(143);
    expect(ended.stderr).toMatch(/interrupted \(SIGTERM\) before sending: nothing was sent/);
    expect(vendor.requests).toHaveLength(0);
    expect(existsSync(report)).toBe(false);
    expect(readdirSync(dir)).toEqual(['big.csv']);
  });
});

describe('callbot import killed while sending, without --report: the pre-send report is beside the input', () => {
  it.each([
    ['importBatchCall', []],
    ['addBatchCall', ['--append']],
    ['createAndCall', ['--create-task', '--scene', 'scene-1']],
  ])(
    '%s: SIGKILL after the request arrived leaves a report beside the input with every row unknown, none in the working directory',
    async (operation, flags) => {
      vendor = await startStandInVendor(holdForever);
      const dir = freshDir();
      const file = join(dir, 'list.csv');
      writeFileSync(file, `${ROWS.join('\n')}\n`);
      const cwd = freshDir();
      live = spawnCli(['import', file, '--task', `killed-${process.pid}`, ...flags, '--base-url', vendor.url], { cwd });
      await waitForRequests(vendor);
      // (the stand-in records no path: createAndCall is told by its sceneID)
      expect('sceneID' in vendor.requests[0]!.body).toBe(operation === 'createAndCall');
      const requestID = String(vendor.requests[0]!.headers.requestid);
      live.child.kill('SIGKILL');
      await live.done;
      const [report, ...others] = readdirSync(dir).filter((name) => name !== 'list.csv');
      expect(others).toEqual([]);
      expect(report).toMatch(/^callbot-report-killed-\d+-\d{8}-\d{6}\.csv$/);
      expectEveryRowUnknown(join(dir, report!), requestID);
      expect(readdirSync(cwd)).toEqual([]);
    },
  );
});
