import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT, RetCodes } from 'callbot-contract';
import { startFakeVendor, type FakeVendor, type ReceivedRequest } from 'callbot-test-kit/fake-vendor';
import { listTasks } from '../src/tasks/actions.js';
import { freshDir, runCli } from './support/run-cli.js';
import { runInProcess, testIo } from './support/run-in-process.js';

// `callbot task …` as users run it (the built bin, a process), against a loopback stand-in for
// the vendor that records every request, checks its signature and answers signed: what is sent
// (path, body, signature), what is printed (stdout, stderr, --json) and the exit code.

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(DEMO_ACCOUNT);
});
afterAll(() => vendor.close());
beforeEach(() => {
  vendor.received.length = 0;
  vendor.script({ answer: success() });
});

const success = (extra: Record<string, unknown> = {}) => ({ retCode: 0, retMsg: 'success', responseID: 'resp-task-1', ...extra });
const task = (args: string[], options: { cwd?: string } = {}) => runInProcess(['task', ...args, '--base-url', vendor.url], options);
const sent = (request: ReceivedRequest | undefined) => JSON.parse(request!.json) as Record<string, any>;
const operation = (request: ReceivedRequest | undefined) => request!.path.replace('/callcentre/api/v3/', '');

const stat = { answerOrderCount: 42, finishOrderCount: 80, totalOrderCount: 100, finishRate: 0.8, totalAnswerCall: 45, totalCall: 130, answerRate: 0.35 };
const taskItem = (userTaskID: string, taskStatus = 2) => ({
  userTaskID,
  taskID: `id-${userTaskID}`,
  sceneID: 'scene-7',
  taskStatus,
  createTs: 1764000000,
  taskStat: stat,
});

