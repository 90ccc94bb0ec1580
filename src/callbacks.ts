import { gunzipSync } from 'node:zlib';
import { RetCodes } from '../generated/retcodes.js';
import { Callbacks } from '../generated/vendor-facts.js';
import type { components } from '../generated/schema.js';
import { DIRECT_RECEIVE, type DirectAnswer, type DirectReceive } from './direct-receive.js';
import { CallbotPackageError } from './errors.js';
import { memoryReplayStore, type ReplayClaim, type ReplayStore } from './replay-store.js';
import { type SignAlgorithm, verifySignature } from './sign.js';
import { boundDeviations, type Deviations, MAX_LISTED_DEVIATIONS, NO_DEVIATIONS, type RateLimited, rateLimitedReporter } from './deviations.js';
import { firstIssues, vendorDeviations } from './validate.js';

/**
 * The order-finished callback as the spec declares it. **At run time a field may deviate**: the
 * receiver hands on every verified callback as received (nulls, missing fields, other types,
 * undocumented values, extra fields), and `meta.deviations` lists where it departs from this
 * type. Check a field before trusting it, or type your handler's parameter `Tolerant<…>`.
 */
export type OrderFinishedCallback = components['schemas']['OrderFinishedCallback'];
/** The call-finished callback as the spec declares it. **At run time a field may deviate**: see OrderFinishedCallback. */
export type CallFinishedCallback = components['schemas']['CallFinishedCallback'];
/** The task-status callback as the spec declares it. **At run time a field may deviate**: see OrderFinishedCallback. */
export type TaskStatusChangedCallback = components['schemas']['TaskStatusCallback'];
/** The three callbacks: `task` (taskCallbackUrl), `order` (orderCallbackUrl), `call` (callCallbackUrl). */
export type CallbackKind = keyof typeof Callbacks;

/** What the receiver tells a handler besides the payload: its second argument. */
export interface CallbackMeta extends Deviations {
  /** The callback's `requestID` header: the same for every delivery of one callback. */
  readonly requestID: string;
  /** Which callback it is: `only` when given, else what callbackKind told from the payload. */
  readonly kind: CallbackKind;
  /**
   * The body the signature was verified over (inflated when it came gzip-encoded), byte for byte:
   * to store or pass on exactly what the vendor sent (parsing and serializing again changes a
   * 20-digit number, `1.50` or `1e400`). Do not modify it.
   */
  readonly body: Uint8Array;
  /** The algorithm the signature was verified with: `algorithm` when given, else told by its length. */
  readonly algorithm: SignAlgorithm;
}

/**
 * A handler of one callback. `payload` is typed as the spec declares it but is the body as
 * received: when `meta.deviationCount` is not 0, some field departs from that type (see
 * `meta.deviations`). It runs once per requestID (see createCallbackHandler).
 */
export type CallbackHandler<P> = (payload: P, meta: CallbackMeta) => void | Promise<void>;

/** What `onDeviation` receives: a verified callback whose payload departs from the spec. */
export interface CallbackDeviationReport extends Deviations, RateLimited {
  readonly requestID: string;
  readonly kind: CallbackKind;
  /** true when `strict` refused the callback (400); false when it was handed to your handler. */
  readonly refused: boolean;
}

export type CallbackRejection =
  | 'missing-header'
  | 'uuid-mismatch'
  | 'bad-signature'
  | 'stale'
  | 'future'
  | 'replayed'
  | 'too-large'
  | 'bad-encoding'
  | 'invalid-payload';

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
  // Node's req.headers (and a Headers object copied into a record) hold lowercase names.
  const direct = Object.hasOwn(headers, wanted) ? headers[wanted] : undefined;
  if (direct !== undefined) return Array.isArray(direct) ? direct[0] : direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** The algorithm a callback is checked with: the one required, else told by the signature's length (64 hex: SHA256). */
