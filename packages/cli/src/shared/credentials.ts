import { DEMO_ACCOUNT, MOCK_DEFAULT_BASE_URL } from 'callbot-contract';
import { readJsonObjectFile } from 'callbot-contract/internal';
import { isSignAlgorithm, type SignAlgorithm } from 'callbot-contract';
import { isLoopbackUrl } from 'callbot-contract/internal';
import { UsageError } from './usage-error.js';

// Where `callbot` sends (import and every other verb that talks to the vendor), as whom, and
// where the vendor should call back. Each value is taken from the first place that has it:
// flag > environment > config file (`--config`) > default. The defaults are the local mock and its public demo account; the demo account is
// used only when the base URL is a loopback address, so the demo secret can never be sent to
// the real vendor, and a non-loopback URL without credentials is an error.

export interface ConnectionFlags {
  baseUrl?: string;
  uuid?: string;
  secret?: string;
  algorithm?: string;
  orderCallbackUrl?: string;
  callCallbackUrl?: string;
  config?: string;
}

export type Source = 'flag' | 'env' | 'config' | 'default';

export interface ConnectionSettings {
  baseUrl: string;
  uuid: string;
  secretKey: string;
  algorithm: SignAlgorithm;
  orderCallbackUrl: string;
  callCallbackUrl: string;
  /** Where the uuid came from (kept under its old name: the "sending as" line's source). */
  credentialsFrom: Source;
  /** Where the uuid came from. */
  uuidFrom: Source;
  /** Where the secret key came from (never the secret itself). */
  secretFrom: Source;
  /**
   * Set when the uuid and the secret key come from different places (`--uuid` with a
   * CALLBOT_SECRET_KEY, say): a pair that may not belong together, worth a warning.
   */
  credentialsWarning?: string | undefined;
  /** The config file read (`--config` or CALLBOT_CONFIG), if any. */
  configFile?: string | undefined;
  usingDemoAccount: boolean;
}

export class ConfigError extends UsageError {}

/** Callback receivers assumed when talking to a local mock (e.g. `createCallbackReceiver` on 8787). */
export const LOOPBACK_ORDER_CALLBACK_URL = 'http://127.0.0.1:8787/callbot/order';
export const LOOPBACK_CALL_CALLBACK_URL = 'http://127.0.0.1:8787/callbot/call';

const CONFIG_KEYS = ['uuid', 'secretKey', 'algorithm', 'baseUrl', 'orderCallbackUrl', 'callCallbackUrl'] as const;
type ConfigFile = Partial<Record<(typeof CONFIG_KEYS)[number], string>>;

export function readConfigFile(file: string): ConfigFile {
  const read = readJsonObjectFile(file);
  if ('problem' in read) throw new ConfigError(read.problem);
  const parsed = read.object;
  for (const [key, value] of Object.entries(parsed)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) throw new ConfigError(`--config ${file}: unknown key "${key}" (known: ${CONFIG_KEYS.join(', ')})`);
    if (typeof value !== 'string') throw new ConfigError(`--config ${file}: "${key}" must be a string`);
  }
  return parsed as ConfigFile;
}

function httpUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${label} "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${label} must be an http or https URL`);
  return value;
}

const pick = (...candidates: [string | undefined, Source][]): [string, Source] | undefined => {
  for (const [value, source] of candidates) if (value !== undefined && value !== '') return [value, source];
  return undefined;
};

/** The settings of a verb that sends no callback URL: uuid, secret key, algorithm, base URL. */
export type ApiConnectionSettings = Omit<ConnectionSettings, 'orderCallbackUrl' | 'callCallbackUrl'>;

