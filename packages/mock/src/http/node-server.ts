import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RetCodes } from 'callbot-contract';
import type { MockAccount } from '../requests/accounts.js';
import { createMockCore, type MockClockControl } from '../mock-core.js';
import type { Exchange, MockRequest, StreamAnswer } from './exchange.js';
import type { MockOptions, MockOptionsInput } from '../process/options.js';
import { readBody } from './read-body.js';
import type { Simulator } from '../simulator/api.js';

export { DEBUG_BATCHES_PATH, DEBUG_CALLBACKS_PATH, DEBUG_CLOCK_PATH, DEBUG_TASKS_PATH, LISTING_PAGES, type ClockView } from './debug-endpoints.js';

export interface MockServer {
  /** `http://HOST:PORT`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The accounts the mock accepts (the demo account first, when enabled). */
  readonly accounts: readonly MockAccount[];
  readonly options: MockOptions;
  /** The virtual clock (the same as `GET`/`POST /__mock/clock`). */
  readonly clock: MockClockControl;
  /** The simulated vendor behind the API (for `--state FILE`: `simulator.snapshot()`). */
  readonly simulator: Simulator;
  /** Stops listening, drops open connections, stops the world's clock and the callbacks. */
  close(): Promise<void>;
}

/** The node:http side of a request: its body read with the cap, as read-body.ts does. */
function toMockRequest(req: IncomingMessage): MockRequest {
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, readBody: (maxBytes) => readBody(req, maxBytes) };
}

function send(res: ServerResponse, exchange: Exchange & { kind: 'answer' }): void {
  const { status, headers, body } = exchange.answer;
  res.writeHead(status, headers);
  res.end(body.length > 0 ? body : undefined);
}

/** A streamed answer (the callback log's follow) on node:http: chunked, flushed line by line. */
function startStream(res: ServerResponse, stream: StreamAnswer): void {
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(stream.status, stream.headers);
    res.flushHeaders();
  }
  const stop = stream.start({
    write: (text) => {
      if (!res.writableEnded && !res.destroyed) res.write(text);
    },
    get buffered() {
      return res.writableLength;
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
  });
  if (res.destroyed) stop();
  else res.once('close', stop);
}

/**
 * Starts the mock on node:http: the transport-neutral core (mock-core.ts) behind the socket-level
 * bounds only a server has (header and request timeouts, maxConnections, malformed HTTP).
 * Resolves once it listens.
 */
export async function createMockServer(input: MockOptionsInput = {}): Promise<MockServer> {
  const core = await createMockCore(input);
  const { options } = core;
  const logger = options.logger;

  // Every read has a bound: headers within headersTimeoutMs, the whole request within
  // requestTimeoutMs (then 408, below), idle kept-alive connections closed after
  // keepAliveTimeoutMs. Node checks the first two every connectionsCheckingInterval (30 s by
  // default, which would stretch a short bound): check a few times per bound instead.
  const server: Server = createServer({
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(options.headersTimeoutMs / 4))),
  });
  // More than maxConnections at once: Node closes the new connection as soon as it is accepted.
  server.maxConnections = options.maxConnections;
  let refusedConnections = 0;
  let lastRefusalLog = 0;
  server.on('drop', () => {
    refusedConnections += 1;
    const now = Date.now();
    if (now - lastRefusalLog < 10_000) return; // one line per 10 s at most, with the count
    logger.warn(`refused ${refusedConnections} connection(s): more than maxConnections ${options.maxConnections} open`);
    lastRefusalLog = now;
    refusedConnections = 0;
  });

  // Which response is in flight on a socket (so that a timeout never writes into a started
  // answer), and which sockets were cut off by a timeout (already logged once).
  const inFlight = new WeakMap<Socket, ServerResponse>();
  const timedOut = new WeakSet<Socket>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, res);
    res.once('close', () => {
      if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
    });
    const started = Date.now();
    const request = toMockRequest(req);
    void core
      .handle(request)
      .then((exchange) => {
        if (exchange.kind === 'drop') req.socket.destroy();
        else if (exchange.kind === 'answer') {
          if (res.headersSent || res.destroyed) return;
          send(res, exchange);
        } else if (exchange.kind === 'stream') startStream(res, exchange.stream);
        if (exchange.kind === 'aborted' && timedOut.has(req.socket)) return;
        core.logExchange(request, exchange, started);
      })
      .catch((error: Error) => {
        // Writing the answer failed (the core itself never throws): close this connection only.
        logger.error(`${req.method} ${req.url}: ${error.message}`);
        res.destroy();
      });
  });
  // Below the API: malformed HTTP (huge headers, garbage) and requests not received within
  // their bound. Node refuses them before (or instead of) any handler. Answer as plainly as the
  // protocol allows (408 for a timeout), log one line, then close that connection only.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (error.code === 'HPE_INVALID_EOF_STATE') {
      // The client closed the connection mid-request: an aborted upload is logged (once) by the
      // request's handler; before the headers were complete there is no request to speak of.
      if (!inFlight.has(socket)) logger.warn(`connection from ${socket.remoteAddress ?? '?'} closed by the client before the request headers were complete`);
      return socket.destroy();
    }
    if (timeout) {
      timedOut.add(socket);
      const what = inFlight.has(socket)
        ? `body not complete within requestTimeoutMs ${options.requestTimeoutMs}`
        : `headers not complete within headersTimeoutMs ${options.headersTimeoutMs}`;
      logger.warn(`408 request timeout from ${socket.remoteAddress ?? '?'}: ${what}; connection closed`);
    } else if (socket.writable && !['ECONNRESET', 'EPIPE'].includes(error.code ?? '')) {
      logger.warn(`malformed HTTP request from ${socket.remoteAddress ?? '?'} (${error.code ?? 'unknown'}); connection closed`);
    }
    if (!socket.writable || inFlight.get(socket)?.headersSent) return socket.destroy();
    const status = timeout ? '408 Request Timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify(
      timeout
        ? { retCode: RetCodes.GeneralError.code, retMsg: `${RetCodes.GeneralError.zh}: request not received within the mock's time limit (${error.code})` }
        : { retCode: RetCodes.ParameterFormatError.code, retMsg: `${RetCodes.ParameterFormatError.zh}: malformed HTTP request (${error.code ?? 'unknown'})` },
    );
    // Written, then the connection is destroyed (not half-closed: a silent client could keep it open).
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, () =>
      socket.destroy(),
    );
    setTimeout(() => socket.destroy(), 1000).unref();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await core.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    host: address.address,
    accounts: core.accounts,
    options,
    clock: core.clock,
    simulator: core.simulator,
    close() {
      closing ??= (async () => {
        // The core first: it ends the callback log's followers before their connections are cut.
        const coreClosed = core.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([closed, coreClosed]);
      })();
      return closing;
    },
  };
}
