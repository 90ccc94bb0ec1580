// callbot-cli's library entry: the engine behind `callbot import`, for scripts that import a
// call list without spawning the command.
//
//   import { runImport, exitCodeFor } from 'callbot-cli';
//   const summary = await runImport({ file: 'calls.csv', userTaskID: 'task-1' }, { env: process.env });
//
// The engine prints nothing and exits nothing: progress arrives as events (`io.onEvent`), the
// result as the summary; `exitCodeFor(summary)` is what `callbot import` would exit with.
export {
  DEFAULT_INTERRUPT_GRACE_MS,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_ROW_BYTES,
  DEFAULT_TIMEOUT_MS,
  runImport,
  type ImportEvent,
  type ImportIO,
  type ImportOutcome,
  type ImportRequest,
  type ImportStep,
  type ImportSummary,
} from './import/engine.js';
export { exitCodeFor, interruptedExitCode } from './import/exit-codes.js';
export { EXIT, type ExitCode } from './shared/exit.js';
export type { RowNotice, RowOutcome, RowStatus } from './import/build-batch.js';
export type { ConnectionFlags as ImportConnection, Source as SettingSource } from './shared/credentials.js';
export type { FailureAfterSend } from './import/crash-after-send.js';
export type { InputFormat } from './import/read-rows.js';
export type { StatusCounts } from './import/report.js';
