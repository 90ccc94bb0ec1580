import { DelCall, TaskOperate } from 'callbot-contract/facts';
import { type Command, InvalidArgumentError } from 'commander';
import { addConnectionOptions } from '../shared/connection-options.js';
import { positiveInteger } from '../shared/whole-number.js';
import { VERB_EXIT_HELP } from '../shared/exit.js';
import type { VerbRun } from '../shared/io.js';
import { parseTime } from '../shared/time.js';
import { parseStatusList, statusChoices } from '../tasks/status.js';

// `callbot task create|update|start|pause|complete|show|list`: the flags and help of each. The
// work is in tasks/actions.ts, imported when a subcommand runs (it brings in the contract's
// client and validators); `callbot task … --help` loads only this and the spec's status names.

const integer = (value: string): number => {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
};

const dialHours = (value: string): [string, string] => {
  const match = /^\s*(\S+)\s*-\s*(\S+)\s*$/.exec(value);
  if (!match) throw new InvalidArgumentError('give the window as HH:MM-HH:MM, e.g. 09:00-18:00');
  return [match[1]!, match[2]!];
};

// taskCreateSetting.dialAtWeekDay is a string (the spec's Choice: "1,2,3,4,5", ascending, each
// once): the flag takes the numbers in any order and spacing and sends that one form. The range
// (1 Monday … 7 Sunday) is the spec's pattern, checked with the rest of the body.
const weekdays = (value: string): string => {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part))) throw new InvalidArgumentError('give weekday numbers separated by commas, e.g. 1,2,3,4,5');
  return [...new Set(parts.map(Number))].sort((a, b) => a - b).join(',');
};

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

const time = (value: string) => parseTime(value);
const timeUntil = (value: string) => parseTime(value, { endOfDay: true });

const actions = () => import('../tasks/actions.js');

/** The settings flags of create and update (each also in the --settings file). */
function addSettingOptions(command: Command): Command {
  return command
    .option('--settings <file>', 'JSON or YAML file with taskCreateSetting and/or funcFlag (the flags below override its fields)')
    .option('--name <text>', 'task name (taskCreateSetting.taskName)')
    .option('--max-call <n>', 'most calls at once (taskCreateSetting.maxCall)', integer)
    .option('--startup-type <n>', 'how the task starts (taskCreateSetting.startupType; the vendor documents no values)', integer)
    .option('--startup-at <time>', 'scheduled start: Unix seconds, 2026-12-01 (UTC) or 2026-12-01T09:00+08:00 (taskCreateSetting.startupAt)', time)
    .option('--dial-hours <from-to>', 'daily dialling window, e.g. 09:00-18:00 (taskCreateSetting.dialAtUpHour / dialAtDownHour)', dialHours)
    .option('--weekdays <list>', 'days on which calls are made, 1 Monday … 7 Sunday, e.g. 1,2,3,4,5 (taskCreateSetting.dialAtWeekDay)', weekdays)
    .option('--strategy <name>', 'dial strategy name, e.g. 默认策略 (taskCreateSetting.strategyName)')
    .option('--route <id>', 'call route (taskCreateSetting.routeID)')
    .option('--task-callback-url <url>', 'where the vendor posts task status changes');
}

const jsonOption = (command: Command) => command.option('--json', 'print one JSON document on stdout (and nothing else there)');

const SETTINGS_HELP = `
Settings file (--settings task.yaml), every field optional, checked against the contract
before anything is sent:
  taskCreateSetting:
    taskName: 账单提醒 2026-12
    maxCall: 10
    dialAtUpHour: "09:00"
    dialAtDownHour: "18:00"
    dialAtWeekDay: "1,2,3,4,5"
  funcFlag:
    roundRedial: true
A problem names the file or flag and the field, e.g.
  task.yaml: taskCreateSetting.dialAtUpHour: must match ^[0-2][0-9]:[0-5][0-9]$ (e.g. "09:00")`;

