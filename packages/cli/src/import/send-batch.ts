import {
  CallbotError,
  CallbotNotSentError,
  CallbotSignatureError,
  CallbotUnknownOutcomeError,
  createCallbotClient,
  retCodeInfo,
  type RetryInfo,
} from 'callbot-contract';
import { batchInput } from './batch-body.js';
import type { CallOrder, RowOutcome } from './build-batch.js';
import type { ConnectionSettings } from './credentials.js';
import { claimsBadSignature, retCodeHint } from './retcode-text.js';

// Part of the engine: sends the one batch with the package's client (signed, gzip on, the
// client's retries of requests the vendor certainly did not process) and reconciles the answer
// with the rows: each sent row gets its status, the batch an outcome. What a retCode means
// (refused, not processed, unknown) is the contract's `CallbotError.outcome`, never decided
// here. The rows were checked against the same schema already, so the client's own check is
// switched off rather than run twice over 100,000 orders.

export type BatchOutcome = 'imported' | 'refused' | 'not-sent' | 'unknown';

export interface SendResult {
  outcome: BatchOutcome;
  message: string;
  requestID?: string | undefined;
  responseID?: string | undefined;
  /** The answer's retCode; for an answer whose signature did not verify, the retCode it claims. */
  retCode?: number | undefined;
  attempts?: number | undefined;
  /** errList entries whose phone matches no sent row (should not happen; shown, not lost). */
  unmatchedErrors: { phone: string; errMsg: string }[];
  /** The counts of a retCode 0 answer, as the vendor gave them (checked against the rows sent). */
  vendorCounts?: { totalCount: number; successCount: number; errList: number } | undefined;
}

export interface SendOptions {
  settings: ConnectionSettings;
  userTaskID: string;
  orders: CallOrder[];
  /** Outcomes of `orders`, same index; updated in place. */
  sendable: RowOutcome[];
  gzip: boolean;
  timeoutMs: number;
  /** Attempts in all (the client's default when undefined). */
  maxAttempts?: number | undefined;
  onRetry?: (info: RetryInfo) => void;
  /**
   * Awaited before each attempt's request is handed to fetch, with its requestID header: the
   * engine writes the report there. When it throws, nothing of that attempt is sent and
   * sendBatch rejects with that very error.
   */
  beforeAttempt?: (attempt: number, requestID: string | undefined) => Promise<void>;
  /** Called when the signed (and compressed) request leaves, once per attempt, with its requestID header. */
  onAttempt?: (attempt: number, requestID: string | undefined) => void;
  /** The wait between attempts (the engine's ends early when it is interrupted, and writes the report). */
  sleep?: (ms: number) => Promise<void>;
  /** The requestID of each attempt, in turn (the engine picks it in advance, to write it into the report first). */
  requestId?: () => string;
  /** The fetch the client uses (tests inject one). Default: the global fetch. */
  fetch?: typeof fetch | undefined;
}