describe('callbot task create', () => {
  it('sends one signed createTask with the ids and the settings flags in their fields', async () => {
    const run = await task([
      'create',
      '--task',
      'task-a',
      '--scene',
      'scene-7',
      '--name',
      '账单提醒 12月',
      '--max-call',
      '5',
      '--dial-hours',
      '09:00-18:30',
      '--weekdays',
      '1,2,3',
      '--startup-at',
      '2026-12-01T09:00+08:00',
      '--task-callback-url',
      'https://example.com/task',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(vendor.received).toHaveLength(1);
    expect(operation(vendor.received[0])).toBe('createTask');
    expect(vendor.received[0]!.signatureValid).toBe(true);
    expect(sent(vendor.received[0])).toEqual({
      productID: 'callbot',
      userTaskID: 'task-a',
      sceneID: 'scene-7',
      taskCreateSetting: {
        taskName: '账单提醒 12月',
        maxCall: 5,
        dialAtUpHour: '09:00',
        dialAtDownHour: '18:30',
        dialAtWeekDay: '1,2,3',
        startupAt: 1796086800,
      },
      // createTask takes the task callback URL at the top of its body (the spec's Choice).
      taskCallbackUrl: 'https://example.com/task',
    });
    expect(run.stdout).toContain('created task task-a');
  });

  it('takes taskCreateSetting and funcFlag from a YAML settings file, a flag overriding its field', async () => {
    const dir = freshDir();
    const file = join(dir, 'task.yaml');
    writeFileSync(
      file,
      'taskCreateSetting:\n  taskName: from file\n  maxCall: 3\n  dialAtUpHour: 08:30\nfuncFlag:\n  roundRedial: true\n  phoneEncrypt: false\n',
    );
    const run = await task(['create', '--task', 'task-b', '--scene', 's', '--settings', file, '--max-call', '9', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(sent(vendor.received[0])).toEqual({
      productID: 'callbot',
      userTaskID: 'task-b',
      sceneID: 's',
      // YAML 1.2: 08:30 stays the string the contract wants.
      taskCreateSetting: { taskName: 'from file', maxCall: 9, dialAtUpHour: '08:30' },
      funcFlag: { roundRedial: true, phoneEncrypt: false },
    });
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ userTaskID: 'task-b', done: 'created', attempts: 1, answer: { retCode: 0, responseID: 'resp-task-1' } });
    expect(json.requestID).toBe(vendor.received[0]!.headers.requestid);
  });

  it('a settings file that breaks the contract: every problem named by file (or flag) and field, nothing sent, exit 1', async () => {
    const dir = freshDir();
    const file = join(dir, 'bad.yaml');
    // The vendor's own createTask example spells the key "dialAtUpHour " (trailing space).
    writeFileSync(file, 'taskCreateSetting:\n  "dialAtUpHour ": "09:00"\n  dialAtDownHour: 6pm\nfuncFlag:\n  roundRedial: "yes"\n');
    const run = await task(['create', '--task', 'task-c', '--scene', 's', '--settings', file, '--max-call', '-1', '--json']);
    expect(run.code).toBe(1);
    expect(vendor.received).toHaveLength(0);
    const problems = run.stderr.split('\n').filter((line) => line.startsWith('  '));
    expect(problems).toEqual(
      expect.arrayContaining([
        `  ${file}: "taskCreateSetting.dialAtUpHour ": is not a field of the contract`,
        `  ${file}: taskCreateSetting.dialAtDownHour: must match ^[0-2][0-9]:[0-5][0-9]$ (e.g. "18:00")`,
        `  ${file}: funcFlag.roundRedial: must be boolean (e.g. true)`,
        '  --max-call: taskCreateSetting.maxCall: must be >= 0',
      ]),
    );
    expect(run.stderr).toContain('nothing was sent');
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ exitCode: 1, error: { kind: 'usage' } });
    expect(json.error.problems).toHaveLength(4);
  });

  it("--weekdays sends the contract's one form (a string, sorted, each day once); a day outside 1-7 or the old array form is refused naming the form", async () => {
    const sorted = await task(['create', '--task', 'task-w', '--scene', 's', '--weekdays', ' 5, 1,3,1 ']);
    expect(sorted.code, sorted.stderr).toBe(0);
    expect(sent(vendor.received[0])).toMatchObject({ taskCreateSetting: { dialAtWeekDay: '1,3,5' } });

    // 0 was Sunday in the contract's integer array; the string's Choice is ISO 1 (Monday) … 7 (Sunday).
    const sunday0 = await task(['create', '--task', 'task-w0', '--scene', 's', '--weekdays', '0,6']);
    expect(sunday0.code).toBe(1);
    expect(sunday0.stderr).toContain('  --weekdays: taskCreateSetting.dialAtWeekDay: must match ^[1-7](,[1-7]){0,6}$ (e.g. "1,2,3,4,5")');

    const file = join(freshDir(), 'old.yaml');
    writeFileSync(file, 'taskCreateSetting:\n  dialAtWeekDay: [1, 2, 3]\n');
    const old = await task(['create', '--task', 'task-w1', '--scene', 's', '--settings', file]);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain(`  ${file}: taskCreateSetting.dialAtWeekDay: must be string (e.g. "1,2,3,4,5")`);
    expect(vendor.received).toHaveLength(1);
  });

  it('a settings file that does not parse, or has keys a settings file does not hold: named, nothing sent', async () => {
    const dir = freshDir();
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'taskCreateSetting:\n  maxCall: [1,\n');
    const json = join(dir, 'settings.json');
    writeFileSync(json, '{"taskCreateSetting": {"maxCall": 2},}');
    const stray = join(dir, 'stray.json');
    writeFileSync(stray, '{"userTaskID": "other", "taskCreateSetting": {}}');
    const runs = await Promise.all(
      [broken, json, stray, join(dir, 'missing.yaml')].map((file) => task(['create', '--task', 't', '--scene', 's', '--settings', file])),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(1);
    expect(runs[0]!.stderr).toMatch(new RegExp(`--settings ${broken}: is not valid YAML: .* at line 3, column 1`));
    expect(runs[1]!.stderr).toContain(`--settings ${json}: is not valid JSON (at position 37`);
    expect(runs[2]!.stderr).toContain(`--settings ${stray}: unknown key "userTaskID" (a settings file holds taskCreateSetting and funcFlag`);
    expect(runs[3]!.stderr).toContain('cannot read it (ENOENT)');
    expect(vendor.received).toHaveLength(0);
  });

  it('a refusal names the retCode, its message from the contract and its hint, with the ids to quote (exit 3)', async () => {
    vendor.script({ answer: { retCode: RetCodes.PermissionDenied.code, retMsg: '用户没有权限', responseID: 'resp-refused' } });
    const run = await task(['create', '--task', 'task-d', '--scene', 's', '--json']);
    expect(run.code).toBe(3);
    expect(vendor.received).toHaveLength(1); // refused: never sent again
    const info = RetCodes.PermissionDenied;
    expect(run.stderr).toContain(`the vendor refused it: retCode ${info.code} ${info.name} — ${info.en} (${info.zh})`);
    expect(run.stderr).toContain(info.hint);
    expect(run.stderr).toMatch(/requestID [0-9a-f]{32}, responseID resp-refused \(quote these to the vendor\)/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      exitCode: 3,
      error: { kind: 'refused', retCode: info.code, retCodeName: info.name, hint: info.hint, responseID: 'resp-refused' },
    });
  });
});

