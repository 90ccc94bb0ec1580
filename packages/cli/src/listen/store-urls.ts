import { UsageError } from '../shared/usage-error.js';

// The shared stores of `callbot listen`, as the user names them: `--dedupe redis://HOST:PORT[/DB]`
// and `--out postgres://USER@HOST:PORT/DB[?table=NAME]`. Read here, before anything connects;
// a URL that does not read is a StoreUrlError naming the flag (exit 1). A password in a URL is
// taken but never shown: every message and line prints the URL through `shown` (`***` for it).
// The environment is preferred for it: PGPASSWORD (PostgreSQL), REDISCLI_AUTH (Redis).

export class StoreUrlError extends UsageError {}

/** The URL with its password (if any) replaced by `***`, for messages. */
export function shown(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/** `text` with every occurrence of `secret` replaced by `***` (a client's error could quote it). */
export const withoutSecret = (text: string, secret: string | undefined): string => (secret ? text.split(secret).join('***') : text);

export const isPostgresUrl = (value: string): boolean => /^postgres(ql)?:\/\//i.test(value);

function read(value: string, flag: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The text itself may hold a password: not echoed.
    throw new StoreUrlError(`${flag}: not a URL; expected ${what}`);
  }
  if (!url.hostname) throw new StoreUrlError(`${flag}: ${shown(url)} names no host; expected ${what}`);
  return url;
}

export interface RedisTarget {
  url: URL;
  /** For node-redis: the URL as given (its password included), or with REDISCLI_AUTH as the password. */
  password: string | undefined;
}

const REDIS_FORM = 'redis://HOST:PORT[/DB] (or rediss:// for TLS)';

export function redisTarget(value: string, env: Readonly<Record<string, string | undefined>>): RedisTarget {
  const url = read(value, '--dedupe', REDIS_FORM);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new StoreUrlError(`--dedupe: ${shown(url)} is not a Redis URL; expected ${REDIS_FORM}`);
  const db = url.pathname.replace(/^\//, '');
  if (db && !/^\d{1,5}$/.test(db)) throw new StoreUrlError(`--dedupe: ${shown(url)}: the database must be a number (redis://HOST:PORT/0)`);
  if (url.search) throw new StoreUrlError(`--dedupe: ${shown(url)}: no parameters are read (${url.search.slice(1).split('=')[0]})`);
  return { url, password: url.password ? decodeURIComponent(url.password) : env.REDISCLI_AUTH || undefined };
}

/** A lowercase SQL identifier, optionally schema-qualified: the only table names put into SQL. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export const DEFAULT_CALLBACK_TABLE = 'callbot_callbacks';
/** Its replay table is named after it: `<table>_replay`. */
export const REPLAY_TABLE_SUFFIX = '_replay';

export interface PostgresTarget {
  url: URL;
  /** For pg: no connection string (its query parameters would be taken as settings), the parts. */
  connection: { host: string; port: number; user?: string; database?: string; password?: string };
  table: string;
}

const POSTGRES_FORM = 'postgres://USER@HOST:PORT/DB[?table=NAME]';

export function postgresTarget(value: string, env: Readonly<Record<string, string | undefined>>): PostgresTarget {
  const url = read(value, '--out', POSTGRES_FORM);
  const params = [...url.searchParams.keys()].filter((key) => key !== 'table');
  if (params.length > 0) throw new StoreUrlError(`--out: ${shown(url)}: only ?table=NAME is read, not ${params.join(', ')}`);
  const table = url.searchParams.get('table') ?? DEFAULT_CALLBACK_TABLE;
  const parts = table.split('.');
  const bare = parts[parts.length - 1]!;
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part)) || bare.length + REPLAY_TABLE_SUFFIX.length > 63) {
    throw new StoreUrlError(
      `--out: table ${JSON.stringify(table)} is not a lowercase SQL identifier (letters, digits, _; at most ${63 - REPLAY_TABLE_SUFFIX.length} characters), optionally schema.table`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const password = url.password ? decodeURIComponent(url.password) : env.PGPASSWORD || undefined;
  return {
    url,
    connection: {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : 5432,
      ...(url.username ? { user: decodeURIComponent(url.username) } : env.PGUSER ? { user: env.PGUSER } : {}),
      ...(database ? { database } : {}),
      ...(password ? { password } : {}),
    },
    table,
  };
}
