import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { components } from 'callbot-contract';
import { DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH } from 'callbot-contract';
import { sign, verifySignature, type SignAlgorithm } from 'callbot-contract';

export const demo = DEMO_ACCOUNT;

export type Order = components['schemas']['CallOrder'];

export function order(i: number, overrides: Partial<Order> = {}): Order {
  return {
    orderID: `order-${i}`,
    userPhone: `86156${String(i).padStart(8, '0')}`,
    other: `ticket-${i}`,
    userName: '张伟',
    customerName: '华南物流',
    params: [{ name: 'amount', value: String(100 + i) }],
    ...overrides,
  };
}

/** A valid import body; callbacks go to a closed loopback port unless `callbackBase` is given. */
export function importBody(orders: Order[] | number, { userTaskID = `task-${randomUUID()}`, callbackBase = 'http://127.0.0.1:9/cb' } = {}) {
  const callList = typeof orders === 'number' ? Array.from({ length: orders }, (_, i) => order(i)) : orders;
  return {
    productID: 'callbot',
    userTaskID,
    callInfoList: { orderCallbackUrl: `${callbackBase}/order`, callCallbackUrl: `${callbackBase}/call`, callList },
  };
}

export interface SendOptions {
  uuid?: string;
  secretKey?: string;
  algorithm?: SignAlgorithm;
  /** Send the `algorithm` header (defaults to: only when not MD5). */
  algorithmHeader?: string | null;
  createTs?: string;
  requestID?: string;
  /** Override the computed sign (null: omit the header). */
  sign?: string | null;
  gzip?: boolean;
  /** Extra headers, e.g. the fault header or a spelled-differently header. */
  headers?: Record<string, string>;
  /** Name of the request id header on the wire. */
  requestIdHeader?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: {
    retCode: number;
    retMsg: string;
    responseID: string;
    totalCount: number;
    successCount: number;
    errList?: { phone: string; errMsg: string }[];
    [field: string]: any;
  };
}

/** POSTs `body` to importBatchCall (an object: serialised once; a string or bytes: sent as is) signed like a client would. */
export function sendImport(baseUrl: string, body: unknown, options: SendOptions = {}): Promise<Answer> {
  return sendSigned(baseUrl, IMPORT_BATCH_CALL_PATH, body, options);
}

/** POSTs `body` to any operation (`/callcentre/api/v3/NAME`), signed like a client would. */
export async function sendSigned(baseUrl: string, path: string, body: unknown, options: SendOptions = {}): Promise<Answer> {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  const uuid = options.uuid ?? demo.uuid;
  const requestID = options.requestID ?? randomUUID().replace(/-/g, '');
  const createTs = options.createTs ?? String(Math.floor(Date.now() / 1000));
  const algorithm = options.algorithm ?? 'MD5';
  const signature =
    options.sign === undefined ? sign({ secretKey: options.secretKey ?? demo.secretKey, body: bytes, createTs, requestID, uuid, algorithm }) : options.sign;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', [options.requestIdHeader ?? 'requestID']: requestID, uuid, createTs };
  if (signature !== null) headers.sign = signature;
  const algorithmHeader = options.algorithmHeader === undefined ? (algorithm === 'MD5' ? null : algorithm) : options.algorithmHeader;
  if (algorithmHeader !== null) headers.algorithm = algorithmHeader;
  let payload: Buffer = bytes;
  if (options.gzip) {
    headers['Content-Encoding'] = 'gzip';
    payload = gzipSync(bytes);
  }
  Object.assign(headers, options.headers);
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: new Uint8Array(payload) });
  const responseText = await response.text();
  return { status: response.status, headers: response.headers, text: responseText, json: JSON.parse(responseText) };
}

/** Whether an answer's `sign` header is valid for its exact body bytes, with this secret. */
export function answerSignatureValid(answer: Answer, secretKey = demo.secretKey): boolean {
  const get = (name: string) => answer.headers.get(name) ?? '';
  const algorithm = (answer.headers.get('algorithm') ?? 'MD5') as SignAlgorithm;
  return verifySignature({
    secretKey,
    body: answer.text,
    createTs: get('createTs'),
    requestID: get('requestID'),
    uuid: get('uuid'),
    algorithm,
    sign: get('sign'),
  });
}

export async function getJson<T = any>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Polls `check` until it returns something truthy (no timed assertion: the test timeout bounds it). */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, intervalMs = 25): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface ReceivedCallback {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A callback receiver on 127.0.0.1 that records every request; `status` decides each answer. */
export async function startReceiver(status: (request: ReceivedCallback, index: number) => number = () => 200) {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const code = status(entry, received.length);
      received.push(entry);
      const location = code >= 300 && code < 400 ? { Location: '/elsewhere' } : {};
      res.writeHead(code, { 'Content-Type': 'application/json', ...location }).end(JSON.stringify({ retCode: code === 200 ? 0 : 1, retMsg: 'test' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What `GET`/`POST /__mock/clock` answer. */
export interface ClockAnswer {
  now: number;
  speed: number;
  pendingCallbacks: number;
}

/** Moves the mock's virtual clock `seconds` forward; with `settle` (default) waits for the callbacks due so far. */
export async function advance(baseUrl: string, seconds: number, settle = true): Promise<ClockAnswer> {
  const response = await fetch(`${baseUrl}/__mock/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance: seconds, settle }),
  });
  if (response.status !== 200) throw new Error(`POST /__mock/clock: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as ClockAnswer;
}

/** The tasks the mock's world holds (`GET /__mock/tasks`), with their orders when `userTaskID` is given. */
export async function tasksOf(baseUrl: string, query: Record<string, string> = {}): Promise<any[]> {
  return (await getJson(`${baseUrl}/__mock/tasks?${new URLSearchParams(query)}`)).tasks;
}