export interface ResolveOptions {
  /**
   * false: the verb sends no callback URL (task, results, listen, probe), so none is required
   * or defaulted, even off loopback, and none is returned. Default true (`callbot import`).
   */
  callbackUrls?: boolean;
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, options?: { callbackUrls?: true }): ConnectionSettings;
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, options: { callbackUrls: false }): ApiConnectionSettings;
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, options: ResolveOptions = {}): ConnectionSettings | ApiConnectionSettings {
  const configPath = flags.config ?? env.CALLBOT_CONFIG;
  const config = configPath ? readConfigFile(configPath) : {};

  const baseUrl = httpUrl(
    pick([flags.baseUrl, 'flag'], [env.CALLBOT_BASE_URL, 'env'], [config.baseUrl, 'config'])?.[0] ?? MOCK_DEFAULT_BASE_URL,
    'base URL',
  ).replace(/\/+$/, '');
  const loopback = isLoopbackUrl(baseUrl);

  const uuid = pick([flags.uuid, 'flag'], [env.CALLBOT_UUID, 'env'], [config.uuid, 'config']);
  const secret = pick([flags.secret, 'flag'], [env.CALLBOT_SECRET_KEY, 'env'], [config.secretKey, 'config']);
  if ((uuid === undefined) !== (secret === undefined)) {
    throw new ConfigError(
      uuid
        ? 'a uuid was given without its secret key (--secret, CALLBOT_SECRET_KEY or "secretKey" in --config)'
        : 'a secret key was given without its uuid (--uuid, CALLBOT_UUID or "uuid" in --config)',
    );
  }
  const usingDemoAccount = uuid === undefined;
  if (usingDemoAccount && !loopback) {
    throw new ConfigError(`no credentials for ${baseUrl}: give --uuid and CALLBOT_SECRET_KEY (or --config). The demo account only opens the local mock.`);
  }

  const algorithmText =
    pick([flags.algorithm, 'flag'], [env.CALLBOT_ALGORITHM, 'env'], [config.algorithm, 'config'])?.[0]?.toUpperCase() ??
    (usingDemoAccount ? DEMO_ACCOUNT.algorithm : 'MD5');
  if (!isSignAlgorithm(algorithmText)) throw new ConfigError(`algorithm must be MD5 or SHA256 (got "${algorithmText}")`);

  const callbackUrl = (flag: string | undefined, envValue: string | undefined, configValue: string | undefined, loopbackDefault: string, label: string) => {
    const given = pick([flag, 'flag'], [envValue, 'env'], [configValue, 'config'])?.[0];
    if (given !== undefined) return httpUrl(given, label);
    if (loopback) return loopbackDefault;
    throw new ConfigError(`${label} is required when sending to ${baseUrl} (the vendor posts call results there)`);
  };

  const uuidFrom: Source = uuid?.[1] ?? 'default';
  const secretFrom: Source = secret?.[1] ?? 'default';
  let credentialsWarning: string | undefined;
  if (uuidFrom !== secretFrom) {
    const where = (source: Source, what: 'uuid' | 'secret') =>
      source === 'flag'
        ? what === 'uuid'
          ? '--uuid'
          : '--secret'
        : source === 'env'
          ? what === 'uuid'
            ? 'CALLBOT_UUID'
            : 'CALLBOT_SECRET_KEY'
          : `--config ${configPath}`;
    // The place the secret came from may name a uuid of its own (uuids are not secret).
    const pairedUuid = secretFrom === 'flag' ? flags.uuid : secretFrom === 'env' ? env.CALLBOT_UUID : config.uuid;
    const other = pairedUuid && pairedUuid !== uuid![0] ? `; ${where(secretFrom, 'secret')} names another uuid (${pairedUuid})` : '';
    credentialsWarning = `the uuid (from ${where(uuidFrom, 'uuid')}) and the secret key (from ${where(secretFrom, 'secret')}) come from different places${other}: check that they belong to the same account`;
  }

  const settings: ApiConnectionSettings = {
    baseUrl,
    uuid: uuid?.[0] ?? DEMO_ACCOUNT.uuid,
    secretKey: secret?.[0] ?? DEMO_ACCOUNT.secretKey,
    algorithm: algorithmText,
    credentialsFrom: uuidFrom,
    uuidFrom,
    secretFrom,
    credentialsWarning,
    configFile: configPath || undefined,
    usingDemoAccount,
  };
  if (options.callbackUrls === false) return settings;
  return {
    ...settings,
    orderCallbackUrl: callbackUrl(
      flags.orderCallbackUrl,
      env.CALLBOT_ORDER_CALLBACK_URL,
      config.orderCallbackUrl,
      LOOPBACK_ORDER_CALLBACK_URL,
      '--order-callback-url',
    ),
    callCallbackUrl: callbackUrl(
      flags.callCallbackUrl,
      env.CALLBOT_CALL_CALLBACK_URL,
      config.callCallbackUrl,
      LOOPBACK_CALL_CALLBACK_URL,
      '--call-callback-url',
    ),
  };
}

/** resolveConnection for a verb that sends no callback URL (every verb but `callbot import`). */
export function resolveApiConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): ApiConnectionSettings {
  return resolveConnection(flags, env, { callbackUrls: false });
}

/** Where the batch goes and as whom, for the "sending as" line: each source named, the secret only as its length. */
export function describeCredentials(settings: ConnectionSettings): string {
  if (settings.usingDemoAccount) return "the mock's demo account";
  const secret = `secret ${maskSecret(settings.secretKey)}`;
  return settings.uuidFrom === settings.secretFrom
    ? `${secret} from ${settings.secretFrom}`
    : `uuid from ${settings.uuidFrom}, ${secret} from ${settings.secretFrom}`;
}

/**
 * `<secretKey, 32 chars>`: no character of the secret. It is printed next to full signatures
 * (`callbot sign` output meant for tickets), so every character shown would be one fewer to guess.
 */
export function maskSecret(secret: string): string {
  return `<secretKey, ${secret.length} chars>`;
}
