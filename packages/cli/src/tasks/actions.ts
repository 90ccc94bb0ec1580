import { type CallbotClient, DelCall, type ListTaskInput } from 'callbot-contract';
import type { ConnectionFlagValues } from '../shared/connection-options.js';
import { openClient } from '../shared/connection.js';
import { VERB_EXIT, type VerbExitCode } from '../shared/exit.js';
import { NotFoundError, runVerb } from '../shared/failure.js';
import { printJson, type VerbIo } from '../shared/io.js';
import { UsageError } from '../shared/usage-error.js';
import { asText, fields, items } from '../shared/vendor-values.js';
import { buildTaskBody, type SettingFlags } from './settings.js';
import { statusLabel } from './status.js';
import { taskFields, taskJson, taskTable } from './render.js';

// What `callbot task …` does, one function per subcommand; commands/task.ts declares the flags
// and calls these. Each resolves with the exit code; failures are reported by runVerb
// (shared/failure.ts). The client (shared/connection.ts) signs, checks the body against the
// contract before sending, verifies answers and retries what the vendor did not process.

export interface TaskCommonFlags extends ConnectionFlagValues {
  json?: boolean;
}

/** Opens the client lazily, so a usage error found first never needs one. */
const connect = (flags: ConnectionFlagValues, io: VerbIo, verb: string): CallbotClient => openClient(flags, io, verb).client;

/** The vendor's answer without the client's bookkeeping (requestID, attempts), for --json. */
function answerOf<T extends { requestID: string; attempts: number }>(result: T) {
  const { requestID, attempts, ...answer } = result;
  return { requestID, attempts, answer };
}

export function createTask(io: VerbIo, flags: TaskCommonFlags & SettingFlags & { task: string; scene: string }): Promise<VerbExitCode> {
  const verb = 'callbot task create';
  return runVerb(
    io,
    verb,
    Boolean(flags.json),
    async () => {
      const { body } = await buildTaskBody('createTask', { userTaskID: flags.task, sceneID: flags.scene }, flags);
      const result = await connect(flags, io, verb).createTask(body as Parameters<CallbotClient['createTask']>[0]);
      if (flags.json) printJson(io, { userTaskID: flags.task, done: 'created', ...answerOf(result) });
      else
        io.stdout.write(
          `created task ${flags.task} (scene ${flags.scene}). Add orders with \`callbot import FILE --task ${flags.task}\`, then \`callbot task start --task ${flags.task}\`.\n`,
        );
    },
    { checkWith: `callbot task show --task ${flags.task}` },
  );
}

export function updateTask(io: VerbIo, flags: TaskCommonFlags & SettingFlags & { task: string }): Promise<VerbExitCode> {
  const verb = 'callbot task update';
  return runVerb(
    io,
    verb,
    Boolean(flags.json),
    async () => {
      const { body, hasSettings } = await buildTaskBody('updateTask', { userTaskID: flags.task }, flags);
      if (!hasSettings)
        throw new UsageError('nothing to update: give --settings FILE or at least one setting flag (see `callbot task update --help`); nothing was sent');
      const result = await connect(flags, io, verb).updateTask(body as Parameters<CallbotClient['updateTask']>[0]);
      if (flags.json) printJson(io, { userTaskID: flags.task, done: 'updated', ...answerOf(result) });
      else
        io.stdout.write(
          `updated task ${flags.task}. The vendor applies changes only to a task that is waiting to start or paused, and after about 5 minutes.\n`,
        );
    },
    { checkWith: `callbot task show --task ${flags.task}` },
  );
}

export type StatusChange = 'start' | 'pause' | 'complete';
const PAST: Record<StatusChange, string> = { start: 'started', pause: 'paused', complete: 'completed' };

export function changeTaskStatus(io: VerbIo, change: StatusChange, flags: TaskCommonFlags & { task: string; deleteUndialed?: boolean }): Promise<VerbExitCode> {
  const verb = `callbot task ${change}`;
  return runVerb(
    io,
    verb,
    Boolean(flags.json),
    async () => {
      const client = connect(flags, io, verb);
      if (change === 'complete') {
        io.stderr.write(
          flags.deleteUndialed
            ? `${verb}: completing ${flags.task} AND DELETING its undialed orders (--delete-undialed): neither can be undone.\n`
            : `${verb}: completing ${flags.task}: its orders not finished are stopped. Starting it again: the mock allows it once orders are added (--append, or a new import); the vendor's rule is unknown (see the spec's mgrTaskStatus).\n`,
        );
      }
      const result =
        change === 'start'
          ? await client.startTask(flags.task)
          : change === 'pause'
            ? await client.pauseTask(flags.task)
            : await client.completeTask(flags.task, flags.deleteUndialed ? { delCall: DelCall.Delete } : {});
      if (flags.json) {
        printJson(io, {
          userTaskID: flags.task,
          done: PAST[change],
          ...(change === 'complete' ? { deletedUndialed: Boolean(flags.deleteUndialed) } : {}),
          ...answerOf(result),
        });
        return;
      }
      const status = statusLabel(result.taskStatus);
      const now = status ? `; its status is now ${status}` : '';
      const id = result.taskID ? ` (taskID ${asText(result.taskID)})` : '';
      io.stdout.write(`${PAST[change]} task ${flags.task}${id}${now}.\n`);
    },
    { checkWith: `callbot task show --task ${flags.task}` },
  );
}

