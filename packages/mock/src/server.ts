import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import { AccountStore, demoAccount, type MockAccount } from './accounts.js';
import { BatchStore, formatCursor, parseCursor } from './batches.js';
import { CallSimulator } from './call-simulator.js';
import { FaultInjector } from './faults.js';
import { handleImport, type ImportContext, type Outcome } from './import-handler.js';
import { exampleOperation, handleExampleOperation } from './operation-handler.js';
import { resolveOptions, type MockOptions, type MockOptionsInput } from './options.js';
import { sendJson } from './respond.js';
import { createSpecEngine } from './spec-engine.js';
import { isStaticPath, serveStatic } from './static-files.js';

export interface MockServer {
  /** `http://HOST:PORT`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The accounts the mock accepts (the demo account first, when enabled). */
  readonly accounts: readonly MockAccount[];
  readonly options: MockOptions;
  /** Stops listening, drops open connections, cancels pending simulated calls and callbacks. */
  close(): Promise<void>;
}

export const DEBUG_BATCHES_PATH = '/__mock/batches';
export const DEBUG_CALLBACKS_PATH = '/__mock/callbacks';

/**
 * Starts the mock: Prism's view of the spec for validation, plus what Prism cannot do (signatures,
 * gzip, vendor retCodes, batches, callbacks, faults). Resolves once it listens.
 */
export async function createMockServer(input: MockOptionsInput = {}): Promise<MockServer> {
  const options = resolveOptions(input);
  const accountList = [...(options.demoAccount ? [demoAccount()] : []), ...options.accounts];
  const logger = options.logger;
  const simulator = new CallSimulator(options.callbacks, logger, { maxRecords: options.maxCallbackRecords });
  const ctx: ImportContext = {
    options,
    accounts: new AccountStore(accountList),
    batches: new BatchStore(options, {
      isDialing: (batch) => simulator.isDialing(batch),
      forget: (batch) => simulator.stop(batch),
      log: (line) => logger.warn(line),
    }),
    simulator,
    faults: new FaultInjector(options.faults, options.callbacks.seed),
    engine: await createSpecEngine(),
  };
  // Every POST operation of the bundled spec, read once: the import is simulated, the others
  // are answered from the spec's examples (operation-handler.ts) after the same checks.
  const operations = new Map(ctx.engine.operations.map((operation) => [operation.path, operation]));
  const byExamples = new Map(
    ctx.engine.operations.filter((operation) => operation.path !== IMPORT_BATCH_CALL_PATH).map((operation) => [operation.path, exampleOperation(operation)]),
  );

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<Outcome | undefined> => {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const method = req.method ?? 'GET';
    const operation = operations.get(url.pathname);
    if (operation) {
      if (method === 'POST') {
        const answeredByExamples = byExamples.get(operation.path);
        return answeredByExamples ? handleExampleOperation(req, res, ctx, answeredByExamples) : handleImport(req, res, ctx);
      }
      res.setHeader('Allow', 'POST');
      sendJson(res, 405, { retCode: RetCodes.GeneralError.code, retMsg: `${method} is not supported here; ${operation.operationId} is POST only` });
      return undefined;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, {
        retCode: RetCodes.GeneralError.code,
        retMsg: `${method} ${url.pathname} is not supported (the mock's own endpoints are read-only)`,
      });
      return undefined;
    }
    if (url.pathname === DEBUG_BATCHES_PATH) {
      listBatches(url, res, ctx.batches);
    } else if (url.pathname === DEBUG_CALLBACKS_PATH) {
      listCallbacks(url, res, ctx.simulator);
    } else if (isStaticPath(url.pathname)) {
      await serveStatic(url.pathname, method, res);
    } else {
      sendJson(res, 404, {
        retCode: RetCodes.GeneralError.code,
        retMsg: `not found: ${url.pathname}`,
        see: ['/docs/', '/openapi.json', IMPORT_BATCH_CALL_PATH],
      });
    }
    return undefined;
  };

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
    route(req, res)
      .then((outcome) => {
        if (!outcome || ('aborted' in outcome && timedOut.has(req.socket))) return;
        logger.info(`${req.method} ${req.url} ${describe(outcome)} ${Date.now() - started} ms`);
      })
      .catch((error: Error) => {
        logger.error(`${req.method} ${req.url}: ${error.stack ?? error.message}`);
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 200, {
            retCode: RetCodes.InternalServerError.code,
            retMsg: `${RetCodes.InternalServerError.zh}: the mock failed; see its log`,
            responseID: '',
            totalCount: 0,
            successCount: 0,
          });
        } else res.destroy();
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    host: address.address,
    accounts: accountList.map((account) => ({ ...account })),
    options,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([closed, ctx.simulator.close()]);
      })();
      return closing;
    },
  };
}

