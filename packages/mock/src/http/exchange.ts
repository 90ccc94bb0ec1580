import type { IncomingHttpHeaders } from 'node:http';
import type { Aborted, BodyResult } from './read-body.js';

/**
 * The mock's view of one HTTP exchange, the same whatever carries it (node:http or a fetch
 * `Request`): the core reads a `MockRequest` and returns a `MockAnswer`; each adapter only
 * translates. Header names are lower-case, as node gives them.
 */
export interface MockRequest {
  method: string;
  /** Path and query, e.g. `/__mock/callbacks?limit=2`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Reads the body, keeping at most `maxBytes` (see read-body.ts); called at most once. */
  readBody(maxBytes: number): Promise<BodyResult | Aborted>;
}

/** A complete answer: status, headers, body bytes. `Connection: close` asks the adapter to close after it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  closeConnection?: boolean;
}

/**
 * Where a streamed answer writes (`GET /__mock/callbacks?follow=1`): each adapter gives one over
 * its own transport. `buffered` is what was written and not yet taken by the client, so that the
 * writer can bound it (a slow reader must not make the mock buffer without end).
 */
export interface StreamSink {
  write(text: string): void;
  readonly buffered: number;
  /** Ends the answer (once; later writes are ignored). */
  end(): void;
}

/** A long-lived answer: status and headers now, then text for as long as `start` writes. */
export interface StreamAnswer {
  status: number;
  headers: Record<string, string>;
  /** Starts writing to `sink`; returns what to call when the client goes away first. */
  start(sink: StreamSink): () => void;
}

/** What the log says about one request: no secrets, no signatures, no bodies. */
export type Outcome =
  | {
      retCode: number;
      /** An import: the orders in it and how many were refused. */
      totalCount?: number;
      rejected?: number;
      /** A list: how many items it has in all, and of what (`tasks`, `orders`, `calls`). */
      listed?: { count: number; of: string };
      deviations?: string;
    }
  | { dropped: true }
  | { aborted: true; received: number; declared: number | undefined };

/**
 * The core's verdict: an answer to send, a stream to start, a connection to drop without an answer (an injected
 * fault), or nothing to do (the client went away). `outcome` is what to log, when anything.
 */
export type Exchange =
  | { kind: 'answer'; answer: HttpAnswer; outcome?: Outcome }
  | { kind: 'stream'; stream: StreamAnswer; outcome?: Outcome }
  | { kind: 'drop'; outcome: Outcome }
  | { kind: 'aborted'; outcome: Outcome };

export function describeOutcome(outcome: Outcome): string {
  if ('dropped' in outcome) return '→ connection dropped (injected fault)';
  if ('aborted' in outcome) {
    return `→ upload aborted by the client after ${outcome.received} of ${outcome.declared ?? 'an unknown number of'} bytes; nothing answered`;
  }
  const counts =
    outcome.totalCount !== undefined
      ? ` (${outcome.totalCount} orders, ${outcome.rejected ?? 0} refused)`
      : outcome.listed
        ? ` (${outcome.listed.count} ${outcome.listed.of} in all)`
        : '';
  const deviated = outcome.deviations ? ` (deviated: ${outcome.deviations})` : '';
  return `→ retCode ${outcome.retCode}${counts}${deviated}`;
}
