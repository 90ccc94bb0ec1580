import { rm } from 'node:fs/promises';
import type { BatchEnvelope } from './batch-body.js';
import type { BatchBuilder } from './build-batch.js';
import type { SentState } from './crash-after-send.js';
import { ConfigError, type ConnectionSettings } from '../shared/credentials.js';
import { writeErrorCode } from './report.js';
import { type ReportTarget, writeToTarget } from './report-path.js';
import { retryReason } from './retcode-text.js';
import { sendBatch, type SendResult } from './send-batch.js';
import type { ImportEvent, ImportOutcome, ImportSummary } from './types.js';

// The import's send protocol, the one place that decides what is on disk when, and what a
// signal does. One attempt, hop by hop:
//   1. the client builds, signs and compresses the request, then awaits `beforeSend` with the
//      attempt's requestID: the report on disk is rewritten to list every sent row `unknown`
//      with the requestIDs so far (temp file, flushed, renamed) — only then may it leave;
//   2. the request is on the wire: from here a failure is "outcome unknown", never "not sent";
//   3. the answer comes: send-batch.ts gives each row its status; the engine writes the report.
// A signal (io.signal), by phase:
//   - before an attempt leaves, or while waiting to send again: nothing (more) is sent, the run
//     stops (`Interrupted`); the attempts so far were not processed;
//   - while an attempt is out: the report already names its requestID; the run waits `graceMs`
//     for the answer, and without one reports the outcome unknown with that requestID. An
//     unknown outcome is never resent (the client resends only what was certainly not processed).

/** Thrown when `io.signal` stops the run before (more of) the batch is sent. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** The pre-send report could not be written: nothing of that attempt was sent. */
class JournalError extends Error {
  constructor(path: string, cause: unknown) {
    super(`cannot write the report ${path} (${writeErrorCode(cause)})`, { cause });
  }
}

/**
 * How the send ended, for the engine: `finish` writes the report and summarizes; `summarize`
 * only summarizes (the report on disk already says what is known).
 */
export type SendEnd = { then: 'finish' | 'summarize'; outcome: ImportOutcome; message: string; extra: Partial<ImportSummary> };

export interface BatchToSend {
  settings: ConnectionSettings;
  envelope: BatchEnvelope;
  builder: BatchBuilder;
  target: ReportTarget;
  gzip: boolean;
  timeoutMs: number;
  maxAttempts?: number | undefined;
  fetch?: typeof fetch | undefined;
}

export interface SendProtocol {
  /** Throws `Interrupted` once the signal has fired (the engine calls it between its steps). */
  stopIfInterrupted(): void;
  /** Sends the batch under the protocol. Rejects with `Interrupted` when the run stopped before sending and left no report. */
  send(batch: BatchToSend): Promise<SendEnd>;
  /** Set once the batch is on the wire: a failure from then on means "outcome unknown" (crash-after-send.ts). */
  readonly sent: SentState | undefined;
  /** Whether a pre-send report was written (to remove once every row is accepted). */
  readonly journalWritten: boolean;
  /** Stops listening to the signal. */
  dispose(): void;
}

