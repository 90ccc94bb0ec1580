import type { ImportBatchCallInput } from 'callbot-contract';
import type { CallOrder } from './build-batch.js';
import type { ConnectionSettings } from './credentials.js';

// The one place the batch's body is put together, for the send and for --dry-run alike, so the
// dry run measures the very text the client signs and sends. Key order matters: the signature
// covers the JSON text, and `callbot sign` users compare bodies by eye.

/** What is handed to the client's importBatchCall. */
export function batchInput(userTaskID: string, settings: ConnectionSettings, orders: CallOrder[]): ImportBatchCallInput {
  return {
    userTaskID,
    callInfoList: { orderCallbackUrl: settings.orderCallbackUrl, callCallbackUrl: settings.callCallbackUrl, callList: orders },
  };
}

/** The body as the client sends it: `{ productID: 'callbot', ...input }` (productID first). */
export function batchBody(userTaskID: string, settings: ConnectionSettings, orders: CallOrder[]) {
  return { productID: 'callbot' as const, ...batchInput(userTaskID, settings, orders) };
}
