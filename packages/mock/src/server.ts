import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import { AccountStore, demoAccount, type MockAccount } from './accounts.js';
import { BatchStore } from './batches.js';
import { CallSimulator } from './call-simulator.js';
import { FaultInjector } from './faults.js';
import { handleImport, type ImportContext, type Outcome } from './import-handler.js';
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
  const ctx: ImportContext = {
    options,
    accounts: new AccountStore(accountList),
    batches: new BatchStore(),
    simulator: new CallSimulator(options.callbacks, logger),
    faults: new FaultInjector(options.faults, options.callbacks.seed),
    engine: await createSpecEngine(),
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<Outcome | undefined> => {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === IMPORT_BATCH_CALL_PATH) {
      if (method === 'POST') return handleImport(req, res, ctx);
      res.setHeader('Allow', 'POST');
      sendJson(res, 405, { retCode: RetCodes.GeneralError.code, retMsg: `${method} is not supported here; importBatchCall is POST only` });
      return undefined;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { retCode: RetCodes.GeneralError.code, retMsg: `${method} ${url.pathname} is not supported (the mock's own endpoints are read-only)` });
      return undefined;
    }
    if (url.pathname === DEBUG_BATCHES_PATH) {
      const filter = { uuid: url.searchParams.get('uuid') ?? undefined, userTaskID: url.searchParams.get('userTaskID') ?? undefined };
      sendJson(res, 200, ctx.batches.snapshot(filter));
    } else if (url.pathname === DEBUG_CALLBACKS_PATH) {
      sendJson(res, 200, { callbacks: ctx.simulator.records() });
    } else if (isStaticPath(url.pathname)) {
      await serveStatic(url.pathname, method, res);
    } else {
      sendJson(res, 404, { retCode: RetCodes.GeneralError.code, retMsg: `not found: ${url.pathname}`, see: ['/docs/', '/openapi.json', IMPORT_BATCH_CALL_PATH] });
    }
    return undefined;
  };

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    route(req, res)
      .then((outcome) => {
        if (outcome) logger.info(`${req.method} ${req.url} ${describe(outcome)} ${Date.now() - started} ms`);
      })
      .catch((error: Error) => {
        logger.error(`${req.method} ${req.url}: ${error.stack ?? error.message}`);
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 200, { retCode: RetCodes.InternalServerError.code, retMsg: `${RetCodes.InternalServerError.zh}: the mock failed; see its log`, responseID: '', totalCount: 0, successCount: 0 });
        } else res.destroy();
      });
  });
  // Malformed HTTP (huge headers, garbage): Node refuses it before any handler runs. Answer as
  // plainly as the protocol allows, then close that connection only.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify({ retCode: RetCodes.ParameterFormatError.code, retMsg: `${RetCodes.ParameterFormatError.zh}: malformed HTTP request (${error.code ?? 'unknown'})` });
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
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
  const counts = outcome.totalCount !== undefined ? ` (${outcome.totalCount} orders, ${outcome.rejected ?? 0} refused)` : '';
  return `→ retCode ${outcome.retCode}${counts}`;
}
