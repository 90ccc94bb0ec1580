import { type Command, InvalidArgumentError, Option } from 'commander';

// The flags every verb that talks to the API takes: where to send and as whom. They mean what
// they mean for `callbot import` (flag > environment > --config > default; the demo account only
// on loopback), and are resolved by the same code (import/credentials.ts). This module only
// declares them: it loads nothing that `callbot <verb> --help` should not have to load.

export interface ConnectionFlagValues {
  baseUrl?: string;
  uuid?: string;
  secret?: string;
  algorithm?: string;
  config?: string;
  timeoutMs?: number;
}

export const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--base-url <url>', 'API base URL [env CALLBOT_BASE_URL] (default: the local mock, http://127.0.0.1:4010)')
    .option('--uuid <uuid>', "account uuid [env CALLBOT_UUID] (default on loopback: the mock's demo account)")
    .option('--secret <secretKey>', 'account secret key [env CALLBOT_SECRET_KEY; prefer the environment: flags show in `ps`]')
    .addOption(new Option('--algorithm <alg>', 'signature algorithm [env CALLBOT_ALGORITHM]').choices(['MD5', 'SHA256']))
    .option('--config <file>', 'JSON file with uuid, secretKey, algorithm, baseUrl [env CALLBOT_CONFIG]')
    .option('--timeout-ms <ms>', 'how long one attempt may take (default 120000)', positiveInteger);
}
