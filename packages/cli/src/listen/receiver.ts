import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CallbackKind, createCallbackHandler, type SignAlgorithm, toNodeListener } from 'callbot-contract';
import { AppendLog } from './append-log.js';
import { callbackCsvHeader, callbackLine, readRequestIDs } from './records.js';
import { SeenIds } from './seen-ids.js';

// `callbot listen`: the package's callback receiver (createCallbackHandler, mounted on node:http
// with toNodeListener) in front of an append-only file. The handler verifies each callback's
// signature with the account's secret, refuses stale, oversized and malformed ones (4xx,
// CallbackRefusal) and calls us once per requestID while it remembers it; we then
//   - skip a requestID already in the file (SeenIds, filled from the file at start: a repeat
//     across a restart is answered 200 and not written again), or
//   - append one line and fsync it (AppendLog) before the handler answers 200.
// A write that fails makes the handler answer 500 and forget the requestID: the vendor's retry
// is taken.
//
// Bounds: request bodies (maxBodyBytes, on the wire and as read), header and request timeouts,
// idle keep-alive, a connection limit, and the remembered requestIDs (dedupeWindow).

export type Outcome = CallbackKind | 'duplicate' | 'refused' | 'failed';
export type Counts = Record<Outcome, number>;

export interface ReceiverOptions {
  host: string;
  port: number;
  out: string;
  format: 'jsonl' | 'csv';
  uuid: string;
  secretKey: string;
  /** When given, callbacks must be signed with it; otherwise it is told by the signature's length. */
  algorithm?: SignAlgorithm | undefined;
  dedupeWindow: number;
  maxBodyBytes: number;
  /** Called after each request with its outcome. */
  onOutcome?: (outcome: Outcome, counts: Counts) => void;
  now?: () => Date;
}

export interface Receiver {
  url: string;
  counts: Counts;
  /** requestIDs read back from the file at start, and lines that could not be read. */
  existing: { records: number; unreadable: number; endsMidLine: boolean };
  /** Stops taking connections, waits up to `graceMs` for the callbacks under way, closes the file. */
  close(graceMs?: number): Promise<void>;
}

export const LISTEN_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
} as const;

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const seen = new SeenIds(options.dedupeWindow);
  const existing = await readRequestIDs(options.out, options.format, (id) => seen.add(id));
  const log = await AppendLog.open(options.out);
  if (existing.endsMidLine) await log.append('\n');
  if (options.format === 'csv' && log.initialSize === 0) await log.append(callbackCsvHeader());

  const counts: Counts = { order: 0, call: 0, task: 0, duplicate: 0, refused: 0, failed: 0 };
  const now = options.now ?? (() => new Date());
  /** What happened to each requestID handed to us, until its answer is counted. */
  const taken = new Map<string, Outcome>();

  const take = (kind: CallbackKind) => async (payload: unknown, meta: { requestID: string }) => {
    const { requestID } = meta;
    if (seen.has(requestID)) {
      taken.set(requestID, 'duplicate');
      return;
    }
    await log.append(callbackLine(options.format, { receivedAt: now().toISOString(), kind, requestID, payload }));
    seen.add(requestID);
    taken.set(requestID, kind);
  };
  const handler = createCallbackHandler({
    secretKey: options.secretKey,
    uuid: options.uuid,
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
    maxBodyBytes: options.maxBodyBytes,
    replayCacheSize: options.dedupeWindow,
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
  const server: Server = createServer((req, res) => {
    // A body over the cap is answered 413 by the adapter, before the handler (and `counted`) sees it.
    res.once('finish', () => {
      if (res.statusCode !== 413) return;
      counts.refused += 1;
      options.onOutcome?.('refused', counts);
    });
    void listener(req, res);
  });
  server.headersTimeout = LISTEN_LIMITS.headersTimeoutMs;
  server.requestTimeout = LISTEN_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = LISTEN_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = LISTEN_LIMITS.maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await log.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    counts,
    existing,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await log.close();
    },
  };
}