const signedWith = (sign: string, required: SignAlgorithm | undefined): SignAlgorithm => required ?? (sign.length === 64 ? 'SHA256' : 'MD5');

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
  const algorithm = signedWith(given, options.algorithm);
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
  /** The order-finished callback (orderCallbackUrl). Its payload may deviate from the type: see CallbackHandler. */
  onOrderFinished?: CallbackHandler<OrderFinishedCallback>;
  /** The call-finished callback (callCallbackUrl). Its payload may deviate from the type: see CallbackHandler. */
  onCallFinished?: CallbackHandler<CallFinishedCallback>;
  /** The task-status callback (taskCallbackUrl). Its payload may deviate from the type: see CallbackHandler. */
  onTaskStatusChanged?: CallbackHandler<TaskStatusChangedCallback>;
  /**
   * Refuse (400, reason `invalid-payload`, "payload breaks the contract at …") a verified
   * callback whose payload departs from the spec's schema, as versions up to 0.3 did. Off by
   * default: the vendor's result would be lost to a guess in the spec (it may send it again, and
   * again be refused), so a verified callback is handed on with its deviations instead.
   */
  strict?: boolean;
  /**
   * Called for each verified callback whose payload departs from the spec (once per delivery
   * that reaches your handler, and for each one `strict` refuses), at most
   * `deviationReportsPerMinute` times a minute; the reports left out are counted in the next
   * one's `suppressed`. For a log line or a metric; what it throws or rejects is ignored.
   */
  onDeviation?: (report: CallbackDeviationReport) => void | Promise<void>;
  /** Most `onDeviation` calls per minute. Default 10. */
  deviationReportsPerMinute?: number;
  /**
   * The one callback this handler's URL receives, when you give each callback URL its own
   * handler (the spec's advice: tell them apart by URL). Without it, one handler takes all three
   * and tells them apart by their payloads (see createCallbackHandler).
   */
  only?: CallbackKind;
  /** Largest body accepted on the wire. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest body accepted after gunzip. Default 4 MiB. */
  maxDecompressedBytes?: number;
  /**
   * Most requestIDs remembered at once (a memory bound; default 100,000). A requestID is kept
   * while its handler runs and then for as long as a repeat of it could pass the createTs check
   * (see createCallbackHandler); when that many must be kept, a new requestID is answered 503
   * with `Retry-After` instead of forgetting one. Ignored when `replayStore` is given.
   */
  replayCacheSize?: number;
  /**
   * Where requestIDs are recorded. Default: this handler's own memory (`memoryReplayStore`,
   * `replayCacheSize` entries). Give several handlers — several processes behind a load
   * balancer — one `redisReplayStore` or `postgresReplayStore` and each requestID reaches one
   * handler between them. When the store fails, the callback is answered 503 (the vendor
   * retries) and no handler is called.
   */
  replayStore?: ReplayStore;
  /**
   * Whether your side effect for `requestID` is already done, asked only when a receiver took
   * over a claim whose receiver died while handling it (its lease ran out: `redisReplayStore`,
   * `postgresReplayStore`). That receiver may have died after your side effect and before the
   * store recorded it; answer from where the side effect went (e.g. `SELECT 1 … WHERE
   * request_id = $1`). `true`: recorded as done, answered 200 "already handled", your handler
   * not called. If it throws, the callback is answered 503 (the vendor retries, and it is asked
   * again once the lease runs out). Without it, the handler runs again after such a crash.
   */
  alreadyHandled?: (requestID: string) => boolean | Promise<boolean>;
  /**
   * Called when the replay store fails (at most once a minute; `suppressed` counts the rest).
   * For a log line or an alert; what it throws or rejects is ignored.
   */
  onReplayStoreError?: (report: ReplayStoreErrorReport) => void | Promise<void>;
}

/** What `onReplayStoreError` receives. `error` is the store client's own error. */
export interface ReplayStoreErrorReport extends RateLimited {
  readonly operation: 'claim' | 'renew' | 'finish';
  readonly requestID: string;
  readonly error: unknown;
}

/** A `{retCode, retMsg}` answer; `retryAfterSeconds` adds a Retry-After header. */
const json = (status: number, retCode: number, retMsg: string, retryAfterSeconds?: number): DirectAnswer => ({
  status,
  headers:
    retryAfterSeconds === undefined ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) },
  body: JSON.stringify({ retCode, retMsg }),
});

