import { type Command, Option } from 'commander';
import { addConnectionOptions, type ConnectionFlagValues, timeoutOption } from '../shared/connection-options.js';

// The flags `callbot export`, `orders` and `calls` share. Kept free of heavy imports: the
// commands load their engines only when they run, so `callbot --help` stays fast.

export interface ReadFlags extends ConnectionFlagValues {
  task: string;
  out?: string;
  format?: 'csv' | 'jsonl';
  bom?: boolean;
  time: 'iso' | 'unix';
  json?: boolean;
  timeoutMs: number;
}

const collect = (value: string, all: string[] = []) => [...all, value];
/** A repeatable flag whose values are also comma-separated lists. */
export const listOption = (flags: string, description: string) => new Option(flags, `${description} (comma-separated; repeatable)`).argParser(collect);

export function addReadOptions(command: Command): Command {
  command
    .requiredOption('--task <userTaskID>', 'the task (userTaskID)')
    .option('--out <file>', 'write the rows to FILE (`-` for stdout); without it only the counts are printed')
    .addOption(new Option('--format <format>', 'csv or jsonl (default: from the --out extension, .jsonl/.ndjson; else csv)').choices(['csv', 'jsonl']))
    .option('--bom', 'start the file with a UTF-8 BOM (for spreadsheet programs)')
    .addOption(new Option('--time <style>', 'times as ISO 8601 UTC or Unix seconds').choices(['iso', 'unix']).default('iso'))
    .option('--json', 'print a JSON summary (file, rows, pages, durationMs, counts) on stdout')
    .addOption(timeoutOption('how long one request may take', undefined, 120_000));
  return addConnectionOptions(command, { timeout: false });
}

/**
 * The filters `callbot orders` and `callbot calls` share (listOrder's and listCall's options of
 * the same names): call status, intents, duration and dialogue turns. `subject` words the help.
 */
export function addCallFilterOptions(command: Command, subject: 'orders' | 'calls'): Command {
  const callStatus = subject === 'orders' ? 'only orders whose last call has this callStatus' : 'only calls with this callStatus';
  return command
    .addOption(listOption('--call-status <n>', callStatus))
    .addOption(listOption('--intent <name>', `only ${subject} with this intent name`))
    .addOption(listOption('--intent-tag <tag>', `only ${subject} with this user-defined intent tag`))
    .addOption(listOption('--intent-id <id>', `only ${subject} with this intent tag id`))
    .addOption(listOption('--intent-level <n>', `only ${subject} with this intent level`))
    .option('--min-duration <s>', 'only calls of at least this many seconds')
    .option('--max-duration <s>', 'only calls of at most this many seconds')
    .option('--min-turns <n>', 'only calls of at least this many dialogue turns')
    .option('--max-turns <n>', 'only calls of at most this many dialogue turns');
}

/** The exit codes of the reading verbs (results/front.ts returns them; the numbers are shared/exit.ts's). */
export const READ_EXIT_CODES_HELP = `
Settings come from flags, then the environment, then --config, then the local mock's demo account.
Exit codes:
  0  done
  1  usage or configuration error (flags, credentials, --report, --out): nothing read
  2  orders/calls: written, but the pages ended before the vendor's totalCount: rows may be missing
  3  the vendor refused a request or could not be reached: no file written; or its paging
     cannot be trusted: the rows read so far are kept under the temporary name
  130/143  interrupted (SIGINT/SIGTERM): no file written`;
