import type { IncomingHttpHeaders } from 'node:http';
import type { MockAccount } from '../requests/accounts.js';
import { createMockCore, type MockClockControl } from '../mock-core.js';
import type { MockRequest, StreamAnswer } from './exchange.js';
import type { MockOptions, MockOptionsInput } from '../process/options.js';
import { readWebBody } from './read-body.js';
import type { Simulator } from '../simulator/api.js';

export interface MockHandler {
  /**
   * Answers a fetch `Request` as the mock server would answer it over HTTP (same checks, same
   * simulator, same debug endpoints). Called like the global `fetch` (a `Request`, or a URL and
   * init), so it can be passed as a client's `fetch` option as is. A fault that drops the
   * connection (`drop`, `drop-before-body`) rejects with a `TypeError` ("fetch failed", like a
   * real network error).
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** The virtual clock (the same as `GET`/`POST /__mock/clock` through `fetch`). */
  readonly clock: MockClockControl;
  /** The simulated vendor behind the API. */
  readonly simulator: Simulator;
  readonly accounts: readonly MockAccount[];
  readonly options: MockOptions;
  /** Stops the world's clock and the callbacks (in-flight deliveries aborted). */
  close(): Promise<void>;
}

/** Header names lower-cased, as node:http gives them (repeated values arrive joined by ", "). */
function headersOf(request: Request): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/**
 * A streamed answer (the callback log's follow) as a `Response` whose body is a byte stream: its
 * queue (what the reader has not taken) is what the follower bounds; cancelling it ends the follow.
 */
function streamResponse(stream: StreamAnswer): Response {
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  let ended = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stop = stream.start({
          write: (text) => {
            if (!ended) controller.enqueue(encoder.encode(text));
          },
          get buffered() {
            // A high-water mark of 0: the desired size is minus the bytes queued.
            return Math.max(0, -(controller.desiredSize ?? 0));
          },
          end: () => {
            if (ended) return;
            ended = true;
            controller.close();
          },
        });
      },
      cancel() {
        ended = true;
        stop?.();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  return new Response(body, { status: stream.status, headers: stream.headers });
}

/**
 * The mock without a server: a `fetch`-style handler over the same core, for tests that
 * intercept `fetch` (msw's `http.all(…, ({ request }) => handler.fetch(request))`) or pass a
 * custom `fetch` to a client. Socket-level bounds (timeouts, maxConnections, malformed HTTP) have
 * no meaning here; the body cap, gunzip, signatures, faults and validation all apply. Callbacks
 * are still real HTTP requests to the URLs a task names (loopback only unless allowHosts).
 */
export async function createMockHandler(input: MockOptionsInput = {}): Promise<MockHandler> {
  const core = await createMockCore(input);
  return {
    async fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
      const request = input instanceof Request && init === undefined ? input : new Request(input, init);
      const url = new URL(request.url);
      const mockRequest: MockRequest = {
        method: request.method,
        url: `${url.pathname}${url.search}`,
        headers: headersOf(request),
        readBody: (maxBytes) => readWebBody(request.body, maxBytes),
      };
      const started = Date.now();
      const exchange = await core.handle(mockRequest);
      core.logExchange(mockRequest, exchange, started);
      if (exchange.kind === 'stream') return streamResponse(exchange.stream);
      if (exchange.kind !== 'answer') {
        const why = exchange.kind === 'drop' ? 'connection dropped (injected fault)' : 'request body could not be read';
        throw new TypeError('fetch failed', { cause: new Error(`callbot-mock: ${why}`) });
      }
      const { status, headers, body } = exchange.answer;
      const { Connection: _connection, ...sent } = headers;
      const empty = body.length === 0 || request.method === 'HEAD';
      return new Response(empty ? null : (body as Uint8Array<ArrayBuffer>), { status, headers: sent });
    },
    clock: core.clock,
    simulator: core.simulator,
    accounts: core.accounts,
    options: core.options,
    close: () => core.close(),
  };
}