export function registerTaskCommand(program: Command, run: VerbRun): void {
  const task = program
    .command('task')
    .description('Create, update, start, pause, complete, show and list tasks')
    .addHelpText('after', `\nEach subcommand has its own --help. Connection flags as for \`callbot import\`.\n${VERB_EXIT_HELP}`);

  const create = task
    .command('create')
    .description('Create a task (createTask); add its orders with `callbot import`, then start it')
    .requiredOption('--task <userTaskID>', 'your id for the new task (unique; a UUID is a good choice)')
    .requiredOption('--scene <sceneID>', 'the script template (console: 话术管理 → the template)');
  addSettingOptions(create);
  jsonOption(create);
  addConnectionOptions(create)
    .addHelpText('after', `${SETTINGS_HELP}\n${VERB_EXIT_HELP}`)
    .action(async (flags) => {
      run.exitCode = await (await actions()).createTask(run.io, flags);
    });

  const update = task
    .command('update')
    .description("Change a task's settings (updateTask): only while it is waiting to start or paused, applied after about 5 minutes")
    .requiredOption('--task <userTaskID>', 'the task to change');
  addSettingOptions(update);
  jsonOption(update);
  addConnectionOptions(update)
    .addHelpText(
      'after',
      `
The vendor applies a change only to a task that is waiting to start or paused, and only
after about 5 minutes; a change of phoneEncrypt or of the SMS settings does not apply to
numbers already imported. Only taskCreateSetting and funcFlag can change (not the scene).
${SETTINGS_HELP}
${VERB_EXIT_HELP}`,
    )
    .action(async (flags) => {
      run.exitCode = await (await actions()).updateTask(run.io, flags);
    });

  const statusChange = (name: 'start' | 'pause' | 'complete', description: string) => {
    const command = task.command(name).description(description).requiredOption('--task <userTaskID>', 'the task');
    if (name === 'complete') command.option('--delete-undialed', `also delete the orders not dialled yet (delCall ${DelCall.Delete}): IRREVERSIBLE`);
    jsonOption(command);
    addConnectionOptions(command)
      .addHelpText('after', VERB_EXIT_HELP)
      .action(async (flags) => {
        run.exitCode = await (await actions()).changeTaskStatus(run.io, name, flags);
      });
  };
  statusChange('start', `Start a task (mgrTaskStatus, taskOperate ${TaskOperate.Start})`);
  statusChange('pause', `Pause a running task (mgrTaskStatus, taskOperate ${TaskOperate.Pause})`);
  statusChange(
    'complete',
    `Complete (end) a task for good (mgrTaskStatus, taskOperate ${TaskOperate.Complete}); --delete-undialed also deletes its undialled orders`,
  );

  const show = task.command('show').description('Show one task and its statistics (listTask by userTaskID)').requiredOption('--task <userTaskID>', 'the task');
  jsonOption(show);
  addConnectionOptions(show)
    .addHelpText('after', VERB_EXIT_HELP)
    .action(async (flags) => {
      run.exitCode = await (await actions()).showTask(run.io, flags);
    });

  const list = task
    .command('list')
    .description('List tasks (listTask): one page, or every page with --all')
    .option('--status <list>', `only tasks in these states, names or numbers, comma-separated (${statusChoices()})`, parseStatusList)
    .option('--name <text>', 'only tasks with this name (the vendor matches loosely); repeatable', repeatable)
    .option('--scene <sceneID>', 'only tasks of this script template')
    .option('--task <userTaskID>', 'only this task; repeatable', repeatable)
    .option('--since <time>', 'created at or after: Unix seconds, 2026-11-01 (UTC) or 2026-11-01T09:00+08:00', time)
    .option('--until <time>', 'created at or before (a date alone: to its end)', timeUntil)
    .option('--all', 'read every page (a progress line on a terminal)')
    .option('--page <n>', 'the page to show (from 1)', positiveInteger, 1)
    .option('--size <n>', 'tasks per page (the vendor publishes no maximum: ask for 100 or fewer)', positiveInteger, 100)
    .option('--max-tasks <n>', 'with --all: stop after this many tasks', positiveInteger, 10_000);
  jsonOption(list);
  addConnectionOptions(list)
    .addHelpText('after', VERB_EXIT_HELP)
    .action(async (flags, command: Command) => {
      if (flags.all && command.getOptionValueSource('page') === 'cli') command.error("error: option '--page <n>' cannot be used with option '--all'");
      run.exitCode = await (await actions()).listTasks(run.io, flags);
    });
}