const toResponse = (answer: DirectAnswer) => new Response(answer.body, { status: answer.status, headers: answer.headers });

/** The answer to a refused callback: a CallbackVerificationError's status, else 400 "unreadable". */
function refusal(error: unknown): DirectAnswer {
  if (!(error instanceof CallbackVerificationError)) return json(400, RetCodes.ParameterFormatError.code, 'unreadable callback');
  const status = { 'too-large': 413, replayed: 409, 'invalid-payload': 400, 'bad-encoding': 400 }[error.reason as string] ?? 401;
  return json(status, status === 401 ? RetCodes.IncorrectSignature.code : RetCodes.ParameterFormatError.code, error.message);
}

/** One decoder for every body (decode() without `stream` keeps no state between calls). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

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
 * Keys through which a parsed payload could reach `Object.prototype` in user code that merges
 * or assigns it (`__proto__`, and `constructor.prototype`). No callback schema has them, and
 * JSON.parse would make `__proto__` an own property: withoutPrototypeKeys drops all three.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `value` (parsed JSON) with those keys deleted at every depth. A walk after JSON.parse rather
 * than a reviver: a reviver costs about four times the parse itself (a call per value). An
 * explicit stack, so any nesting JSON.parse accepts is walked.
 */
function withoutPrototypeKeys(value: unknown): unknown {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (PROTOTYPE_KEYS.has(key)) delete record[key];
      else if (record[key] !== null && typeof record[key] === 'object') stack.push(record[key]);
    }
  }
  return value;
}

/**
 * Which callback a payload is. The spec's callbackType values (1 task, "2" order, 3 call) are a
 * Choice — the vendor's own examples show 1 / "1" for the call and order callbacks — so the
 * numbers are not trusted: the order callback is the one whose callbackType is a string (its
 * schema's type), the call callback carries an order (`orderID`, `callInfoDetail`, even when
 * null), and the task callback carries neither. The payload is then checked against that
 * callback's schema. Any value gives a kind (never throws): a payload too odd to tell is `task`,
 * and its deviations from the task schema say so.
 */
export function callbackKind(payload: unknown): CallbackKind {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  if (typeof p.callbackType === 'string') return 'order';
  return 'orderID' in p || 'callInfoDetail' in p ? 'call' : 'task';
}

/**
 * A Web-standard handler for the three callback URLs: `(Request) => Promise<Response>`. It
 * verifies the signature, refuses stale and future callbacks, caps sizes, and hands the payload
 * to `onOrderFinished` (callbackType is a string), `onCallFinished` (an order's call) or
 * `onTaskStatusChanged` (a task's status), as callbackKind tells them apart — or only to the one
 * named by `only`. The payload is parsed without `__proto__`, `constructor` and `prototype`
 * keys. Answers 200 `{"retCode":0}` once the handler has run; 4xx when the callback is refused;
 * 500 when your handler throws (the requestID is then forgotten, so the vendor's retry is
 * handled).
 *
 * Authenticity decides, shape does not: a callback is refused for its headers, signature,
 * createTs, a replay, its size or encoding, or a body that is not UTF-8 JSON of an object (`null`,
 * an array, a string: nothing to dispatch; 400 `invalid-payload`). A verified object that departs
 * from the spec's schema — nulls, missing fields, other types, undocumented enum values — is
 * handed on as received, with the departures in `meta.deviations` (and to `onDeviation`, bounded).
 * Fields the spec does not declare pass through too, listed as deviations ("is not a field of the
 * contract": the spec is read closed for the list, while its callback schemas stay open). Any
 * integer `callStatus` passes (its values are unpublished). `strict: true` refuses a payload
 * that breaks the spec instead (400, nothing handled); an undeclared field alone is not refused.
 *
 * Once per requestID, exactly: your handler is called at most once for all deliveries of a
 * requestID whose `createTs` is no later than the latest of (a) the createTs of any delivery of
 * it this handler has verified and (b) the moment your handler finished with it. A repeat while
 * your handler runs gets 409 (the entry is never dropped then, however long it runs); a repeat
 * afterwards gets 200 "already handled". The entry is kept until none of those deliveries can
 * pass the createTs check (`toleranceSeconds` after that latest second); a replay of any request
 * it covers is therefore recognised for as long as the createTs check would let it in. When
 * `replayCacheSize` entries must all be kept, a new requestID gets 503 (retCode 7, SystemBusy)
 * with `Retry-After` (seconds until one may go) rather than an entry being forgotten. By default
 * the memory is this handler's, in this process: a restart or a second instance starts empty.
 * Handlers given one `replayStore` (memoryReplayStore in one process; redisReplayStore or
 * postgresReplayStore between processes) keep this guarantee between them; a store that fails
 * gets the callback answered 503 (retCode 7), and no handler is called.
 */
