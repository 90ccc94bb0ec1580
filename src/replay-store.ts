// The receiver's record of requestIDs as an interface, so that several receivers (replicas
// behind a load balancer) can share one: createCallbackHandler asks a store to claim a
// requestID before calling your handler and tells it how the handler ended. The memory store
// (this file) is the default; redis-replay-store.ts and postgres-replay-store.ts share one.
import { randomUUID } from 'node:crypto';
import { ReplayCache } from './replay-cache.js';

/** What the receiver asks a store when a verified delivery arrives. Times are epoch ms. */
export interface ReplayClaimRequest {
  readonly requestID: string;
  /**
   * Until when a repeat of this delivery could pass the createTs check (the end of its
   * `createTs + toleranceSeconds` second): an entry that already exists is kept at least that
   * long once done; a new one starts with it.
   */
  readonly keepUntil: number;
  /** The receiver's clock. */
  readonly now: number;
}

/** A store's answer to a claim. */
export type ReplayClaim =
  /**
   * Yours: call the handler, then `finish`. `renewEveryMs`: call `renew` that often while it runs
   * (a lease). `takeover`: an earlier claim of it ran out with its lease, unfinished — the receiver
   * that held it died, perhaps after its handler's side effect (createCallbackHandler then asks
   * your `alreadyHandled` before calling the handler again).
   */
  | { readonly state: 'claimed'; readonly token: string; readonly renewEveryMs?: number; readonly takeover?: boolean }
  /** Another delivery of it is being handled (here or on another receiver): answered 409. */
  | { readonly state: 'handling' }
  /** Handled already: answered 200 "already handled". */
  | { readonly state: 'done' }
  /** Nothing recorded: the store must keep every entry it holds (answered 503 with Retry-After). */
  | { readonly state: 'full'; readonly retryAfterSeconds: number };

/**
 * Where a receiver records the requestIDs it handles. Every method may reject (the store is
 * unreachable): the receiver then answers 503 (the vendor retries) and never calls a handler
 * without a claim. The rules a store keeps:
 *
 * - `claim` is atomic: of concurrent claims of one requestID, on any number of receivers, one
 *   gets `claimed`. A repeat of an existing entry extends it to cover `keepUntil`.
 * - A claimed entry is `handling` until `finish` (or, for a store with leases, until its lease —
 *   renewed by `renew` while the handler runs — runs out: the receiver holding it died).
 * - `finish` with `ok` keeps the entry `done` until the latest `keepUntil` it was given or
 *   claimed with; without `ok` it forgets it, so the vendor's retry is handled. Both act only
 *   while the entry is still held by `token`.
 * - A done entry is never forgotten before its `keepUntil`; a store that cannot hold another
 *   entry answers `full` (or rejects), never by dropping one.
 */
export interface ReplayStore {
  claim(request: ReplayClaimRequest): Promise<ReplayClaim>;
  /** Extends the lease of a claim whose handler still runs (stores whose claims expire). */
  renew?(claim: { readonly requestID: string; readonly token: string; readonly now: number }): Promise<void>;
  finish(outcome: {
    readonly requestID: string;
    readonly token: string;
    readonly ok: boolean;
    /** Until when a repeat created in the second the handler finished could pass the createTs check. */
    readonly keepUntil: number;
    readonly now: number;
  }): Promise<void>;
  /**
   * Records a requestID as done whoever holds it, kept at least until `keepUntil`: for a
   * receiver that finds it in its own durable output when it starts again after a crash (its
   * handler's effect was kept, the process died before `finish`), so that no receiver handles
   * the vendor's retry once the dead claim's lease runs out. Stores with leases only.
   */
  settle?(entry: { readonly requestID: string; readonly keepUntil: number; readonly now: number }): Promise<void>;
}

export interface MemoryReplayStoreOptions {
  /** Most requestIDs held at once (a memory bound). Default 100,000. */
  capacity?: number;
  /** The receivers' `toleranceSeconds` (default 300): the Retry-After of a store full of running handlers. */
  toleranceSeconds?: number;
}

/**
 * requestIDs in this process's memory (the default store: nothing to run). Handlers that share
 * it (e.g. one per callback URL) handle each requestID once between them; a restart or another
 * process starts empty. Its claims hold as long as the process does: no lease, no renewal.
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const cache = new ReplayCache(options.capacity ?? 100_000, options.toleranceSeconds ?? 300);
  // The claims are told apart only to satisfy the interface: in one process, a requestID has
  // one entry and only its claimant finishes it.
  return {
    async claim({ requestID, keepUntil, now }) {
      const state = cache.seenUntil(requestID, keepUntil, now);
      if (state !== 'new') return { state };
      if (!cache.startUntil(requestID, keepUntil, now)) return { state: 'full', retryAfterSeconds: cache.retryAfterSeconds(now) };
      return { state: 'claimed', token: '' };
    },
    async finish({ requestID, ok, keepUntil }) {
      cache.finishUntil(requestID, ok, keepUntil);
    },
  };
}

/** A claim's token: random, so that a receiver whose lease ran out cannot finish another's claim. */
export const newClaimToken = (): string => randomUUID();

/** Lease defaults shared by the Redis and PostgreSQL stores. */
export const DEFAULT_LEASE_MS = 30_000;

export function checkLeaseMs(leaseMs: number | undefined): number {
  const lease = leaseMs ?? DEFAULT_LEASE_MS;
  if (!(Number.isSafeInteger(lease) && lease >= 100)) throw new TypeError('leaseMs must be an integer of at least 100 (milliseconds)');
  return lease;
}
