import type { CallbotClient } from 'callbot-contract';
import { clientFor } from '../shared/connection.js';
import type { ApiConnectionSettings } from '../shared/credentials.js';

// The client of the reading verbs (export, orders, calls). Their connection is the same as
// `callbot import`'s (flag > environment > --config > the local mock's demo account) without
// callback URLs: resolveApiConnection in shared/credentials.ts; the client is shared/connection.ts's.

/** Requests sent per API path (retries included): the `requests` of a summary. */
export type RequestCounts = Map<string, number>;

/** A signed client for `settings` that counts the requests it sends, per path. */
export function readingClient(settings: ApiConnectionSettings, options: { timeoutMs: number }): { client: CallbotClient; requests: RequestCounts } {
  const requests: RequestCounts = new Map();
  const client = clientFor(settings, {
    timeoutMs: options.timeoutMs,
    fetch: (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      const operation = path.slice(path.lastIndexOf('/') + 1);
      requests.set(operation, (requests.get(operation) ?? 0) + 1);
      return fetch(input, init);
    },
  });
  return { client, requests };
}
