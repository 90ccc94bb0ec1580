import {
  CallbotError,
  CallbotNotSentError,
  CallbotSignatureError,
  CallbotUnknownOutcomeError,
  createCallbotClient,
  retCodeInfo,
  type BeforeSendInfo,
  type RetryInfo,
} from 'callbot-contract';
import { batchInput, type BatchEnvelope, type BatchOperation } from './batch-body.js';
import type { CallOrder, RowOutcome } from './build-batch.js';
import type { ConnectionSettings } from '../shared/credentials.js';
import { claimsBadSignature, retCodeHint } from './retcode-text.js';
import { asText, fields } from '../shared/vendor-values.js';

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
  /**
   * The counts of a retCode 0 answer, as the vendor gave them (checked against the rows sent).
   * addBatchCall and createAndCall answers may lack them (the spec makes them optional): then a
   * count is undefined and `perRowDetail` is false.
   */
  vendorCounts?: { totalCount?: number | undefined; successCount?: number | undefined; errList?: number | undefined } | undefined;
  /** Whether the answer said something per row (counts and an errList); false: only "success" for the whole request. */
  perRowDetail?: boolean | undefined;
}

/** A retCode 0 answer of any of the three operations, as the reconciliation reads it. */
interface SuccessAnswer {
  retCode: number;
  requestID: string;
  responseID: string;
  attempts: number;
  totalCount?: number | undefined;
  successCount?: number | undefined;
  errList?: { phone: string; errMsg: string }[] | undefined;
}

/** How the summary names what a successful answer did. */
const DONE: Record<BatchOperation, string> = {
  importBatchCall: 'imported',
  addBatchCall: 'added to the task',
  createAndCall: 'task created with its orders',
};

export interface SendOptions {
  settings: ConnectionSettings;
  /** The operation and the parts of the body that are not the list. */
  envelope: BatchEnvelope;
  orders: CallOrder[];
  /** Outcomes of `orders`, same index; updated in place. */
  sendable: RowOutcome[];
  gzip: boolean;
  timeoutMs: number;
  /** Attempts in all (the client's default when undefined). */
  maxAttempts?: number | undefined;
  onRetry?: (info: RetryInfo) => void;
  /**
   * The client's hook, awaited before each attempt reaches fetch, with its requestID header
   * (send-protocol.ts writes the report there). When it throws, nothing of that attempt is sent
   * and sendBatch rejects with that very error.
   */
  beforeSend?: (attempt: BeforeSendInfo) => Promise<void>;
  /** The wait between attempts (the protocol's ends early when it is interrupted). */
  sleep?: (ms: number) => Promise<void>;
  /** The fetch the client uses (tests inject one). Default: the global fetch. */
  fetch?: typeof fetch | undefined;
}

