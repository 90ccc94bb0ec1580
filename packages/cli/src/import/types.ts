import { MockLimits } from 'callbot-contract/facts';
import type { BatchOperation, NewTask } from './batch-body.js';
import type { RowNotice } from './build-batch.js';
import type { FailureAfterSend } from './crash-after-send.js';
import type { ConnectionFlags, Source } from '../shared/credentials.js';
import { DEFAULT_MAX_ROW_BYTES, type InputFormat } from './read-rows.js';
import type { StatusCounts } from './report.js';
import type { SendResult } from './send-batch.js';

// The import engine's interface: what a run is asked (ImportRequest), what it may use of the
// world (ImportIO), what it tells as it goes (ImportEvent) and what it returns (ImportSummary).
// The `callbot import` front maps flags to the request and the summary to an exit code.

/** The mock's cap on a call list (the vendor publishes none): a list it would refuse is refused before it is sent. */
export const DEFAULT_MAX_BATCH_SIZE = MockLimits.CallInfoList.callList.maxItems;
export const DEFAULT_TIMEOUT_MS = 120_000;
/** The largest JSON body sent (before gzip): 32 MiB, the mock's `maxBodyBytes`. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** How long an interrupted send still waits for its answer. */
export const DEFAULT_INTERRUPT_GRACE_MS = 5000;
export { DEFAULT_MAX_ROW_BYTES };

/** What to import, and how: the `callbot import` flags as options. */
export interface ImportRequest {
  /** The call list: CSV (UTF-8, comma or semicolon, a header row) or JSON Lines. */
  file: string;
  /** The task whose batch the list becomes (userTaskID). */
  userTaskID: string;
  /**
   * `importBatchCall` (default): the list replaces the task's undialed orders; `addBatchCall`:
   * it is added to them; `createAndCall`: the task is created with it (`newTask` required).
   */
  operation?: BatchOperation | undefined;
  /** For `createAndCall`: the script template (sceneID) and optional task name. */
  newTask?: NewTask | undefined;
  /** Default: from the file extension (`.jsonl`/`.ndjson` → jsonl, otherwise csv). */
  format?: InputFormat | undefined;
  /** CSV delimiter; default: detected from the header. */
  delimiter?: ',' | ';' | undefined;
  /** `FIELD=HEADER` column overrides, as `--column` takes them (`phone=Mobile`, `param.amount=Betrag`). */
  columns?: readonly string[] | undefined;
  /** Send the valid rows even when some are invalid. */
  skipInvalid?: boolean | undefined;
  /** Send rows that repeat a phone (as warnings) instead of rejecting them. */
  allowDuplicatePhones?: boolean | undefined;
  /** Refuse lists with more orders than this. Default 100,000. */
  maxBatchSize?: number | undefined;
  /**
   * Refuse a batch whose JSON body (before gzip) would be larger than this many bytes, naming
   * the row from which on it is. Default 32 MiB (the mock's limit).
   */
  maxBodyBytes?: number | undefined;
  /** The longest CSV record or JSON line, in bytes: a longer one stops the reading (a usage error naming the row). Default 64 KiB. */
  maxRowBytes?: number | undefined;
  /** Interrupted (`io.signal`) while the batch is out: how long to wait for its answer. Default 5 s. */
  interruptGraceMs?: number | undefined;
  /** Read, check and build the body, but send nothing. */
  dryRun?: boolean | undefined;
  /**
   * Where to write the per-row report (always written there). Default: only when needed (a row
   * not accepted, or the outcome unknown), as `callbot-report-<task>-<time>.csv` beside the
   * input file (`…-2.csv`, `…-3.csv` when that name is taken: it never replaces a file); the
   * pre-send copy written there before sending is removed after a fully accepted answer. The
   * summary's `report` names the file written.
   */
  report?: string | undefined;
  /** Gzip the body. Default true. */
  gzip?: boolean | undefined;
  /** How long one attempt may take. Default 120 s. */
  timeoutMs?: number | undefined;
  /** Attempts in all for a batch the server certainly did not process. Default: the client's (4). */
  maxAttempts?: number | undefined;
  /**
   * Where to send and as whom. Each value not given here comes from `io.env` (CALLBOT_*), then
   * the `config` file, then the defaults (the local mock and its demo account, on loopback only).
   */
  connection?: ConnectionFlags | undefined;
}

/** What the engine may use of the world around it. Everything is optional. */
export interface ImportIO {
  /** CALLBOT_* settings, and TMPDIR for a fallback report (the command passes its IO's env). Default: none (the OS temp folder). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Progress and notices, as they happen. */
  onEvent?: ((event: ImportEvent) => void) | undefined;
  /** The clock, for the default report name. Default: `new Date()`. */
  now?: (() => Date) | undefined;
  /** The fetch the client sends with (tests inject one). Default: the global fetch. */
  fetch?: typeof fetch | undefined;
  /**
   * Stops the import (the command aborts it on SIGINT and SIGTERM). Before the batch is sent:
   * nothing is sent and the run ends at once (outcome `not-sent`, `interrupted: 'before-send'`).
   * While it is out: the run waits `interruptGraceMs` for the answer; without one it ends with
   * outcome `unknown` (`interrupted: 'sending'`), the report listing every sent row `unknown`
   * with its requestID. An answer that comes in time is used as usual.
   */
  signal?: AbortSignal | undefined;
}

