import { InvalidArgumentError } from 'commander';
import { type EnumEntry, TaskStatusEntries } from 'callbot-contract/facts';
import { asText } from '../shared/vendor-values.js';

// Task statuses by the spec's names (TaskStatus: `x-enum-varnames`, `x-enum-descriptions`), so
// `--status running,paused` and the STATUS column say what the spec says. A status an answer
// carries that the spec does not list (answers allow any integer) is shown as its number.

export const taskStatuses = (): readonly EnumEntry[] => TaskStatusEntries;

/** `WaitingToStart`, `waiting-to-start`, `waiting_to_start` are one name. */
const normal = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');

/** `1 WaitingToStart, 2 Running, …`: for help texts and errors. */
export const statusChoices = (): string =>
  taskStatuses()
    .map(({ value, name }) => `${value} ${name}`)
    .join(', ');

/** commander parser of `--status`: names or numbers, comma-separated; repeatable (the lists add up). */
export function parseStatusList(text: string, previous: number[] = []): number[] {
  const statuses = taskStatuses();
  const values = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const found = statuses.find(({ value, name }) => String(value) === part || normal(name) === normal(part));
      if (!found) throw new InvalidArgumentError(`"${part}" is not a task status (known: ${statusChoices()})`);
      return found.value as number;
    });
  return [...new Set([...previous, ...values])];
}

/** `2 Running`, or `9 (not in the contract)` for a status the spec does not list; empty for none (null, missing). */
export function statusLabel(value: unknown): string {
  if (value === undefined || value === null) return '';
  const found = taskStatuses().find((entry) => entry.value === value);
  return found ? `${found.value} ${found.name}` : `${asText(value)} (not in the contract)`;
}

/** The spec's name of a status (`Running`), undefined for one it does not list. */
export const statusName = (value: unknown): string | undefined => taskStatuses().find((entry) => entry.value === value)?.name;
