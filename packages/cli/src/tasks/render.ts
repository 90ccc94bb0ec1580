import { type Column, renderFields, renderTable } from '../shared/table.js';
import { formatTime } from '../shared/time.js';
import { asText, fields } from '../shared/vendor-values.js';
import { statusLabel, statusName } from './status.js';

// How tasks look: a table for `task list`, the fields of one task for `task show`, and the JSON
// form both print with --json (the vendor's task as it came, plus the spec's name of its status).
//
// A task is read as it came (shared/vendor-values.ts), not as the spec types it: a null or
// missing field is an empty cell (`-` for a missing part of a combined cell such as 3/-), a
// status the spec does not list shows as its number, and an item that is not a task object
// still gets its (empty) row.

const percent = (rate: unknown) => (typeof rate === 'number' ? `${Math.round(rate * 100)}%` : '-');
/** A number inside a sentence or a combined cell: `-` when the vendor gave none. */
const part = (value: unknown) => asText(value) || '-';
const stat = (task: unknown) => fields(fields(task).taskStat);

const COLUMNS: readonly Column<unknown>[] = [
  { header: 'TASK', value: (t) => asText(fields(t).userTaskID) },
  { header: 'TASK ID', value: (t) => asText(fields(t).taskID) },
  { header: 'STATUS', value: (t) => statusLabel(fields(t).taskStatus) },
  { header: 'SCENE', value: (t) => asText(fields(t).sceneID) },
  { header: 'CREATED', value: (t) => formatTime(fields(t).createTs) },
  { header: 'ORDERS DONE', value: (t) => ordersDone(stat(t)), align: 'right' },
  { header: 'ANSWERED', value: (t) => asText(stat(t).answerOrderCount), align: 'right' },
  { header: 'CALLS', value: (t) => asText(stat(t).totalCall), align: 'right' },
];

function ordersDone(s: ReturnType<typeof stat>): string {
  if ((s.finishOrderCount ?? null) === null && (s.totalOrderCount ?? null) === null) return '';
  return `${part(s.finishOrderCount)}/${part(s.totalOrderCount)}`;
}

export const taskTable = (tasks: readonly unknown[]): string => renderTable(COLUMNS, tasks);

export function taskFields(item: unknown): string {
  const task = fields(item);
  const s = stat(item);
  return renderFields([
    ['task (userTaskID)', asText(task.userTaskID)],
    ['taskID', asText(task.taskID)],
    ['status', statusLabel(task.taskStatus)],
    ['scene', asText(task.sceneID)],
    ['created', formatTime(task.createTs)],
    ['orders', `${part(s.totalOrderCount)} in all, ${part(s.finishOrderCount)} done (${percent(s.finishRate)}), ${part(s.answerOrderCount)} answered`],
    ['calls', `${part(s.totalCall)} made, ${part(s.totalAnswerCall)} answered (${percent(s.answerRate)})`],
  ]);
}

/**
 * A task as --json prints it: the vendor's fields untouched, and `taskStatusName` (null for a
 * status the spec does not list, or none). An item that is not an object is printed as it came.
 */
export const taskJson = (task: unknown) =>
  task !== null && typeof task === 'object' && !Array.isArray(task) ? { ...task, taskStatusName: statusName(fields(task).taskStatus) ?? null } : task;