export async function sendBatch(options: SendOptions): Promise<SendResult> {
  const { settings, sendable } = options;
  let attempts = 0;
  const client = createCallbotClient({
    baseUrl: settings.baseUrl,
    uuid: settings.uuid,
    secretKey: settings.secretKey,
    algorithm: settings.algorithm,
    gzip: options.gzip,
    timeoutMs: options.timeoutMs,
    validate: false,
    retry: {
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    },
    beforeSend: async (attempt) => {
      attempts = attempt.attempt;
      await options.beforeSend?.(attempt);
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { envelope } = options;
  const input = batchInput(envelope, settings, options.orders);
  const send = (): Promise<SuccessAnswer> => {
    switch (envelope.operation) {
      case 'importBatchCall':
        return client.importBatchCall(input as Parameters<typeof client.importBatchCall>[0]);
      case 'addBatchCall':
        return client.addBatchCall(input as Parameters<typeof client.addBatchCall>[0]);
      case 'createAndCall':
        return client.createAndCall(input as Parameters<typeof client.createAndCall>[0]);
    }
  };

  const markAll = (status: RowOutcome['status'], reason: string) => {
    for (const row of sendable) {
      row.status = status;
      row.reason = reason;
    }
  };

  try {
    const result = await send();
    return reconcile(result, sendable, envelope.operation);
  } catch (error) {
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

/**
 * Marks each sent row from a retCode 0 answer. The vendor's errList names only the phone, so
 * rows are matched by phone. Phones are unique in a batch unless --allow-duplicate-phones was
 * given; then every row with that phone is marked (the README says so).
 */
function reconcile(result: SuccessAnswer, sendable: RowOutcome[], operation: BatchOperation): SendResult {
  // The answer is the vendor's, unchecked for shape: an entry may be null, a phone a number, an
  // errMsg an object. Each is read as text, so the report always holds what the vendor said.
  const errList = (Array.isArray(result.errList) ? result.errList : []).map((entry: unknown) => {
    const e = fields(entry);
    return { phone: asText(e.phone), errMsg: asText(e.errMsg) };
  });
  const errorsByPhone = new Map<string, string[]>();
  for (const { phone, errMsg } of errList) {
    const list = errorsByPhone.get(phone);
    if (list) list.push(errMsg);
    else errorsByPhone.set(phone, [errMsg]);
  }
  const { totalCount, successCount } = result;
  const hasCounts = typeof totalCount === 'number' && typeof successCount === 'number';
  const perRowDetail = hasCounts && result.errList !== undefined;
  const ids = `requestID ${result.requestID}, responseID ${result.responseID}`;
  // Without the counts, "accepted" rests on retCode 0 alone: said in every such row.
  const acceptedReason = perRowDetail
    ? ''
    : `the answer says success for the whole request but has no ${hasCounts ? 'errList' : result.errList === undefined ? 'counts and no errList' : 'counts'}: no per-row confirmation`;
  const matched = new Set<string>();
  let rejected = 0;
  for (const row of sendable) {
    const errors = errorsByPhone.get(row.phone);
    if (errors) {
      matched.add(row.phone);
      row.status = 'rejected-by-server';
      row.reason = errors.join('; ');
      rejected += 1;
    } else {
      row.status = 'accepted';
      row.reason = acceptedReason;
    }
  }
  const unmatchedErrors = errList.filter((e) => !matched.has(e.phone));
  const vendorCounts = { totalCount, successCount, errList: result.errList?.length };
  const base = {
    requestID: result.requestID,
    responseID: result.responseID,
    retCode: result.retCode,
    attempts: result.attempts,
    unmatchedErrors,
    vendorCounts,
    perRowDetail,
  };
  // "Accepted" is only inferred (not in errList): it holds only when the answer's counts, when
  // it has them, agree with what was sent. When they do not, the rows not named in errList are unknown.
  const countsDisagree = hasCounts && (totalCount !== sendable.length || successCount !== sendable.length - rejected);
  if (countsDisagree || unmatchedErrors.length > 0) {
    const counts =
      `${hasCounts ? `vendor reports ${successCount} of ${totalCount} imported` : 'vendor gives no counts'} but lists ${errList.length} refusals` +
      `${unmatchedErrors.length > 0 ? ` (${unmatchedErrors.length} for phones not sent)` : ''}, for ${sendable.length} rows sent`;
    const unknown = sendable.filter((row) => row.status === 'accepted');
    for (const row of unknown) {
      row.status = 'unknown';
      row.reason = `${counts}: this row's outcome is unknown (${ids})`;
    }
    return {
      ...base,
      outcome: 'unknown',
      message: `outcome unknown: the answer's counts do not add up (${counts}); ${unknown.length} rows not in its errList are marked unknown. Check the task before sending again (${ids}).`,
    };
  }
  const done = DONE[operation];
  if (!hasCounts) {
    return {
      ...base,
      outcome: 'imported',
      message:
        `${done}: the answer says success for the ${sendable.length} orders sent${rejected > 0 ? `, ${rejected} of them refused in its errList` : ''} (responseID ${result.responseID}).\n` +
        `  The answer has no per-row detail (no totalCount/successCount${result.errList === undefined ? ', no errList' : ''}): "accepted" means the request as a whole succeeded.`,
    };
  }
  return { ...base, outcome: 'imported', message: `${done}: ${successCount} of ${totalCount} orders accepted (responseID ${result.responseID})` };
}