export function createCallbackHandler(options: CallbackHandlerOptions): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxDecompressedBytes = options.maxDecompressedBytes ?? 4 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const store = options.replayStore ?? memoryReplayStore({ capacity: options.replayCacheSize, toleranceSeconds });
  /** The first ms at which a delivery created in `second` fails the createTs check. */
  const windowEnd = (second: number) => (second + toleranceSeconds + 1) * 1000;
  const report = rateLimitedReporter(options.onDeviation, options.deviationReportsPerMinute, now);
  const reportStoreError = rateLimitedReporter(options.onReplayStoreError, 1, now);
  const renew = (requestID: string, token: string) => {
    store.renew?.({ requestID, token, now: now() }).catch((error: unknown) => reportStoreError({ operation: 'renew', requestID, error }));
  };
  /** Ends a claim; a store failure is reported (the lease, if any, then runs out by itself). */
  const finish = async (requestID: string, claim: ReplayClaim, ok: boolean) => {
    if (claim.state !== 'claimed') return;
    const t = now();
    try {
      await store.finish({ requestID, token: claim.token, ok, keepUntil: windowEnd(Math.floor(t / 1000)), now: t });
    } catch (error) {
      reportStoreError({ operation: 'finish', requestID, error });
    }
  };

  const tooLarge = () => new CallbackVerificationError('too-large', `body over ${maxBodyBytes} bytes`);

  /** Everything after the body is read: the Fetch handler below and toNodeListener's direct path. */
  const receive: DirectReceive = async (method, headers, received) => {
    if (method !== 'POST') return json(405, RetCodes.GeneralError.code, 'callbacks are POST requests');
    let requestID: string | undefined;
    try {
      if (received.byteLength > maxBodyBytes) throw tooLarge();
      let body = received;
      if (headerOf(headers, 'content-encoding')?.toLowerCase() === 'gzip') {
        try {
          body = gunzipSync(body, { maxOutputLength: maxDecompressedBytes });
        } catch {
          throw new CallbackVerificationError('bad-encoding', `gzip body is corrupt or over ${maxDecompressedBytes} bytes`);
        }
      }
      let createTs: number;
      ({ requestID, createTs } = verifyCallback({ ...options, headers, body }));
      // The algorithm verifyCallback used (it checked that sign is present).
      const algorithm = signedWith(headerOf(headers, 'sign')!, options.algorithm);
      let claim: ReplayClaim;
      try {
        const t = now();
        claim = await store.claim({ requestID, keepUntil: windowEnd(createTs), now: t });
      } catch (error) {
        reportStoreError({ operation: 'claim', requestID, error });
        return json(503, RetCodes.SystemBusy.code, 'the replay store is unavailable; try again later');
      }
      if (claim.state === 'done') return json(200, RetCodes.Success.code, 'success (already handled)');
      if (claim.state === 'claimed' && claim.takeover && options.alreadyHandled) {
        let handled: boolean;
        try {
          handled = (await options.alreadyHandled(requestID)) === true;
        } catch {
          // The claim is kept (not forgotten): the next one after its lease is a takeover again.
          return json(503, RetCodes.SystemBusy.code, 'could not tell whether this callback was handled; try again later');
        }
        if (handled) {
          await finish(requestID, claim, true);
          return json(200, RetCodes.Success.code, 'success (already handled)');
        }
      }
      if (claim.state === 'handling') throw new CallbackVerificationError('replayed', `requestID ${requestID} is being handled`, requestID);
      try {
        return await handleClaimed(requestID, claim, body, algorithm);
      } catch (error) {
        // Refused after the claim (its payload): forgotten, as if never seen.
        await finish(requestID, claim, false);
        throw error;
      }
    } catch (error) {
      return refusal(error);
    }
  };

  const handler = async (request: Request): Promise<Response> => {
    if (request.method !== 'POST') return toResponse(await receive(request.method, request.headers, new Uint8Array()));
    let body: Uint8Array;
    try {
      body = await readCapped(request, maxBodyBytes);
    } catch (error) {
      return toResponse(refusal(error));
    }
    return toResponse(await receive(request.method, request.headers, body));
  };
  return Object.assign(handler, { [DIRECT_RECEIVE]: receive });

  /** A claimed (or, with a full memory store, unclaimable) delivery: its payload, then your handler. */
  async function handleClaimed(
    requestID: string,
    claim: Exclude<ReplayClaim, { state: 'done' | 'handling' }>,
    body: Uint8Array,
    algorithm: SignAlgorithm,
  ): Promise<DirectAnswer> {
    let payload: unknown;
    try {
      payload = withoutPrototypeKeys(JSON.parse(utf8.decode(body)));
    } catch {
      throw new CallbackVerificationError('invalid-payload', 'body is not UTF-8 JSON', requestID);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      const what = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
      throw new CallbackVerificationError('invalid-payload', `body is JSON ${what}, not an object: no callback to hand on`, requestID);
    }
    const kind = options.only ?? callbackKind(payload);
    // Deviations are read against the closed spec (an undeclared field is listed too); `strict`
    // refuses only what breaks the spec itself, whose callback schemas stay open to new fields.
    // Only the listed deviations are described (a payload may break a schema millions of times).
    const closed = vendorDeviations(Callbacks[kind].schema, payload, MAX_LISTED_DEVIATIONS);
    const found = boundDeviations(closed.issues, closed.count);
    const open = options.strict ? firstIssues(Callbacks[kind].schema, payload, MAX_LISTED_DEVIATIONS) : undefined;
    const breaking = open ? boundDeviations(open.issues, open.count) : NO_DEVIATIONS;
    if (breaking.deviationCount > 0) {
      report({ requestID, kind, ...breaking, refused: true });
      const first = breaking.deviations[0]!;
      throw new CallbackVerificationError('invalid-payload', `payload breaks the contract at ${first.path || '(body)'}: ${first.message}`, requestID);
    }
    if (claim.state === 'full') {
      return json(503, RetCodes.SystemBusy.code, 'too many callbacks to remember at once; try again later', claim.retryAfterSeconds);
    }
    if (found.deviationCount > 0) report({ requestID, kind, ...found, refused: false });
    const meta: CallbackMeta = { requestID, kind, ...found, body, algorithm };
    // A lease is renewed while the handler runs, so that only a dead receiver's claim runs out.
    const renewal = claim.renewEveryMs && store.renew ? setInterval(() => renew(requestID, claim.token), claim.renewEveryMs) : undefined;
    renewal?.unref?.();
    let ok = true;
    try {
      if (kind === 'order') await options.onOrderFinished?.(payload as OrderFinishedCallback, meta);
      else if (kind === 'call') await options.onCallFinished?.(payload as CallFinishedCallback, meta);
      else await options.onTaskStatusChanged?.(payload as TaskStatusChangedCallback, meta);
    } catch {
      ok = false;
    } finally {
      clearInterval(renewal);
    }
    // Awaited before answering: a repeat sent after this answer finds the entry done (or gone).
    // A store failure here still answers by the handler's outcome: a 5xx after a handler that
    // succeeded would invite the very duplicate the store is for.
    await finish(requestID, claim, ok);
    if (!ok) return json(500, RetCodes.InternalServerError.code, 'callback handler failed');
    return json(200, RetCodes.Success.code, 'success');
  }
}
