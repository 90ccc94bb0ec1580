import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Operations, validateAgainst } from 'callbot-contract';
import { batchBody, type BatchEnvelope } from './batch-body.js';
import { parseColumnOverrides } from './column-mapping.js';
import { ConfigError, describeCredentials, resolveConnection, type ConnectionSettings } from '../shared/credentials.js';
import { defaultReportName } from './report.js';
import { prepareNewReportPath, prepareReportPath, type ProtectedFile, type ReportTarget } from './report-path.js';
import type { ImportEvent, ImportIO, ImportRequest } from './types.js';

// Part of the engine: everything settled before the first row is read — where to send and as
// whom, the column overrides, the parts of the body that are not the list (checked against the
// operation's schema), and where the report goes. A problem here is a usage error and nothing
// is read or sent.

export interface RunSetup {
  settings: ConnectionSettings;
  overrides: Map<string, string>;
  envelope: BatchEnvelope;
  target: ReportTarget;
  /** Whether `--report` named the report (then it is always written). */
  reportAsked: boolean;
}

export function setUpRun(
  request: ImportRequest,
  io: ImportIO,
  emit: (event: ImportEvent) => void,
  onSettings: (settings: ConnectionSettings) => void,
): RunSetup {
  const { file, userTaskID } = request;
  const dryRun = Boolean(request.dryRun);
  const settings = resolveConnection(request.connection ?? {}, io.env ?? {});
  onSettings(settings);
  const overrides = parseColumnOverrides(request.columns ?? []);
  const envelope: BatchEnvelope = { operation: request.operation ?? 'importBatchCall', userTaskID, newTask: request.newTask };
  checkEnvelope(envelope, settings);

  // Where the report goes, checked before anything is read or sent: it is written before the
  // batch leaves, and it must never replace the input, the config file or what a link points to.
  const protectedFiles: ProtectedFile[] = [{ path: file, label: 'the input file' }];
  if (settings.configFile) protectedFiles.push({ path: settings.configFile, label: 'the config file' });
  const reportAsked = request.report !== undefined;
  // The fallback goes to the IO's temp folder (its TMPDIR), not the process's.
  const tempFolder = io.env?.TMPDIR || tmpdir();
  const target = reportAsked
    ? prepareReportPath(request.report!, protectedFiles, tempFolder)
    : besideInput(file, defaultReportName(userTaskID, io.now?.() ?? new Date()), tempFolder);

  emit({
    type: 'connection',
    message: `sending as ${settings.uuid} (${describeCredentials(settings)}) to ${settings.baseUrl}${dryRun ? ' — dry run, nothing will be sent' : ''}`,
    baseUrl: settings.baseUrl,
    uuid: settings.uuid,
    usingDemoAccount: settings.usingDemoAccount,
    credentialsFrom: settings.credentialsFrom,
    uuidFrom: settings.uuidFrom,
    secretFrom: settings.secretFrom,
    dryRun,
  });
  if (settings.credentialsWarning) emit({ type: 'warning', message: settings.credentialsWarning });
  if (!reportAsked && insideNodeModules(file)) {
    emit({ type: 'warning', message: `${file} is inside node_modules: a report goes to the current folder instead (--report PATH to choose)` });
  }
  if (target.kind === 'device' && !dryRun) {
    emit({
      type: 'warning',
      message: `the report ${target.path} is not a regular file: until the answer is in, the rows sent are recorded in ${target.journal}`,
    });
  }
  return { settings, overrides, envelope, target, reportAsked };
}

/** The parts of the body that do not come from the file, checked against the operation's request schema before reading it. */
function checkEnvelope(envelope: BatchEnvelope, settings: ConnectionSettings): void {
  if (envelope.operation === 'createAndCall' && !envelope.newTask) throw new ConfigError('createAndCall needs the sceneID of the new task');
  const probe = { orderID: 'probe', userPhone: '8615600000000', other: '', userName: '', customerName: '', params: [] };
  const issues = validateAgainst(Operations[envelope.operation].requestSchema, batchBody(envelope, settings, [probe]));
  if (issues.length > 0) throw new ConfigError(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
}

/** Whether `file` lies in an installed package (the quick start's sample list does): no report is written in there. */
const insideNodeModules = (file: string) => dirname(resolve(file)).split(sep).includes('node_modules');

/**
 * The default report: beside the input file (not in the working directory), a new file that
 * replaces nothing (`-2`, `-3`, … when the name is taken: report-path.ts). An input inside
 * node_modules (a package's sample list) gets its report in the working directory instead:
 * reports never go into an installed package.
 */
function besideInput(file: string, name: string, tempFolder: string): ReportTarget {
  const path = insideNodeModules(file) ? resolve(name) : join(dirname(resolve(file)), name);
  try {
    return prepareNewReportPath(path, tempFolder);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      `${error.message}: without --report, the report goes beside the input file (it is written before sending, in case the run is cut short); give --report PATH to put it elsewhere`,
    );
  }
}
