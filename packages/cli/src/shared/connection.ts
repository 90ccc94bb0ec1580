import { type CallbotClient, type CallbotClientOptions, createCallbotClient, type RetryInfo, retCodeInfo } from 'callbot-contract';
import { type ApiConnectionSettings, resolveApiConnection } from './credentials.js';
import { type ConnectionFlagValues, connectionFlagsOf } from './connection-options.js';
import type { VerbIo } from './io.js';

// The signed client a verb sends with, from the connection flags. Loaded by a verb's action only
// (it brings in callbot-contract's client and validators).

export interface OpenedClient {
  client: CallbotClient;
  settings: ApiConnectionSettings;
}

export function openClient(flags: ConnectionFlagValues, io: VerbIo, verb: string): OpenedClient {
  const settings = resolveApiConnection(connectionFlagsOf(flags), io.env);
  if (settings.credentialsWarning) io.stderr.write(`${verb}: warning: ${settings.credentialsWarning}\n`);
  const client = clientFor(settings, {
    ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
    retry: { onRetry: (info) => io.stderr.write(`${verb}: ${retryReason(info)}; trying again in ${Math.ceil(info.delayMs / 1000)} s\n`) },
  });
  return { client, settings };
}

/** The signed client for resolved settings: the one place the command makes one (results/connection.ts counts its requests). */
export function clientFor(settings: ApiConnectionSettings, options: Pick<CallbotClientOptions, 'timeoutMs' | 'retry' | 'fetch'> = {}): CallbotClient {
  return createCallbotClient({ baseUrl: settings.baseUrl, uuid: settings.uuid, secretKey: settings.secretKey, algorithm: settings.algorithm, ...options });
}

/** Why the client sends again, for a line on stderr: `SystemBusy (7): the vendor did not process it`. */
function retryReason(info: RetryInfo): string {
  switch (info.reason) {
    case 'retCode': {
      const name = info.retCode === undefined ? undefined : retCodeInfo(info.retCode)?.name;
      return `retCode ${info.retCode}${name ? ` ${name}` : ''}: not processed (requestID ${info.requestID})`;
    }
    case 'connection':
      return `could not connect (${info.code ?? 'unknown error'}): nothing was sent`;
    case 'unknown-outcome':
      return `no readable answer to requestID ${info.requestID} (a read: safe to ask again)`;
  }
}
