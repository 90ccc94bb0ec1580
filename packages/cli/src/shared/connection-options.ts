import { type Command, Option } from 'commander';
import type { ConnectionFlags } from './credentials.js';
import { positiveInteger } from './whole-number.js';

// The flags of every verb that talks to the API (or, for `callbot listen`, verifies what it
// sends): where to send and as whom. Declared here once — the flag, its environment variable,
// its value's parser — and resolved by one piece of code (shared/credentials.ts: flag >
// environment > --config > default; the demo account only on loopback). A verb may word a flag's
// help for itself (`callbot probe` names the vendor's host, `callbot listen` has no --base-url).
// This module only declares them: it loads nothing that `callbot <verb> --help` should not have
// to load.

/** What commander parses the flags below into. */
export interface ConnectionFlagValues extends Pick<ConnectionFlags, 'baseUrl' | 'uuid' | 'secret' | 'algorithm' | 'config'> {
  timeoutMs?: number;
}

/** Only the connection flags of a verb's flags: what shared/credentials.ts resolves. */
export const connectionFlagsOf = (flags: ConnectionFlagValues): ConnectionFlags => ({
  baseUrl: flags.baseUrl,
  uuid: flags.uuid,
  secret: flags.secret,
  algorithm: flags.algorithm,
  config: flags.config,
});

export type ConnectionFlag = 'baseUrl' | 'uuid' | 'secret' | 'algorithm' | 'config';

/** A flag's help, `<what> [env VAR] (<note>)`: what a verb says instead of the usual (note '' for none), or false for a flag it does not take. */
export type ConnectionWording = Partial<Record<ConnectionFlag, { what?: string; note?: string } | false>> & {
  /** `--timeout-ms`'s help where it comes last (false: the verb places it itself, with timeoutOption). */
  timeout?: string | false;
};

const FLAGS: Record<ConnectionFlag, { flags: string; env: string; what: string; note?: string }> = {
  baseUrl: { flags: '--base-url <url>', env: 'CALLBOT_BASE_URL', what: 'API base URL', note: 'default: the local mock, http://127.0.0.1:4010' },
  uuid: { flags: '--uuid <uuid>', env: 'CALLBOT_UUID', what: 'account uuid', note: "default on loopback: the mock's demo account" },
  secret: { flags: '--secret <secretKey>', env: 'CALLBOT_SECRET_KEY; prefer the environment: flags show in `ps`', what: 'account secret key' },
  algorithm: { flags: '--algorithm <alg>', env: 'CALLBOT_ALGORITHM', what: 'signature algorithm' },
  config: { flags: '--config <file>', env: 'CALLBOT_CONFIG', what: 'JSON file with uuid, secretKey, algorithm, baseUrl' },
};

/** The connection flags, in their order, worded for one verb. */
function connectionOptions(wording: ConnectionWording = {}): Option[] {
  const options: Option[] = [];
  for (const key of Object.keys(FLAGS) as ConnectionFlag[]) {
    const own = wording[key];
    if (own === false) continue;
    const flag = FLAGS[key];
    const note = own?.note ?? flag.note;
    const option = new Option(flag.flags, `${own?.what ?? flag.what} [env ${flag.env}]${note ? ` (${note})` : ''}`);
    options.push(key === 'algorithm' ? option.choices(['MD5', 'SHA256']) : option);
  }
  return options;
}

/** `--timeout-ms`: how long one attempt (or request) may take, in ms. */
export function timeoutOption(description: string, parse: (value: string) => number = positiveInteger, defaultMs?: number): Option {
  const option = new Option('--timeout-ms <ms>', description).argParser(parse);
  return defaultMs === undefined ? option : option.default(defaultMs);
}

/** Adds the connection flags (and, unless wording.timeout is false, --timeout-ms after them) to `command`. */
export function addConnectionOptions(command: Command, wording: ConnectionWording = {}): Command {
  for (const option of connectionOptions(wording)) command.addOption(option);
  if (wording.timeout !== false) command.addOption(timeoutOption(wording.timeout ?? 'how long one attempt may take (default: 120000)'));
  return command;
}
