import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loopbackHost } from 'callbot-contract/internal';
import { sign } from 'callbot-contract';
import type { MockAccount } from '../requests/accounts.js';
import type { Deviation, Deviator } from '../spec/deviate.js';
import type { SimEvent } from '../simulator/api.js';

/**
 * Whether the mock may send to this URL. A mock must not become a way to make requests to
 * arbitrary hosts: by default only loopback (127.0.0.0/8, ::1, `localhost`) is allowed; other
 * hosts must be named in `allowHosts`. The check is on the parsed URL's host, which the WHATWG
 * parser has normalised (`http://2130706433/` is 127.0.0.1); redirects are never followed.
 */
export function isAllowedCallbackUrl(url: string, allowHosts: readonly string[] = []): { allowed: boolean; host: string; reason?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, host: '', reason: 'not a valid URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { allowed: false, host: parsed.host, reason: 'not http(s)' };
  const loopback = loopbackHost(parsed);
  if (loopback) return { allowed: true, host: loopback };
  const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (allowHosts.includes(host)) return { allowed: true, host };
  return { allowed: false, host, reason: 'not loopback and not allow-listed (--allow-callback-host)' };
}

export type CallbackKind = 'call' | 'order' | 'task';

/** One callback as recorded for `GET /__mock/callbacks` (never the payload's signature base or a secret). */
export interface DeliveryRecord {
  /** Consecutive, from 1: the paging cursor of `GET /__mock/callbacks`. */
  id: number;
  kind: CallbackKind;
  url: string;
  /** The simulator's event number (consecutive over the world's life). */
  seq: number;
  userTaskID: string;
  /** The order it is about (call and order callbacks; absent for task callbacks). */
  orderID?: string;
  requestID: string;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  /** When it was recorded (real time, ISO 8601). */
  at: string;
  /** When it happened in the simulated world (virtual time, ISO 8601). */
  virtualAt: string;
  /** How its payload deviates from the spec's schema (the `deviate` option), when it does. */
  deviations?: Deviation[];
}

/** A record keeps at most this much of a URL or an error message: each record is bounded too. */
const MAX_RECORDED_URL = 2048;
const MAX_RECORDED_ERROR = 500;
const bounded = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export interface DeliveryOptions {
  maxAttempts: number;
  retryDelayMs: number;
  timeoutMs: number;
  allowHosts: readonly string[];
}

/** POSTs `body` once; resolves with the status code (redirects count as failures: never followed). */
function postOnce(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false, timeout: timeoutMs, signal },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends one signed callback with bounded retries (the caller logs failures: see
 * dispatcher.ts, one line per unreachable origin). Signed like a vendor request with the
 * account's secret and console algorithm, and — as on the vendor's callback pages — without an
 * `algorithm` header. The `requestID` stays the same across attempts (a receiver can
 * de-duplicate); `createTs` and `sign` are fresh for each.
 */
export async function deliverCallback(args: {
  event: SimEvent;
  account: MockAccount | undefined;
  options: DeliveryOptions;
  /** Makes the payload deviate (before it is signed: still authentic), once for all attempts. */
  deviator?: Deviator | undefined;
  signal: AbortSignal;
  record: (entry: DeliveryRecord) => void;
  /**
   * After each attempt (and for a skipped callback): the record as it stands and how long the
   * attempt took. `entry.status` is still `pending` when another attempt follows.
   */
  attempted?: (entry: DeliveryRecord, ms: number) => void;
}): Promise<DeliveryRecord> {
  const { event, account, options, signal } = args;
  const { kind, url, payload } = event;
  const entry: DeliveryRecord = {
    id: 0, // set by `record`
    kind,
    url: bounded(url, MAX_RECORDED_URL),
    seq: event.seq,
    userTaskID: bounded(event.userTaskID, MAX_RECORDED_URL),
    ...(typeof payload.orderID === 'string' ? { orderID: bounded(payload.orderID, MAX_RECORDED_URL) } : {}),
    requestID: randomBytes(16).toString('hex'),
    status: 'pending',
    attempts: 0,
    at: new Date().toISOString(),
    virtualAt: new Date(event.at).toISOString(),
  };
  args.record(entry);
  const check = isAllowedCallbackUrl(url, options.allowHosts);
  if (!check.allowed || !account) {
    entry.status = 'skipped';
    entry.lastError = account ? `host ${check.host || '(none)'} ${check.reason}` : `account ${event.uuid} is not known to this mock`;
    args.attempted?.(entry, 0);
    return entry;
  }
  const deviated = args.deviator?.callback(kind, event.seq, payload);
  if (deviated?.deviations.length) entry.deviations = deviated.deviations;
  const body = Buffer.from(JSON.stringify(deviated?.value ?? payload), 'utf8');
  const target = new URL(url);
  let ms = 0;
  for (let attempt = 1; attempt <= options.maxAttempts && !signal.aborted; attempt += 1) {
    entry.attempts = attempt;
    const createTs = String(Math.floor(Date.now() / 1000));
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      requestID: entry.requestID,
      uuid: account.uuid,
      createTs,
      sign: sign({ secretKey: account.secretKey, algorithm: account.algorithm, body, createTs, requestID: entry.requestID, uuid: account.uuid }),
    };
    const started = Date.now();
    try {
      const status = await postOnce(target, headers, body, options.timeoutMs, signal);
      ms = Date.now() - started;
      entry.lastStatusCode = status;
      delete entry.lastError;
      if (status >= 200 && status < 300) {
        entry.status = 'delivered';
        args.attempted?.(entry, ms);
        return entry;
      }
    } catch (error) {
      ms = Date.now() - started;
      if (signal.aborted) break;
      entry.lastError = bounded((error as Error).message, MAX_RECORDED_ERROR);
    }
    if (attempt < options.maxAttempts) {
      args.attempted?.(entry, ms);
      try {
        await sleep(options.retryDelayMs * 2 ** (attempt - 1), undefined, { signal, ref: false });
      } catch {
        break; // aborted: the mock is closing
      }
    }
  }
  entry.status = 'failed';
  if (signal.aborted) entry.lastError = 'mock closed';
  args.attempted?.(entry, ms);
  return entry;
}