describe('callbot task update', () => {
  it('sends updateTask with the settings (the task callback URL inside taskCreateSetting); --help says when the vendor applies it', async () => {
    const run = await task(['update', '--task', 'task-e', '--max-call', '2', '--task-callback-url', 'https://example.com/t']);
    expect(run.code, run.stderr).toBe(0);
    expect(operation(vendor.received[0])).toBe('updateTask');
    expect(sent(vendor.received[0])).toEqual({
      productID: 'callbot',
      userTaskID: 'task-e',
      taskCreateSetting: { maxCall: 2, taskCallbackUrl: 'https://example.com/t' },
    });
    expect(run.stdout).toContain('only to a task that is waiting to start or paused, and after about 5 minutes');
    const help = await runCli(['task', 'update', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/only to a task that is waiting to start or paused, and only after about 5 minutes/);
  });

  it('with no setting at all: a usage error, nothing sent', async () => {
    const run = await task(['update', '--task', 'task-f']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nothing to update');
    expect(vendor.received).toHaveLength(0);
  });
});

describe('callbot task start | pause | complete', () => {
  it('send mgrTaskStatus with taskOperate 1, 2 and 3, and print the status the answer gives', async () => {
    vendor.script({ answer: success({ taskID: '880012', taskStatus: 2 }) });
    const runs = [];
    for (const verb of ['start', 'pause', 'complete']) runs.push(await task([verb, '--task', 'task-g']));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(vendor.received.map(operation)).toEqual(['mgrTaskStatus', 'mgrTaskStatus', 'mgrTaskStatus']);
    expect(vendor.received.map((request) => sent(request))).toEqual([
      { productID: 'callbot', userTaskID: 'task-g', taskOperate: 1 },
      { productID: 'callbot', userTaskID: 'task-g', taskOperate: 2 },
      { productID: 'callbot', userTaskID: 'task-g', taskOperate: 3 },
    ]);
    expect(runs[0]!.stdout).toBe('started task task-g (taskID 880012); its status is now 2 Running.\n');
    // What complete really does (the spec's Choice), not "cannot be started again": `task start` reopens it once orders are added.
    expect(runs[2]!.stderr).toContain('completing task-g: its orders not finished are stopped. Starting it again: the mock allows it once orders are added');
    expect(runs[2]!.stderr).not.toContain('cannot be started again');
  });

  it('complete --delete-undialed sends delCall 1 and warns that it cannot be undone', async () => {
    const run = await task(['complete', '--task', 'task-h', '--delete-undialed', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(sent(vendor.received[0])).toEqual({ productID: 'callbot', userTaskID: 'task-h', taskOperate: 3, delCall: 1 });
    expect(run.stderr).toContain('DELETING its undialed orders (--delete-undialed): neither can be undone');
    expect(JSON.parse(run.stdout)).toMatchObject({ userTaskID: 'task-h', done: 'completed', deletedUndialed: true });
  });

  it('an answer of unknown outcome: not sent again, exit 4, says how to check', async () => {
    vendor.script({ answer: { retCode: RetCodes.InternalServerError.code, retMsg: '服务器内部错误', responseID: 'resp-5001' } });
    const run = await task(['start', '--task', 'task-i']);
    expect(run.code).toBe(4);
    expect(vendor.received).toHaveLength(1);
    expect(run.stderr).toContain('the outcome is unknown');
    expect(run.stderr).toContain('Check with `callbot task show --task task-i` before sending it again.');
  });
});

describe('callbot task show', () => {
  it('asks listTask for that userTaskID and shows exactly that task (the vendor may match loosely)', async () => {
    vendor.script({ answer: success({ taskData: [taskItem('task-j-2', 5), taskItem('task-j')] }) });
    const [table, json] = [await task(['show', '--task', 'task-j']), await task(['show', '--task', 'task-j', '--json'])];
    expect(table.code, table.stderr).toBe(0);
    expect(sent(vendor.received[0])).toEqual({ productID: 'callbot', page: 1, size: 10, queryConditions: { userTaskID: ['task-j'] } });
    expect(table.stdout).toMatch(/^task \(userTaskID\) +task-j$/m);
    expect(table.stdout).toMatch(/^status +2 Running$/m);
    expect(table.stdout).toMatch(/^orders +100 in all, 80 done \(80%\), 42 answered$/m);
    expect(JSON.parse(json.stdout)).toEqual({ task: { ...taskItem('task-j'), taskStatusName: 'Running' }, requestID: vendor.received[1]!.headers.requestid });
  });

  it('no such task: exit 5, nothing on stdout', async () => {
    vendor.script({ answer: success({ taskData: [] }) });
    const run = await task(['show', '--task', 'nobody']);
    expect(run.code).toBe(5);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no task nobody');
  });
});

describe('callbot task list', () => {
  it('turns the filters into queryConditions (status names and numbers, dates in UTC) and prints a table', async () => {
    vendor.script({ answer: success({ taskData: [taskItem('task-k'), taskItem('任务-乙', 5)] }) });
    const run = await task([
      'list',
      '--status',
      'running,5',
      '--status',
      'waiting-to-start',
      '--name',
      'a',
      '--name',
      '账单',
      '--scene',
      'scene-7',
      '--since',
      '2026-11-01',
      '--until',
      '2026-11-30',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(sent(vendor.received[0])).toEqual({
      productID: 'callbot',
      page: 1,
      size: 100,
      queryConditions: { taskStatus: [2, 5, 1], taskName: ['a', '账单'], sceneID: 'scene-7', startTs: 1793491200, endTs: 1796083199 },
    });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TASK +TASK ID +STATUS +SCENE +CREATED +ORDERS DONE +ANSWERED +CALLS$/);
    expect(lines[1]).toMatch(/^task-k +id-task-k +2 Running +scene-7 +2025-11-24 16:00 UTC +80\/100 +42 +130$/);
    // Columns line up in terminal columns: a Chinese character takes two.
    const column = (line: string, text: string) => stringWidth(line.slice(0, line.indexOf(text)));
    expect(column(lines[2]!, 'id-任务-乙')).toBe(column(lines[1]!, 'id-task-k'));
    expect(column(lines[2]!, '5 Paused')).toBe(column(lines[1]!, '2 Running'));
    expect(column(lines[2]!, '5 Paused')).toBe(column(lines[0]!, 'STATUS'));
  });

  it('an unknown status name is a usage error naming the known ones, in three lines', async () => {
    const run = await task(['list', '--status', 'runing']);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `error: option '--status <list>' argument 'runing' is invalid. "runing" is not a task status (known: 1 WaitingToStart, 2 Running, 3 Completed, 4 Ended, 5 Paused)`,
      'Usage: callbot task list [options]',
      'See `callbot task list --help`.',
    ]);
    expect(vendor.received).toHaveLength(0);
  });

  it('--all reads every page with the paging iterator; --json is one document; --max-tasks bounds it', async () => {
    const all = Array.from({ length: 250 }, (_, i) => taskItem(`bulk-${i}`));
    vendor.script({
      kind: 'compute',
      answer: (body) => success({ taskData: all.slice((body.page - 1) * body.size, body.page * body.size) }),
    });
    const run = await task(['list', '--all', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(vendor.received.map((request) => [sent(request).page, sent(request).size])).toEqual([
      [1, 100],
      [2, 100],
      [3, 100],
    ]);
    const json = JSON.parse(run.stdout);
    expect(json.truncated).toBe(false);
    expect(json.tasks.map((t: { userTaskID: string }) => t.userTaskID)).toEqual(all.map((t) => t.userTaskID));

    vendor.received.length = 0;
    const bounded = await task(['list', '--all', '--json', '--max-tasks', '120', '--size', '50']);
    expect(bounded.code, bounded.stderr).toBe(0);
    expect(JSON.parse(bounded.stdout).tasks).toHaveLength(120);
    expect(JSON.parse(bounded.stdout).truncated).toBe(true);
    expect(vendor.received).toHaveLength(3);
    expect(bounded.stderr).toContain('stopped after 120 tasks (--max-tasks)');
  });

  it('--all on a terminal: a progress line on stderr that redraws itself and is cleared at the end; stdout has the table only', async () => {
    const all = Array.from({ length: 30 }, (_, i) => taskItem(`tty-${i}`));
    vendor.script({ kind: 'compute', answer: (body) => success({ taskData: all.slice((body.page - 1) * body.size, body.page * body.size) }) });
    const terminal = testIo({ tty: true });
    const code = await listTasks(terminal.io, { baseUrl: vendor.url, all: true, page: 1, size: 10, maxTasks: 1000 });
    const stderr = terminal.stderr();
    const stdout = terminal.stdout();
    expect(code).toBe(0);
    expect(vendor.received).toHaveLength(4); // three full pages, then an empty one
    expect(stderr).toMatch(/^\r\x1b\[Klisting tasks: 1 so far \(page 1\)/);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(31);
    expect(stdout).not.toContain('\x1b');
  });

  it('no connection: exit 3 after the retries, saying nothing was sent and what to check', async () => {
    const closed = await startFakeVendor(DEMO_ACCOUNT);
    const url = closed.url;
    await closed.close();
    const run = await runInProcess(['task', 'list', '--base-url', url, '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('could not connect (ECONNREFUSED): nothing was sent; trying again in');
    expect(run.stderr).toContain('Check --base-url (CALLBOT_BASE_URL)');
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 3, error: { kind: 'not-sent' } });
  });

  it('--all with --page is a usage error', async () => {
    const run = await task(['list', '--all', '--page', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("'--page <n>' cannot be used with option '--all'");
    expect(vendor.received).toHaveLength(0);
  });
});
