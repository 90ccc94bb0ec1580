import { extname } from 'node:path';
import { Operations, PRODUCT_ID, type ValidationIssue, validateAgainst } from 'callbot-contract';
import { invalidJsonProblem } from 'callbot-contract/internal';
import { FileReadError, readBoundedFile } from '../shared/bounded-read.js';
import { UsageError } from '../shared/usage-error.js';
import { fieldExample } from '../shared/spec.js';

// The body of `createTask` / `updateTask`: the task's settings (`taskCreateSetting`) and feature
// switches (`funcFlag`) from a settings file (JSON or YAML), with the setting flags on top, field
// by field. The body is checked against the contract (the spec's generated validators) before
// anything is sent, and each problem names where it came from: the flag, or the file and the
// field (`task.yaml: taskCreateSetting.dialAtUpHour: must match ^[0-2][0-9]:[0-5][0-9]$ (e.g. "09:00")`).

/** A settings file holds these keys, and only these. */
export const SETTINGS_FILE_KEYS = ['taskCreateSetting', 'funcFlag'] as const;
/** A settings file is a few hundred bytes; one larger than this is not one. */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;
/**
 * The most alias uses a YAML settings file may make (the yaml library's maxAliasCount): a real
 * one uses a few; an "alias bomb" of a few lines uses enough to expand to millions of nodes.
 */
export const MAX_YAML_ALIASES = 100;

/** The setting flags' values, as commander parsed them. */
export interface SettingFlags {
  settings?: string;
  name?: string;
  maxCall?: number;
  startupType?: number;
  startupAt?: number;
  dialHours?: [string, string];
  /** Already in the contract's form, e.g. "1,2,3,4,5" (commands/task.ts). */
  weekdays?: string;
  strategy?: string;
  route?: string;
  taskCallbackUrl?: string;
}

type Operation = 'createTask' | 'updateTask';
type Json = Record<string, unknown>;

interface FlagField {
  flag: string;
  /** Where in the body the flag's value goes (several paths: the value is a tuple, one item each). */
  paths: (operation: Operation) => string[];
  value: (flags: SettingFlags) => unknown;
}

const setting = (name: string) => () => [`taskCreateSetting.${name}`];

/** Each setting flag and the field(s) of the body it sets. */
const FLAG_FIELDS: readonly FlagField[] = [
  { flag: '--name', paths: setting('taskName'), value: (f) => f.name },
  { flag: '--max-call', paths: setting('maxCall'), value: (f) => f.maxCall },
  { flag: '--startup-type', paths: setting('startupType'), value: (f) => f.startupType },
  { flag: '--startup-at', paths: setting('startupAt'), value: (f) => f.startupAt },
  { flag: '--dial-hours', paths: () => ['taskCreateSetting.dialAtUpHour', 'taskCreateSetting.dialAtDownHour'], value: (f) => f.dialHours },
  { flag: '--weekdays', paths: setting('dialAtWeekDay'), value: (f) => f.weekdays },
  { flag: '--strategy', paths: setting('strategyName'), value: (f) => f.strategy },
  { flag: '--route', paths: setting('routeID'), value: (f) => f.route },
  // createTask takes the task callback URL at the top of its body (the spec's Choice); updateTask in its settings.
  {
    flag: '--task-callback-url',
    paths: (operation) => [operation === 'createTask' ? 'taskCallbackUrl' : 'taskCreateSetting.taskCallbackUrl'],
    value: (f) => f.taskCallbackUrl,
  },
];

/** Where a part of the body came from: a flag or the settings file. */
type Origin = { flag: string } | { file: string };

export interface TaskBody {
  body: Json;
  /** Whether any setting was given (flag or file): `updateTask` with none has nothing to do. */
  hasSettings: boolean;
}

/**
 * The request body (without productID: the client adds it) for `operation`, checked against the
 * contract. Throws UsageError naming every problem; nothing is sent then.
 */