export function showTask(io: VerbIo, flags: TaskCommonFlags & { task: string }): Promise<VerbExitCode> {
  const verb = 'callbot task show';
  return runVerb(io, verb, Boolean(flags.json), async () => {
    const answer = await connect(flags, io, verb).listTasks({ page: 1, size: 10, queryConditions: { userTaskID: [flags.task] } });
    // The filter is the vendor's; the task shown is the one with exactly this id.
    const task = items(answer.taskData).find((candidate) => fields(candidate).userTaskID === flags.task);
    if (task === undefined) {
      throw new NotFoundError(
        `no task ${flags.task}: listTask found none with this userTaskID (requestID ${answer.requestID})`,
        'Check the id and the account (--uuid / CALLBOT_UUID); `callbot task list` lists the tasks.',
      );
    }
    if (flags.json) printJson(io, { task: taskJson(task), requestID: answer.requestID });
    else io.stdout.write(taskFields(task));
  });
}

export interface ListFlags extends TaskCommonFlags {
  status?: number[];
  name?: string[];
  scene?: string;
  task?: string[];
  since?: number;
  until?: number;
  all?: boolean;
  page: number;
  size: number;
  maxTasks: number;
}

export function listTasks(io: VerbIo, flags: ListFlags): Promise<VerbExitCode> {
  const verb = 'callbot task list';
  return runVerb(io, verb, Boolean(flags.json), async () => {
    if (flags.since !== undefined && flags.until !== undefined && flags.since > flags.until) {
      throw new UsageError('--since is after --until: no task can match; nothing was sent');
    }
    const queryConditions: ListTaskInput['queryConditions'] = {
      ...(flags.status?.length ? { taskStatus: flags.status as NonNullable<ListTaskInput['queryConditions']['taskStatus']> } : {}),
      ...(flags.name?.length ? { taskName: flags.name } : {}),
      ...(flags.scene === undefined ? {} : { sceneID: flags.scene }),
      ...(flags.task?.length ? { userTaskID: flags.task } : {}),
      ...(flags.since === undefined ? {} : { startTs: flags.since }),
      ...(flags.until === undefined ? {} : { endTs: flags.until }),
    };
    const client = connect(flags, io, verb);

    if (!flags.all) {
      const answer = await client.listTasks({ page: flags.page, size: flags.size, queryConditions });
      const tasks = items(answer.taskData);
      if (flags.json) printJson(io, { tasks: tasks.map(taskJson), page: flags.page, size: flags.size, requestID: answer.requestID });
      else printTasks(io, tasks);
      if (!flags.json && tasks.length >= flags.size) io.stderr.write(`page ${flags.page} is full: the next one is --page ${flags.page + 1} (or --all)\n`);
      return VERB_EXIT.ok;
    }

    const tasks: unknown[] = [];
    const progress = progressLine(io);
    let truncated = false;
    const warnings: string[] = [];
    try {
      for await (const task of client.tasks({ size: flags.size, queryConditions }, { onCountMismatch: (mismatch) => warnings.push(mismatch.message) })) {
        if (tasks.length >= flags.maxTasks) {
          truncated = true;
          break;
        }
        tasks.push(task);
        progress.update(`listing tasks: ${tasks.length} so far (page ${Math.ceil(tasks.length / flags.size)})`);
      }
    } finally {
      progress.done();
    }
    if (truncated) io.stderr.write(`${verb}: stopped after ${flags.maxTasks} tasks (--max-tasks); narrow the filters or raise --max-tasks\n`);
    for (const warning of warnings) io.stderr.write(`${verb}: warning: ${warning}\n`);
    if (flags.json) printJson(io, { tasks: tasks.map(taskJson), truncated, warnings });
    else printTasks(io, tasks);
    return VERB_EXIT.ok;
  });
}

function printTasks(io: VerbIo, tasks: readonly unknown[]): void {
  if (tasks.length === 0) io.stderr.write('no task matches\n');
  else io.stdout.write(taskTable(tasks));
}

/** One line on stderr that redraws itself, on a terminal only; at most ten redraws a second. */
function progressLine(io: VerbIo) {
  let last = 0;
  let shown = false;
  return {
    update(text: string) {
      if (!io.stderr.isTTY) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}