export type ImportStep = 'read' | 'build' | 'prepare' | 'send';

/** Progress of one run, in order. Each `step` ends with a `step-done` of the same step. */
export type ImportEvent =
  /** Where the batch goes and as whom (the secret only as its length). */
  | {
      type: 'connection';
      message: string;
      baseUrl: string;
      uuid: string;
      usingDemoAccount: boolean;
      /** Where the uuid came from (`uuidFrom`; kept under its old name). */
      credentialsFrom: Source;
      uuidFrom: Source;
      secretFrom: Source;
      dryRun: boolean;
    }
  | { type: 'step'; step: ImportStep; label: string /** Bytes, for `read`. */; total?: number }
  | { type: 'step-progress'; step: ImportStep; value: number; note: string }
  | { type: 'step-done'; step: ImportStep; result: string }
  /** Every row is read and checked: what is listed before anything is sent. */
  | {
      type: 'checked';
      rows: number;
      valid: number;
      blankRows: number;
      problems: readonly RowNotice[];
      warnings: readonly RowNotice[];
      ignoredColumns: readonly string[];
    }
  /** A signed request leaves (once per attempt), with its requestID header. */
  | { type: 'attempt'; attempt: number; requestID: string | undefined }
  /** An attempt the vendor certainly did not process; the next one follows after `delayMs`. */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string; retCode?: number | undefined; code?: string | undefined }
  | { type: 'warning'; message: string }
  /** `io.signal` aborted before anything was sent (or while waiting to send again): the run stops, nothing more is sent. */
  | { type: 'interrupted'; phase: 'before-send' }
  /**
   * `io.signal` aborted while the batch is out: `report` already lists every sent row as
   * `unknown` with the requestIDs; the run waits up to `graceMs` for the answer.
   */
  | { type: 'interrupted'; phase: 'sending'; requestIDs: string[]; report: string; graceMs: number }
  /** The report is written. */
  | { type: 'report'; path: string };

/**
 * What happened, as a whole:
 * - `imported`: the vendor took the batch (rows it refused in its errList are `rejected-by-server`);
 * - `dry-run`: checked and built, nothing sent;
 * - `not-sent`: nothing went out (invalid rows, list too large, no rows, no connection);
 * - `refused`: the vendor refused the whole batch;
 * - `unknown`: the batch was sent and it is not known whether it was imported (check before sending again);
 * - `usage-error`: bad settings, file or column mapping; nothing was sent.
 */
export type ImportOutcome = SendResult['outcome'] | 'dry-run' | 'usage-error';

export interface ImportSummary {
  outcome: ImportOutcome;
  /** One paragraph for people (hints on indented lines after the first). */
  message: string;
  file: string;
  userTaskID: string;
  /** The vendor operation used (or that would have been used). */
  operation: BatchOperation;
  /** Where it was (or would have been) sent; undefined when the settings could not be resolved. */
  baseUrl?: string | undefined;
  dryRun: boolean;
  /** Dry run: the size of the JSON body that would be sent. */
  bodyBytes?: number | undefined;
  /** Input rows (blank rows excepted), i.e. lines in the report. */
  rows: number;
  /** Rows per report status. */
  counts: StatusCounts;
  /** The counts of a retCode 0 answer, as the vendor gave them. */
  vendorCounts?: SendResult['vendorCounts'];
  /** Set after a retCode 0 answer: whether it had counts and an errList (false: accepted as a whole only). */
  perRowDetail?: boolean | undefined;
  requestID?: string | undefined;
  responseID?: string | undefined;
  /** The answer's retCode; for an answer whose signature did not verify, the retCode it claims. */
  retCode?: number | undefined;
  attempts?: number | undefined;
  /** The report's path, when one is on disk (none after a fully accepted run without `report`). */
  report?: string | undefined;
  /** Rows refused by the checks, with why (all of them; the report has them too). */
  problems: RowNotice[];
  /** Rows the vendor refused one by one (its errList), with its reason: the first 100 (all are in the report). */
  refused?: RowNotice[] | undefined;
  warnings: RowNotice[];
  /** Set when something failed after the batch went out (then `outcome` is `unknown`). */
  failedAfterSend?: FailureAfterSend | undefined;
  /**
   * Set when `io.signal` stopped the run: `before-send` (nothing was sent, or only attempts the
   * server did not process; outcome `not-sent`) or `sending` (no answer within the grace period;
   * outcome `unknown`).
   */
  interrupted?: 'before-send' | 'sending' | undefined;
  /** The report as CSV text when it could be written nowhere, not even in the OS temp folder (the command prints it). */
  unsavedReport?: string | undefined;
}
