import { gunzipSync } from 'node:zlib';
import { RetCodes } from '../generated/retcodes.js';
import type { components } from '../generated/schema.js';
import { CallbotPackageError } from './errors.js';
import { type SignAlgorithm, verifySignature } from './sign.js';
import { validateAgainst } from './validate.js';

export type OrderFinishedCallback = components['schemas']['OrderFinishedCallback'];
export type CallFinishedCallback = components['schemas']['CallFinishedCallback'];

export type CallbackRejection =
  | 'missing-header' | 'uuid-mismatch' | 'bad-signature' | 'stale' | 'future' | 'replayed'
  | 'too-large' | 'bad-encoding' | 'invalid-payload';

/** A callback that must not be trusted. `reason` is machine-readable; nothing secret is included. */
export class CallbackVerificationError extends CallbotPackageError {
  readonly reason: CallbackRejection;
  constructor(reason: CallbackRejection, message: string, requestID?: string) {
    super(message, { requestID });
    this.reason = reason;
  }
}

export interface VerifyCallbackOptions {
  /** Header names in any case: a Headers object or a plain record (e.g. Node's `req.headers`). */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The exact JSON text received (uncompressed). */
  body: string | Uint8Array;
  secretKey: string;
  /** When given, the callback's `uuid` header must be this account. */
  uuid?: string;
  /**
   * Callbacks carry no `algorithm` header (the vendor uses the one set in the console). When not
   * given, it is taken from the signature's length: 32 hex → MD5, 64 → SHA256.
   */
  algorithm?: SignAlgorithm;
  /** Allowed distance between `createTs` and now. Default 300 s. */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch. Injected by tests. */
  now?: () => number;
}

