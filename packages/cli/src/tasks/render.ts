import type { TaskItem } from 'callbot-contract';
import { type Column, renderFields, renderTable } from '../shared/table.js';
import { formatTime } from '../shared/time.js';
import { statusLabel, statusName } from './status.js';

// How tasks look: a table for `task list`, the fields of one task for `task show`, and the JSON
// form both print with --json (the vendor's task as it came, plus the spec's name of its status).

const percent = (rate: unknown) => (typeof rate === 'number' ? `${Math.round(rate * 100)}%` : '-');

const COLUMNS: readonly Column<TaskItem>[] = [
  { header: 'TASK', value: (t) => t.userTaskID },
  { header: 'TASK ID', value: (t) => t.taskID },
  { header: 'STATUS', value: (t) => statusLabel(t.taskStatus) },
  { header: 'SCENE', value: (t) => t.sceneID },
  { header: 'CREATED', value: (t) => formatTime(t.createTs) },
  { header: 'ORDERS DONE', value: (t) => `${t.taskStat.finishOrderCount}/${t.taskStat.totalOrderCount}`, align: 'right' },
  { header: 'ANSWERED', value: (t) => String(t.taskStat.answerOrderCount), align: 'right' },
  { header: 'CALLS', value: (t) => String(t.taskStat.totalCall), align: 'right' },
];

export const taskTable = (tasks: readonly TaskItem[]): string => renderTable(COLUMNS, tasks);

export function taskFields(task: TaskItem): string {
  const s = task.taskStat;
  return renderFields([
    ['task (userTaskID)', task.userTaskID],
    ['taskID', task.taskID],
    ['status', statusLabel(task.taskStatus)],
    ['scene', task.sceneID],
    ['created', formatTime(task.createTs)],
    ['orders', `${s.totalOrderCount} in all, ${s.finishOrderCount} done (${percent(s.finishRate)}), ${s.answerOrderCount} answered`],
    ['calls', `${s.totalCall} made, ${s.totalAnswerCall} answered (${percent(s.answerRate)})`],
  ]);
}

/** A task as --json prints it: the vendor's fields untouched, and `taskStatusName` (null for a status the spec does not list). */
export const taskJson = (task: TaskItem) => ({ ...task, taskStatusName: statusName(task.taskStatus) ?? null });