export function createSendProtocol(signal: AbortSignal | undefined, emit: (event: ImportEvent) => void, graceMs: number): SendProtocol {
  /**
   * `preparing`: nothing is out; `sending`: an attempt is out (its outcome unknown until the
   * answer); `waiting`: between attempts, the last one not processed; `answered`: the answer is in.
   */
  let phase: 'preparing' | 'sending' | 'waiting' | 'answered' = 'preparing';
  /** Every requestID put on the wire, in order. */
  let requestIDs: string[] = [];
  let sent: SentState | undefined;
  let journalWritten = false;
  let target: ReportTarget | undefined;
  let expireGrace: (() => void) | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let wakeSleep: (() => void) | undefined;

  const onAbort = () => {
    wakeSleep?.();
    if (phase === 'preparing' || phase === 'waiting') {
      emit({ type: 'interrupted', phase: 'before-send' });
      return;
    }
    emit({ type: 'interrupted', phase: 'sending', requestIDs: [...requestIDs], report: target!.journal, graceMs });
    graceTimer = setTimeout(() => expireGrace?.(), graceMs);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const stopIfInterrupted = () => {
    if (signal?.aborted) throw new Interrupted();
  };

  /** The wait between attempts: ends early, rejecting with `Interrupted`, on the signal. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new Interrupted());
      const timer = setTimeout(() => {
        wakeSleep = undefined;
        resolve();
      }, ms);
      wakeSleep = () => {
        clearTimeout(timer);
        wakeSleep = undefined;
        reject(new Interrupted());
      };
    });

  async function send(batch: BatchToSend): Promise<SendEnd> {
    const { builder } = batch;
    target = batch.target;
    const journal = target;
    stopIfInterrupted();
    emit({ type: 'step', step: 'prepare', label: `preparing ${builder.orders.length} orders (JSON, signature${batch.gzip ? ', gzip' : ''})` });
    let preparing = true;

    /** Step 1: every row this attempt sends is on disk as `unknown` with its requestID before it leaves. */
    const writeJournal = async (requestID: string) => {
      const reason = journalReason([...requestIDs, requestID]);
      for (const row of builder.sendable) {
        row.status = 'unknown';
        row.reason = reason;
      }
      try {
        await writeToTarget(journal, builder.outcomes, 'journal');
      } catch (error) {
        for (const row of builder.sendable) {
          row.status = 'not-sent';
          row.reason = '';
        }
        throw new JournalError(journal.journal, error);
      }
      journalWritten = true;
    };
    const graceExpired = new Promise<'grace-expired'>((resolve) => {
      expireGrace = () => resolve('grace-expired');
    });

    let result: SendResult;
    try {
      const sending = sendBatch({
        settings: batch.settings,
        envelope: batch.envelope,
        orders: builder.orders,
        sendable: builder.sendable,
        gzip: batch.gzip,
        timeoutMs: batch.timeoutMs,
        maxAttempts: batch.maxAttempts,
        fetch: batch.fetch,
        sleep,
        onRetry: (info) => {
          phase = 'waiting'; // the last attempt was not processed: nothing is out
          emit({
            type: 'retry',
            attempt: info.attempt,
            delayMs: info.delayMs,
            reason: retryReason(info.retCode, info.code),
            retCode: info.retCode,
            code: info.code,
          });
        },
        beforeSend: async ({ attempt, requestID }) => {
          // The record first, then the signal: a run stopped here leaves the same report as one
          // stopped a moment later (a report it created is removed, one it replaced says not-sent).
          await writeJournal(requestID);
          stopIfInterrupted();
          // From here to fetch nothing waits: a signal is seen before, or after the request left.
          requestIDs = [...requestIDs, requestID];
          sent = { requestID, requestIDs, target: journal, outcomes: builder.outcomes, sendable: builder.sendable, answered: false };
          phase = 'sending';
          if (preparing) {
            preparing = false;
            emit({ type: 'step-done', step: 'prepare', result: 'ready' });
            emit({ type: 'step', step: 'send', label: 'sending' });
          }
          emit({ type: 'attempt', attempt, requestID });
        },
      });
      sending.catch(() => {}); // when the grace period ends first, nobody waits for it any more
      const first = await Promise.race([sending, graceExpired]);
      if (first === 'grace-expired') {
        // Interrupted, and no answer in time: the report on disk already says what is known.
        const requestID = requestIDs.at(-1);
        emit({ type: 'step-done', step: 'send', result: 'interrupted: no answer' });
        emit({ type: 'report', path: journal.journal });
        return {
          then: 'summarize',
          outcome: 'unknown',
          message:
            `interrupted while sending: no answer within ${formatMs(graceMs)}; the outcome of requestID ${requestID} is unknown.\n` +
            `  The report lists every sent row as unknown with its requestID: check the task before sending again.`,
          extra: { requestID, attempts: requestIDs.length, report: journal.journal, interrupted: 'sending' },
        };
      }
      result = first;
    } catch (error) {
      if (error instanceof Interrupted) {
        // Stopped before this attempt went out (or while waiting to send again): nothing of it was
        // sent, and the earlier attempts, if any, were not processed.
        const earlier = requestIDs;
        sent = undefined;
        emit({ type: 'step-done', step: preparing ? 'prepare' : 'send', result: 'interrupted' });
        if (!journalWritten) throw error; // no report was written: none is left behind
        if (earlier.length === 0 && (journal.kind === 'device' || !journal.existed)) {
          // Nothing was ever sent, and the report is this run's own pre-send copy: leave none behind.
          await rm(journal.journal, { force: true });
          throw error;
        }
        for (const row of builder.sendable) {
          row.status = 'not-sent';
          row.reason =
            earlier.length > 0
              ? `not sent: interrupted while waiting to send again (requestID ${earlier.join(', ')}: not processed)`
              : 'not sent: interrupted before sending';
        }
        return {
          then: 'finish',
          outcome: 'not-sent',
          message:
            earlier.length > 0
              ? `interrupted while waiting to send again: nothing was imported (requestID ${earlier.join(', ')}: not processed)`
              : 'interrupted before sending: nothing was sent',
          extra: { interrupted: 'before-send', requestID: earlier.at(-1), attempts: earlier.length },
        };
      }
      if (error instanceof JournalError && !sent) {
        if (preparing) emit({ type: 'step-done', step: 'prepare', result: 'not sent' });
        throw new ConfigError(`${error.message}; nothing was sent`);
      }
      throw error;
    }

    // Step 3: the answer is in.
    phase = 'answered';
    if (sent) sent.answered = true;
    // Every attempt was refused before connecting or not processed: nothing was imported, and a
    // failure from here on (the report) is not one "after the batch was sent".
    if (result.outcome === 'not-sent') sent = undefined;
    if (requestIDs.length > 1) {
      const earlier = `; earlier requestIDs (not processed): ${requestIDs.slice(0, -1).join(', ')}`;
      for (const row of builder.sendable) if (row.status === 'unknown') row.reason += earlier;
    }
    // No attempt made (every one refused before reaching fetch): the prepare step is the one open.
    emit({ type: 'step-done', step: preparing ? 'prepare' : 'send', result: result.message });
    for (const e of result.unmatchedErrors) emit({ type: 'warning', message: `the server rejected phone ${e.phone} (${e.errMsg}), which matches no row sent` });
    const { vendorCounts, perRowDetail, requestID, responseID, retCode, attempts } = result;
    return {
      then: 'finish',
      outcome: result.outcome,
      message: result.message,
      extra: { vendorCounts, perRowDetail, requestID, responseID, retCode, attempts },
    };
  }

  return {
    stopIfInterrupted,
    send,
    get sent() {
      return sent;
    },
    get journalWritten() {
      return journalWritten;
    },
    dispose() {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(graceTimer);
    },
  };
}

/** The reason of a sent row until its answer is in. */
function journalReason(requestIDs: readonly string[]): string {
  const earlier = requestIDs.length > 1 ? ` (earlier attempts, not processed: ${requestIDs.slice(0, -1).join(', ')})` : '';
  return `outcome unknown: sent as requestID ${requestIDs.at(-1)}${earlier} and no answer recorded; check the task before sending again`;
}

const formatMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