function headerOf(headers: VerifyCallbackOptions['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Checks a callback's signature (constant time) and freshness; throws CallbackVerificationError. */
export function verifyCallback(options: VerifyCallbackOptions): { requestID: string; uuid: string; createTs: number } {
  const get = (name: string) => headerOf(options.headers, name);
  const requestID = get('requestID');
  const uuid = get('uuid');
  const createTs = get('createTs');
  const given = get('sign');
  if (!requestID || !uuid || !createTs || !given) {
    throw new CallbackVerificationError('missing-header', 'callback lacks one of the requestID, uuid, createTs, sign headers', requestID);
  }
  if (options.uuid !== undefined && uuid !== options.uuid) {
    throw new CallbackVerificationError('uuid-mismatch', `callback is for another account (uuid ${uuid})`, requestID);
  }
  const algorithm = options.algorithm ?? (given.length === 64 ? 'SHA256' : 'MD5');
  if (!verifySignature({ secretKey: options.secretKey, body: options.body, createTs, requestID, uuid, algorithm, sign: given })) {
    throw new CallbackVerificationError('bad-signature', 'callback signature does not match', requestID);
  }
  const seconds = Number(createTs);
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (!/^\d{1,12}$/.test(createTs) || now - seconds > tolerance) {
    throw new CallbackVerificationError('stale', `callback createTs ${createTs} is older than ${tolerance} s`, requestID);
  }
  if (seconds - now > tolerance) {
    throw new CallbackVerificationError('future', `callback createTs ${createTs} is more than ${tolerance} s ahead`, requestID);
  }
  return { requestID, uuid, createTs: seconds };
}

export interface CallbackHandlerOptions extends Omit<VerifyCallbackOptions, 'headers' | 'body'> {
  onOrderFinished?: (payload: OrderFinishedCallback, meta: { requestID: string }) => void | Promise<void>;
  onCallFinished?: (payload: CallFinishedCallback, meta: { requestID: string }) => void | Promise<void>;
  /** Largest body accepted on the wire. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest body accepted after gunzip. Default 4 MiB. */
  maxDecompressedBytes?: number;
  /**
   * Most requestIDs remembered at once (a memory bound). Each is kept for twice the tolerance
   * window; after that a replay fails the createTs check anyway. Default 100,000.
   */
  replayCacheSize?: number;
}

const json = (status: number, retCode: number, retMsg: string) =>
  new Response(JSON.stringify({ retCode, retMsg }), { status, headers: { 'content-type': 'application/json' } });

async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new CallbackVerificationError('too-large', `body over ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new CallbackVerificationError('too-large', `body over ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}

/**
 * requestIDs seen recently, with whether their handler finished. A vendor retry reuses the
 * requestID (with a fresh createTs and sign), so an ID already handled is acknowledged again
 * rather than refused; an ID still being handled is refused (409) so the sender tries later.
 */
class SeenRequests {
  private readonly entries = new Map<string, { done: boolean; expires: number }>(); // insertion-ordered

  constructor(private readonly capacity: number, private readonly keepMs: number) {}

  state(requestID: string, now: number): 'new' | 'handling' | 'done' {
    this.evict(now);
    const entry = this.entries.get(requestID);
    return entry ? (entry.done ? 'done' : 'handling') : 'new';
  }

  start(requestID: string, now: number): void {
    this.entries.set(requestID, { done: false, expires: now + this.keepMs });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  finish(requestID: string, ok: boolean): void {
    if (ok) this.entries.get(requestID)!.done = true;
    else this.entries.delete(requestID); // not handled: the vendor's retry must get through
  }

  private evict(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expires > now) break; // entries are in insertion order, so in expiry order
      this.entries.delete(id);
    }
  }
}

/**
 * A Web-standard handler for both callback URLs: `(Request) => Promise<Response>`. It verifies
 * the signature, refuses stale and future callbacks, caps sizes, validates the payload against
 * the spec, and hands it to `onOrderFinished` (callbackType is a string) or `onCallFinished`
 * (callbackType is a number) — at most once per requestID: a repeat of a handled requestID is
 * answered 200 without calling your code again, one still being handled gets 409. Answers 200
 * `{"retCode":0}` once the handler has run; 4xx when the callback is refused; 500 when your
 * handler throws (so the vendor may retry).
 */
export function createCallbackHandler(options: CallbackHandlerOptions): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxDecompressedBytes = options.maxDecompressedBytes ?? 4 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const seen = new SeenRequests(options.replayCacheSize ?? 100_000, 2 * (options.toleranceSeconds ?? 300) * 1000);

  return async (request) => {
    if (request.method !== 'POST') return json(405, RetCodes.GeneralError.code, 'callbacks are POST requests');
    let requestID: string | undefined;
    try {
      let body = await readCapped(request, maxBodyBytes);
      if ((request.headers.get('content-encoding') ?? '').toLowerCase() === 'gzip') {
        try {
          body = gunzipSync(body, { maxOutputLength: maxDecompressedBytes });
        } catch {
          throw new CallbackVerificationError('bad-encoding', `gzip body is corrupt or over ${maxDecompressedBytes} bytes`);
        }
      }
      ({ requestID } = verifyCallback({ ...options, headers: request.headers, body }));
      const state = seen.state(requestID, now());
      if (state === 'done') return json(200, RetCodes.Success.code, 'success (already handled)');
      if (state === 'handling') throw new CallbackVerificationError('replayed', `requestID ${requestID} is being handled`, requestID);
      let payload: unknown;
      try {
        payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
      } catch {
        throw new CallbackVerificationError('invalid-payload', 'body is not UTF-8 JSON', requestID);
      }
      const isOrder = typeof (payload as { callbackType?: unknown })?.callbackType === 'string';
      const issues = validateAgainst(isOrder ? 'OrderFinishedCallback' : 'CallFinishedCallback', payload);
      if (issues.length > 0) {
        throw new CallbackVerificationError('invalid-payload', `payload breaks the contract at ${issues[0]!.path || '(body)'}: ${issues[0]!.message}`, requestID);
      }
      seen.start(requestID, now());
      try {
        if (isOrder) await options.onOrderFinished?.(payload as OrderFinishedCallback, { requestID });
        else await options.onCallFinished?.(payload as CallFinishedCallback, { requestID });
      } catch {
        seen.finish(requestID, false);
        return json(500, RetCodes.InternalServerError.code, 'callback handler failed');
      }
      seen.finish(requestID, true);
      return json(200, RetCodes.Success.code, 'success');
    } catch (error) {
      if (!(error instanceof CallbackVerificationError)) return json(400, RetCodes.ParameterFormatError.code, 'unreadable callback');
      const status = { 'too-large': 413, replayed: 409, 'invalid-payload': 400, 'bad-encoding': 400 }[error.reason as string] ?? 401;
      return json(status, status === 401 ? RetCodes.IncorrectSignature.code : RetCodes.ParameterFormatError.code, error.message);
    }
  };
}
