import { RetCodes } from 'callbot-contract';
import type { CallbackDispatcher } from '../callbacks/dispatcher.js';
import type { DeliveryRecord } from '../callbacks/delivery.js';
import type { Exchange, StreamSink } from './exchange.js';
import { plainJson } from './respond.js';
import type { FollowOptions } from '../process/options.js';

// `GET /__mock/callbacks?follow=1[&cursor=N]`: the callback log as it happens, one JSON line per
// delivery attempt (JSON Lines). Every follower is bounded: at most `maxFollowers` at once, at
// most `maxBufferedBytes` written and not yet read by one (past it its lines are skipped and a
// `missed` line says how many), dropped when it has read nothing for `stalledMs`, a heartbeat line
// every `heartbeatMs` (so that proxies keep an idle stream open), and ended when the mock closes.

/** One line of the follow: a delivery attempt (or, after `cursor`, a kept record as it stands). */
export interface FollowLine {
  type: 'delivery';
  id: number;
  kind: DeliveryRecord['kind'];
  url: string;
  /** `retrying`: this attempt failed and another follows; `pending`: replayed from the log, still being sent. */
  status: 'pending' | 'retrying' | 'delivered' | 'failed' | 'skipped';
  attempt: number;
  maxAttempts: number;
  /** How long this attempt took (absent on a replayed record). */
  ms?: number;
  statusCode?: number;
  error?: string;
  userTaskID: string;
  orderID?: string;
  requestID: string;
  /** When the line was written (real time); `virtualAt`: when the callback happened in the simulated world. */
  at: string;
  virtualAt: string;
}

function lineOf(entry: DeliveryRecord, maxAttempts: number, ms?: number): FollowLine {
  return {
    type: 'delivery',
    id: entry.id,
    kind: entry.kind,
    url: entry.url,
    status: entry.status === 'pending' && ms !== undefined ? 'retrying' : entry.status,
    attempt: entry.attempts,
    maxAttempts,
    ...(ms !== undefined ? { ms } : {}),
    ...(entry.lastStatusCode !== undefined ? { statusCode: entry.lastStatusCode } : {}),
    ...(entry.lastError !== undefined ? { error: entry.lastError } : {}),
    userTaskID: entry.userTaskID,
    ...(entry.orderID !== undefined ? { orderID: entry.orderID } : {}),
    requestID: entry.requestID,
    at: new Date().toISOString(),
    virtualAt: entry.virtualAt,
  };
}

const refusal = (status: number, message: string, headers: Record<string, string> = {}): Exchange => ({
  kind: 'answer',
  answer: plainJson(status, { retCode: RetCodes.GeneralError.code, retMsg: `${RetCodes.GeneralError.zh}: ${message}` }, headers),
});

/** The followers of one mock: `open` answers a follow request, `closeAll` ends them when the mock stops. */
export class CallbackFollowers {
  readonly #dispatcher: CallbackDispatcher;
  readonly #limits: FollowOptions;
  /** One slot per follower, holding its way to end itself. */
  readonly #open = new Set<{ end: () => void }>();
  #closed = false;

  constructor(dispatcher: CallbackDispatcher, limits: FollowOptions) {
    this.#dispatcher = dispatcher;
    this.#limits = limits;
  }

  get count(): number {
    return this.#open.size;
  }

  open(url: URL): Exchange {
    const cursorText = url.searchParams.get('cursor');
    if (cursorText && !/^\d{1,15}$/.test(cursorText)) return refusal(400, 'cursor must be a record id (the follow starts after it)');
    if (this.#closed) return refusal(503, 'the mock is closing');
    const limits = this.#limits;
    if (this.#open.size >= limits.maxFollowers) {
      return refusal(503, `at most ${limits.maxFollowers} followers of /__mock/callbacks at once; close one, or page with ?limit=&cursor=`, {
        'Retry-After': '5',
      });
    }
    const after = cursorText ? Number(cursorText) : undefined;
    // Counted from the request on (not from when the adapter starts the stream), so that the cap holds.
    const slot = { end: () => {} };
    this.#open.add(slot);
    let started: ((sink: StreamSink) => () => void) | undefined = (sink) => this.#follow(sink, after, slot);
    return {
      kind: 'stream',
      stream: {
        status: 200,
        headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
        start: (sink) => {
          const stop = started?.(sink) ?? (() => {});
          started = undefined;
          return stop;
        },
      },
    };
  }

  #follow(sink: StreamSink, after: number | undefined, slot: { end: () => void }): () => void {
    if (this.#closed) {
      sink.end();
      return () => {};
    }
    const limits = this.#limits;
    let missed = 0;
    /** Since when the reader's buffer has been over the bound (real ms), if it is. */
    let fullSince: number | undefined;
    let ended = false;
    const room = () => sink.buffered <= limits.maxBufferedBytes;
    const write = (line: object) => sink.write(`${JSON.stringify(line)}\n`);
    const push = (line: object) => {
      if (!room()) {
        missed += 1;
        fullSince ??= Date.now();
        return;
      }
      if (missed > 0) write({ type: 'missed', count: missed, at: new Date().toISOString() });
      missed = 0;
      fullSince = undefined;
      write(line);
    };
    const stopWatching = this.#dispatcher.watch((entry, attempt) => push(lineOf(entry, attempt.maxAttempts, attempt.ms)));
    const heartbeat = setInterval(() => {
      if (room()) push({ type: 'heartbeat', at: new Date().toISOString() });
      else {
        fullSince ??= Date.now();
        if (Date.now() - fullSince > limits.stalledMs) finish(); // a reader that reads nothing: dropped, its place freed
      }
    }, limits.heartbeatMs);
    heartbeat.unref();
    const stop = () => {
      if (ended) return;
      ended = true;
      stopWatching();
      clearInterval(heartbeat);
      this.#open.delete(slot);
    };
    const finish = (last?: object) => {
      if (ended) return;
      if (last && room()) write(last);
      stop();
      sink.end();
    };
    slot.end = () => finish({ type: 'end', reason: 'the mock is closing', at: new Date().toISOString() });
    if (after !== undefined) {
      // The records kept after the cursor, each as it stands now; their later attempts follow live.
      const maxAttempts = this.#dispatcher.maxAttempts;
      for (const record of this.#dispatcher.records({ after }).records) push(lineOf(record, maxAttempts));
    }
    return stop;
  }

  /** Ends every follow (with an `end` line where the reader has room): the mock is closing. */
  closeAll(): void {
    this.#closed = true;
    for (const slot of [...this.#open]) slot.end();
    this.#open.clear();
  }
}
