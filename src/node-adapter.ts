import { RetCodes } from '../generated/retcodes.js';
import { DIRECT_RECEIVE, type DirectlyReceiving, type DirectReceive } from './direct-receive.js';

/**
 * The parts of node:http's IncomingMessage and ServerResponse the adapter uses. Declared here
 * rather than imported so that the package's types keep working without @types/node; Node's
 * own objects fit them.
 */
export interface NodeIncomingMessage {
  method?: string | undefined;
  url?: string | undefined;
  /** Lowercase names, as Node parses them (createCallbackHandler's handler reads them directly). */
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'close' | 'error', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  off(event: 'end' | 'close' | 'error', listener: () => void): unknown;
  pause(): unknown;
  destroy(): unknown;
}

export interface NodeServerResponse {
  statusCode: number;
  readonly headersSent: boolean;
  appendHeader(name: string, value: string): unknown;
  writeHead(statusCode: number, headers: Record<string, string>): unknown;
  end(body: Uint8Array | string): unknown;
  once(event: 'finish', listener: () => void): unknown;
  destroy(): unknown;
}

export interface NodeListenerOptions {
  /**
   * Largest request body read, in bytes. A bigger one, by its Content-Length or once that many
   * bytes have arrived, is answered 413 and the rest is not read. Default 1 MiB, the same as
   * createCallbackHandler's `maxBodyBytes`: when you change one, change both.
   */
  maxBodyBytes?: number;
}

/**
 * Mounts a Web-standard `(Request) => Response` handler, such as createCallbackHandler's, on
 * node:http: `createServer(toNodeListener(handler)).listen(port)`.
 *
 * The body is read up to `maxBodyBytes` while it streams in, then handed over whole; headers
 * pass through as received; the Request's URL is `http://localhost` plus the request path. The
 * Response is written back with its status and headers (its body is buffered: callback answers
 * are small). A sender that goes away mid-body is dropped without calling the handler. The
 * returned promise settles when the exchange is over and never rejects.
 */
export function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeListenerOptions = {},
): (req: NodeIncomingMessage, res: NodeServerResponse) => Promise<void> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  return async (req, res) => {
    if (Number(req.headers['content-length']) > maxBodyBytes) return refuseTooLarge(req, res, maxBodyBytes);
    const body = await readBody(req, maxBodyBytes);
    if (body === 'aborted') return;
    if (body === 'too-large') return refuseTooLarge(req, res, maxBodyBytes);
    const direct = (handler as DirectlyReceiving)[DIRECT_RECEIVE];
    if (direct) return answerDirectly(direct, req, res, body);
    let request: Request;
    try {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      const method = req.method ?? 'GET';
      const hasBody = method !== 'GET' && method !== 'HEAD';
      request = new Request(`http://localhost${req.url ?? '/'}`, { method, headers, body: hasBody ? (body as Uint8Array<ArrayBuffer>) : null });
    } catch {
      return answer(res, 400, RetCodes.ParameterFormatError.code, 'the request cannot be represented as a Fetch Request');
    }
    try {
      const response = await handler(request);
      const bytes = new Uint8Array(await response.arrayBuffer());
      res.statusCode = response.status;
      for (const [name, value] of response.headers) res.appendHeader(name, value);
      res.end(bytes);
    } catch {
      // Nothing useful to log for the sender; a handler that throws is a 500 to it.
      if (!res.headersSent) answer(res, 500, RetCodes.InternalServerError.code, 'handler failed');
      else res.destroy();
    }
  };
}

/** createCallbackHandler's own handler, without a Request and a Response in between (direct-receive.ts). */
async function answerDirectly(receive: DirectReceive, req: NodeIncomingMessage, res: NodeServerResponse, body: Buffer): Promise<void> {
  try {
    const answer = await receive(req.method ?? 'GET', req.headers, body);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  } catch {
    if (!res.headersSent) answer(res, 500, RetCodes.InternalServerError.code, 'handler failed');
    else res.destroy();
  }
}

/** The body, or why there is none. Stops reading as soon as the cap is passed. */
function readBody(req: NodeIncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const settle = (result: Buffer | 'too-large' | 'aborted') => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onAborted);
      req.off('error', onAborted);
      resolve(result);
    };
    const onData = (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.pause();
      settle('too-large');
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    // 'close' without 'end' (or an ECONNRESET 'error'): the sender went away mid-body.
    const onAborted = () => settle('aborted');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onAborted);
    req.on('error', onAborted);
  });
}

function refuseTooLarge(req: NodeIncomingMessage, res: NodeServerResponse, maxBytes: number): void {
  // The rest is never read: the connection closes once the answer is out (Node would otherwise
  // read and discard it first). A sender still writing may see a reset instead of the 413.
  res.once('finish', () => req.destroy());
  answer(res, 413, RetCodes.ParameterFormatError.code, `body over ${maxBytes} bytes`, { connection: 'close' });
}

/** The same `{retCode, retMsg}` answer createCallbackHandler gives. */
function answer(res: NodeServerResponse, status: number, retCode: number, retMsg: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ retCode, retMsg }));
}
