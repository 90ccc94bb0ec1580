import { createCallbotClient, type CallbotClient } from 'callbot-contract';
import { type ConnectionFlags, type ConnectionSettings, resolveConnection } from '../import/credentials.js';

// The connection of the reading verbs (export, orders, calls) and of `callbot listen`: the same
// settings as `callbot import` (flag > environment > --config > the local mock's demo account),
// resolved by import/credentials.ts. These verbs send no callback URLs, so a missing one is not
// an error here: resolveConnection insists on them for a non-loopback base URL because an import
// sends them, and is given a placeholder that is never used.

const UNUSED_CALLBACK_URL = 'http://callback-url.unused.invalid/';

/** The settings for a verb that sends no callback URL (uuid, secret key, algorithm, base URL). */
export function resolveReadConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): ConnectionSettings {
  return resolveConnection(
    {
      ...flags,
      orderCallbackUrl: flags.orderCallbackUrl ?? UNUSED_CALLBACK_URL,
      callCallbackUrl: flags.callCallbackUrl ?? UNUSED_CALLBACK_URL,
    },
    env,
  );
}

/** Requests sent per API path (retries included): the `requests` of a summary. */
export type RequestCounts = Map<string, number>;

/** A signed client for `settings` that counts the requests it sends, per path. */
export function readingClient(settings: ConnectionSettings, options: { timeoutMs: number }): { client: CallbotClient; requests: RequestCounts } {
  const requests: RequestCounts = new Map();
  const client = createCallbotClient({
    baseUrl: settings.baseUrl,
    uuid: settings.uuid,
    secretKey: settings.secretKey,
    algorithm: settings.algorithm,
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
