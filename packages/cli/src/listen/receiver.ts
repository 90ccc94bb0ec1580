import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallbackKind,
  type CallbackMeta,
  createCallbackHandler,
  type ReplayStore,
  type ReplayStoreErrorReport,
  type SignAlgorithm,
  toNodeListener,
} from 'callbot-contract';
import { shareConnectionSlots } from './connection-slots.js';
import type { CallbackSink } from './records.js';

// `callbot listen`: the package's callback receiver (createCallbackHandler, mounted on node:http
// with toNodeListener) in front of a sink: an append-only file (file-sink.ts) or a PostgreSQL
// table (postgres-sink.ts). The handler verifies each callback's signature with the account's
// secret, refuses stale, oversized and malformed ones (4xx, CallbackRefusal) and calls us once per
// requestID as its replay store tells (its own memory by default; a store shared with other
// listeners — Redis, PostgreSQL — makes that once between them); we then hand it to the sink,
// which skips a requestID it already holds (a repeat across a restart is answered 200 and not
// written again) or writes it durably before the handler answers 200. A write that fails makes
// the handler answer 500 and forget the requestID: the vendor's retry is taken. A replay store
// that fails makes it answer 503 (the vendor retries later), nothing written.
//
// Shape is not authenticity: a verified callback whose payload departs from the contract's
// schema (nulls, a missing field, a value of another type) reaches us with its deviations
// (`meta.deviations`, `meta.deviationCount`) and is written like any other, with them;
// `deviating` counts those written.
//
// Bounds: request bodies (maxBodyBytes, on the wire and as read), header and request timeouts
// (checked every second: node:http's default of 30 s let a request run a minute), idle
// keep-alive, a connection limit that makes room for a newcomer (connection-slots.ts), and the
// remembered requestIDs (dedupeWindow: the memory store's size, and the file sink's).

export type Outcome = CallbackKind | 'duplicate' | 'refused' | 'failed';
/** Requests per outcome, and `deviating`: the callbacks written (order, call, task) whose payload departs from the contract. */
export type Counts = Record<Outcome | 'deviating', number>;

export interface ReceiverOptions {
  host: string;
  port: number;
  /** Where handled callbacks go; closed by the receiver (also when it cannot start). */
  sink: CallbackSink;
  /** Shared with other listeners; default: this receiver's memory (dedupeWindow entries). */
  replayStore?: ReplayStore | undefined;
  /** The replay store failed (at most once a minute). */
  onStoreError?: ((report: ReplayStoreErrorReport) => void) | undefined;
  uuid: string;
  secretKey: string;
  /** When given, callbacks must be signed with it; otherwise it is told by the signature's length. */
  algorithm?: SignAlgorithm | undefined;
  dedupeWindow: number;
  maxBodyBytes: number;
  /** Lower limits than LISTEN_LIMITS (tests). */
  limits?: { maxConnections?: number; requestTimeoutMs?: number };
  /** Called after each request with its outcome. */
  onOutcome?: (outcome: Outcome, counts: Counts) => void;
  now?: () => Date;
}

export interface Receiver {
  url: string;
  counts: Counts;
  /** Stops taking connections, waits up to `graceMs` for the callbacks under way, closes the sink. */
  close(graceMs?: number): Promise<void>;
}

export const LISTEN_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
} as const;

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const { sink } = options;
  const counts: Counts = { order: 0, call: 0, task: 0, deviating: 0, duplicate: 0, refused: 0, failed: 0 };
  const now = options.now ?? (() => new Date());
  /** What happened to each requestID handed to us, until its answer is counted. */
  const taken = new Map<string, Outcome>();

  const take = (kind: CallbackKind) => async (payload: unknown, meta: CallbackMeta) => {
    const { requestID, deviations, deviationCount, body, algorithm } = meta;
    const written = await sink.write({ receivedAt: now().toISOString(), kind, requestID, payload, deviations, deviationCount, body, signAlgorithm: algorithm });
    if (written === 'duplicate') {
      taken.set(requestID, 'duplicate');
      return;
    }
    taken.set(requestID, kind);
    if (deviationCount > 0) counts.deviating += 1;
  };
  const handler = createCallbackHandler({
    secretKey: options.secretKey,
    uuid: options.uuid,
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
    maxBodyBytes: options.maxBodyBytes,
    ...(options.replayStore ? { replayStore: options.replayStore } : { replayCacheSize: options.dedupeWindow }),
    ...(options.onStoreError ? { onReplayStoreError: options.onStoreError } : {}),
    onOrderFinished: take('order'),
    onCallFinished: take('call'),
    onTaskStatusChanged: take('task'),
  });

  const counted = async (request: Request): Promise<Response> => {
    const requestID = request.headers.get('requestID') ?? '';
    const response = await handler(request);
    let outcome: Outcome;
    if (response.status === 413) return response; // counted when it is sent (below)
    if (response.status === 200) {
      // 200 without our handler having run: the receiver already handled this requestID.
      outcome = taken.get(requestID) ?? 'duplicate';
      taken.delete(requestID);
    } else if (response.status === 409) outcome = 'duplicate';
    else if (response.status >= 500) outcome = 'failed';
    else outcome = 'refused';
    counts[outcome] += 1;
    options.onOutcome?.(outcome, counts);
    return response;
  };

  const listener = toNodeListener(counted, { maxBodyBytes: options.maxBodyBytes });
  const limits = { ...LISTEN_LIMITS, ...options.limits };
  const server: Server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      // A body over the cap is answered 413 by the adapter, before the handler (and `counted`) sees it.
      res.once('finish', () => {
        if (res.statusCode !== 413) return;
        counts.refused += 1;
        options.onOutcome?.('refused', counts);
      });
      void listener(req, res);
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  shareConnectionSlots(server, limits.maxConnections);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await sink.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    counts,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await sink.close();
    },
  };
}