function describe(outcome: Outcome): string {
  if ('dropped' in outcome) return '→ connection dropped (injected fault)';
  if ('aborted' in outcome) {
    return `→ upload aborted by the client after ${outcome.received} of ${outcome.declared ?? 'an unknown number of'} bytes; nothing answered`;
  }
  const counts = outcome.totalCount !== undefined ? ` (${outcome.totalCount} orders, ${outcome.rejected ?? 0} refused)` : '';
  return `→ retCode ${outcome.retCode}${counts}`;
}

/** Page sizes of the debug listings: a default, and a maximum that bounds every answer. */
export const LISTING_PAGES = {
  batches: { limit: { default: 100, max: 1000 }, orderLimit: { default: 10_000, max: 10_000 } },
  callbacks: { limit: { default: 100, max: 1000 } },
} as const;

class BadQuery extends Error {}

/** A positive integer query parameter: absent → the default, above the maximum → the maximum. */
function pageSize(url: URL, name: string, bounds: { default: number; max: number }): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return bounds.default;
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new BadQuery(`${name} must be a whole number >= 1 (at most ${bounds.max} is used)`);
  return Math.min(Number(text), bounds.max);
}

function badQuery(res: ServerResponse, error: unknown): void {
  if (!(error instanceof BadQuery)) throw error;
  sendJson(res, 400, { retCode: RetCodes.GeneralError.code, retMsg: `${RetCodes.GeneralError.zh}: ${error.message}` });
}

/** The same listing from `cursor` on: the filters and page sizes kept. */
function nextLink(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  return `${path}?${query}`;
}

/** `GET /__mock/batches[?uuid=&userTaskID=&limit=&orderLimit=&cursor=]`: one page; `next` is the following one, or null. */
function listBatches(url: URL, res: ServerResponse, batches: BatchStore): void {
  try {
    const uuid = url.searchParams.get('uuid') || undefined;
    const userTaskID = url.searchParams.get('userTaskID') || undefined;
    const limit = pageSize(url, 'limit', LISTING_PAGES.batches.limit);
    const orderLimit = pageSize(url, 'orderLimit', LISTING_PAGES.batches.orderLimit);
    const cursorText = url.searchParams.get('cursor');
    const cursor = cursorText ? parseCursor(cursorText) : undefined;
    if (cursorText && !cursor) throw new BadQuery('cursor must be the value of a next link (e.g. 880001.0)');
    const page = batches.list({ uuid, userTaskID, limit, orderLimit, cursor });
    const next = page.next ? nextLink(DEBUG_BATCHES_PATH, { uuid, userTaskID, limit, orderLimit, cursor: formatCursor(page.next) }) : null;
    sendJson(res, 200, { tasks: page.tasks, total: page.total, limit, orderLimit, next });
  } catch (error) {
    badQuery(res, error);
  }
}

/** `GET /__mock/callbacks[?limit=&cursor=]`: delivery records oldest first; `cursor` is the last `id` seen. */
function listCallbacks(url: URL, res: ServerResponse, simulator: CallSimulator): void {
  try {
    const limit = pageSize(url, 'limit', LISTING_PAGES.callbacks.limit);
    const cursorText = url.searchParams.get('cursor');
    if (cursorText && !/^\d{1,15}$/.test(cursorText)) throw new BadQuery('cursor must be the value of a next link (a record id)');
    const page = simulator.records({ after: cursorText ? Number(cursorText) : 0, limit });
    const next = page.next !== undefined ? nextLink(DEBUG_CALLBACKS_PATH, { limit, cursor: page.next }) : null;
    sendJson(res, 200, { callbacks: page.records, total: page.total, limit, next });
  } catch (error) {
    badQuery(res, error);
  }
}