export async function sendBatch(options: SendOptions): Promise<SendResult> {
  const { settings, sendable } = options;
  let attempts = 0;
  // A failure of beforeAttempt: the client would take any error of its fetch for a failed send.
  let localFailure: { error: unknown } | undefined;
  const client = createCallbotClient({
    baseUrl: settings.baseUrl,
    uuid: settings.uuid,
    secretKey: settings.secretKey,
    algorithm: settings.algorithm,
    gzip: options.gzip,
    timeoutMs: options.timeoutMs,
    validate: false,
    ...(options.requestId ? { requestId: options.requestId } : {}),
    retry: {
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    },
    fetch: async (input, init) => {
      attempts += 1;
      const headers = input instanceof Request ? input.headers : new Headers(init?.headers);
      const requestID = headers.get('requestID') ?? undefined;
      try {
        await options.beforeAttempt?.(attempts, requestID);
      } catch (error) {
        localFailure = { error };
        throw error;
      }
      options.onAttempt?.(attempts, requestID);
      return (options.fetch ?? globalThis.fetch)(input, init);
    },
  });
  const body = batchInput(options.userTaskID, settings, options.orders);

  const markAll = (status: RowOutcome['status'], reason: string) => {
    for (const row of sendable) {
      row.status = status;
      row.reason = reason;
    }
  };

  try {
    const result = await client.importBatchCall(body);
    // The vendor's errList names only the phone, so rows are matched by phone. Phones are
    // unique in a batch unless --allow-duplicate-phones was given; then every row with that
    // phone is marked (the README says so).
    const errorsByPhone = new Map<string, string[]>();
    for (const { phone, errMsg } of result.errList) {
      const list = errorsByPhone.get(phone);
      if (list) list.push(errMsg);
      else errorsByPhone.set(phone, [errMsg]);
    }
    const matched = new Set<string>();
    for (const row of sendable) {
      const errors = errorsByPhone.get(row.phone);
      if (errors) {
        matched.add(row.phone);
        row.status = 'rejected-by-server';
        row.reason = errors.join('; ');
      } else {
        row.status = 'accepted';
        row.reason = '';
      }
    }
    const unmatchedErrors = result.errList.filter((e) => !matched.has(e.phone));
    const rejected = sendable.length - sendable.filter((r) => r.status === 'accepted').length;
    const vendorCounts = { totalCount: result.totalCount, successCount: result.successCount, errList: result.errList.length };
    const ids = `requestID ${result.requestID}, responseID ${result.responseID}`;
    // "Accepted" is only inferred (not in errList): it holds only when the answer's counts agree
    // with what was sent. When they do not, the rows not named in errList are unknown.
    if (result.totalCount !== sendable.length || result.successCount !== sendable.length - rejected || unmatchedErrors.length > 0) {
      const counts =
        `vendor reports ${result.successCount} of ${result.totalCount} imported but lists ${result.errList.length} refusals` +
        `${unmatchedErrors.length > 0 ? ` (${unmatchedErrors.length} for phones not sent)` : ''}, for ${sendable.length} rows sent`;
      const unknown = sendable.filter((row) => row.status === 'accepted');
      for (const row of unknown) {
        row.status = 'unknown';
        row.reason = `${counts}: this row's outcome is unknown (${ids})`;
      }
      return {
        outcome: 'unknown',
        message: `outcome unknown: the answer's counts do not add up (${counts}); ${unknown.length} rows not in its errList are marked unknown. Check the task before sending again (${ids}).`,
        requestID: result.requestID,
        responseID: result.responseID,
        retCode: result.retCode,
        attempts: result.attempts,
        unmatchedErrors,
        vendorCounts,
      };
    }
    return {
      outcome: 'imported',
      message: `imported: ${result.successCount} of ${result.totalCount} orders accepted (responseID ${result.responseID})`,
      requestID: result.requestID,
      responseID: result.responseID,
      retCode: result.retCode,
      attempts: result.attempts,
      unmatchedErrors,
      vendorCounts,
    };
  } catch (error) {
    if (localFailure) throw localFailure.error; // nothing of this attempt was sent
    if (error instanceof CallbotError) {
      // The code's outcome class comes from the spec. `unknown` (an internal error, or a code
      // the spec does not document): the batch may have been imported before the error. Every
      // other class means it was not (a `not-processed` one only reaches here once the client's
      // retries are used up).
      const unknown = error.outcome === 'unknown';
      const what = `retCode ${error.retCode} (${error.retCodeName})${error.retMsg ? `: ${error.retMsg}` : ''}`;
      const ids = `requestID ${error.requestID ?? '?'}, responseID ${error.responseID || '?'}`;
      if (unknown) markAll('unknown', `outcome unknown: ${what} (${ids})`);
      else markAll('rejected-by-server', `batch refused: ${what} (${ids})`);
      return {
        outcome: unknown ? 'unknown' : 'refused',
        message: unknown
          ? `outcome unknown: the server answered ${what}; the batch may or may not have been imported. Check the task before sending again (${ids}).`
          : `the server refused the whole batch: ${what}${error.outcome === 'not-processed' ? ` (still refused after ${attempts} attempts)` : ''} (${ids})${retCodeHint(error.retCode)}`,
        requestID: error.requestID,
        responseID: error.responseID,
        retCode: error.retCode,
        attempts,
        unmatchedErrors: [],
      };
    }
    if (error instanceof CallbotUnknownOutcomeError || error instanceof CallbotSignatureError) {
      markAll('unknown', `outcome unknown (requestID ${error.requestID ?? '?'}): ${error.message}`);
      // A wrong secret key is the usual reason: the vendor then refuses (incorrect signature) and
      // signs that answer with the real key, which cannot be verified here. The client passes on
      // the claim.
      const claimed = error instanceof CallbotSignatureError ? error.unverifiedRetCode : undefined;
      // A claim with a hint of its own (an unsigned "account unknown") already carries it in the message.
      const hint =
        !(error instanceof CallbotSignatureError) || (!claimsBadSignature(claimed) && retCodeInfo(claimed ?? Number.NaN)?.hint)
          ? ''
          : `\n  ${claimsBadSignature(claimed) ? 'The answer (unverifiable) says the signature is wrong: a wrong secret key or algorithm is the likely cause.' : 'A wrong secret key or algorithm is the most common cause.'}\n  Compare signatures with \`callbot sign\`.`;
      return { outcome: 'unknown', message: `${error.message}${hint}`, requestID: error.requestID, retCode: claimed, attempts, unmatchedErrors: [] };
    }
    // Nothing left the machine: a refused connection, a port fetch will not use, a body that
    // cannot be serialized (CallbotConnectionError is one kind of CallbotNotSentError).
    if (error instanceof CallbotNotSentError) {
      markAll('not-sent', `not sent: ${error.message}`);
      return { outcome: 'not-sent', message: `${error.message} (${settings.baseUrl})`, requestID: error.requestID, attempts, unmatchedErrors: [] };
    }
    throw error;
  }
}