export async function buildTaskBody(operation: Operation, ids: { userTaskID: string; sceneID?: string }, flags: SettingFlags): Promise<TaskBody> {
  const file = flags.settings === undefined ? {} : await readSettingsFile(flags.settings);
  const body: Json = { userTaskID: ids.userTaskID, ...(ids.sceneID === undefined ? {} : { sceneID: ids.sceneID }), ...structuredClone(file) };
  const origins = new Map<string, Origin>();
  if (flags.settings !== undefined) for (const key of Object.keys(file)) origins.set(key, { file: flags.settings });

  for (const field of FLAG_FIELDS) {
    const value = field.value(flags);
    if (value === undefined) continue;
    const paths = field.paths(operation);
    paths.forEach((path, i) => {
      const [head, leaf] = path.split('.') as [string, string | undefined];
      const item = paths.length > 1 ? (value as unknown[])[i] : value;
      if (leaf === undefined) body[head] = item;
      else {
        const parent = body[head];
        // A file whose taskCreateSetting is not an object keeps it: the check below names the file.
        if (parent !== undefined && (typeof parent !== 'object' || parent === null || Array.isArray(parent))) return;
        body[head] = { ...(parent as Json | undefined), [leaf]: item };
      }
      origins.set(path, { flag: field.flag });
    });
  }

  const problems: string[] = [];
  const fileSetting = (body.taskCreateSetting as Json | undefined)?.taskCallbackUrl;
  if (operation === 'createTask' && body.taskCallbackUrl !== undefined && fileSetting !== undefined) {
    problems.push(
      `--task-callback-url and ${flags.settings}: taskCreateSetting.taskCallbackUrl both give the task callback URL; give it once (which one the vendor uses is not documented)`,
    );
  }
  const requestSchema = Operations[operation].requestSchema;
  for (const issue of validateAgainst(requestSchema, { productID: PRODUCT_ID, ...body })) problems.push(describeIssue(issue, origins, requestSchema));
  if (problems.length > 0) {
    throw new UsageError(
      `the task settings do not match the contract (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was sent:`,
      problems,
      flags.settings === undefined ? 'Fix the flags and run it again.' : `Fix ${flags.settings} (or the flags) and run it again.`,
    );
  }
  const hasSettings = flags.settings !== undefined || FLAG_FIELDS.some((field) => field.value(flags) !== undefined);
  return { body, hasSettings };
}

/** `--max-call -1: taskCreateSetting.maxCall: must be >= 0`, `task.yaml: taskCreateSetting.dialAtUpHour: must match … (e.g. "09:00")`. */
function describeIssue(issue: ValidationIssue, origins: ReadonlyMap<string, Origin>, schemaName: string): string {
  const path = /\s/.test(issue.path) ? JSON.stringify(issue.path) : issue.path;
  // A pattern or a type the field breaks: its example shows the form (`dialAtWeekDay: must be string (e.g. "1,2,3,4,5")`).
  const showsForm = issue.message.startsWith('must match') || /^must be (string|integer|number|boolean|array|object)$/.test(issue.message);
  const example = showsForm ? fieldExample(schemaName, issue.path) : undefined;
  const message = `${path || '(body)'}: ${issue.message}${example ? ` (e.g. ${example})` : ''}`;
  if (issue.path === 'userTaskID') return `--task: ${message}`;
  if (issue.path === 'sceneID') return `--scene: ${message}`;
  // The longest recorded origin that contains the path: a flag's own field, else the file's key.
  let best: [string, Origin] | undefined;
  for (const [at, origin] of origins) {
    const inside = issue.path === at || issue.path.startsWith(`${at}.`) || issue.path.startsWith(`${at}[`);
    if (inside && (!best || at.length > best[0].length)) best = [at, origin];
  }
  if (!best) return message;
  return 'flag' in best[1] ? `${best[1].flag}: ${message}` : `${best[1].file}: ${message}`;
}

/** The settings file as an object with only SETTINGS_FILE_KEYS; UsageError naming the file otherwise. */
export async function readSettingsFile(file: string): Promise<Json> {
  const fail = (problem: string): never => {
    throw new UsageError(`--settings ${file}: ${problem}; nothing was sent`);
  };
  let text: string;
  try {
    // Counted in bytes read (a device reports size 0); a FIFO or device is refused, not waited on.
    text = readBoundedFile(file, MAX_SETTINGS_FILE_BYTES).toString('utf8');
  } catch (error) {
    if (error instanceof FileReadError) return fail(error.message);
    throw error;
  }

  let parsed: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      fail(invalidJsonProblem(error) ?? 'is not valid JSON');
    }
  } else {
    // YAML (1.2: `09:00` stays a string), loaded only for files that need it. Aliases are
    // bounded by the library (maxAliasCount), so a small file cannot expand without end; past
    // the bound it throws (a ReferenceError), which is a refusal of the file like any other.
    const { parseDocument } = await import('yaml');
    const document = parseDocument(text);
    const error = document.errors[0];
    // The message's first line says what and where (`… at line 2, column 1`); the rest quotes the file.
    if (error) fail(`is not valid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`);
    try {
      parsed = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      // The library's own limit on aliases (an "alias bomb": a few lines that expand to millions
      // of nodes) ends in a ReferenceError; anything else it throws is as much a refusal of the file.
      if (/alias/i.test((error as Error)?.message ?? '')) fail(`is not a settings file: its YAML aliases expand too far (more than ${MAX_YAML_ALIASES} uses)`);
      fail(`is not valid YAML: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail(`expected an object with ${SETTINGS_FILE_KEYS.join(' and/or ')}`);
  }
  const unknown = Object.keys(parsed as Json).filter((key) => !(SETTINGS_FILE_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    fail(
      `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => JSON.stringify(key)).join(', ')} (a settings file holds ${SETTINGS_FILE_KEYS.join(' and ')}; the task and scene are flags)`,
    );
  }
  return parsed as Json;
}
