import { gzipSync } from 'node:zlib';
import { newRequestId, Operations, RetCodes, sign, type OperationId, type SignAlgorithm, type SignInput } from 'callbot-contract';
import { answerText } from './mask.js';
import type { Pacer } from './pacer.js';
import { type Redact, redactorFor } from './redact.js';
import { exchange, type RawAnswer } from './transport.js';

// A probe's connection to the vendor: builds each request from a *form* (which spelling of the
// requestID header, which algorithm header, which algorithm signs), a createTs shift and a gzip
// mode — one dimension varied at a time — signs it, sends it through the pacer and keeps the
// exchange for the analyses that read every answer (answer-schema, answer-signature).
//
// The secret key lives here and only here: an Exchange holds what was sent on the wire (minus
// `sign`) and what came back, never the key or a signature base. What the vendor says in words
// (`msg`/`retMsg`) is redacted (redact.ts) before it is masked and cut to length, and `redact`
// is the gate run.ts passes every text of the report and the progress through.

/** How a request is spelled: the dimensions the probes vary. */
export interface RequestForm {
  /** The name of the request-id header as sent: `requestID` (the contract), `requestId`, `requestid`. */
  requestIdHeader: string;
  /** The `algorithm` header's value, or undefined to leave the header out. */
  algorithmHeader: string | undefined;
  /** The algorithm that computes `sign`. */
  signAlgorithm: SignAlgorithm;
}

export const describeForm = (form: RequestForm) =>
  `${form.requestIdHeader} header, ${form.algorithmHeader === undefined ? 'no algorithm header' : `algorithm: ${form.algorithmHeader}`}, signed ${form.signAlgorithm}`;

export interface ProbeRequest {
  operation: OperationId;
  body: string;
  form: RequestForm;
  /** Seconds added to createTs (after aligning it with the server's clock). */
  createTsShift?: number;
  /** `sign-json`: gzip the body, sign the JSON text (the contract); `sign-wire`: sign the gzip bytes. */
  gzip?: 'sign-json' | 'sign-wire';
  acceptGzip?: boolean;
  /** What this request tests, for the report. */
  label: string;
}

export interface Exchange {
  label: string;
  operation: OperationId;
  requestID: string;
  createTs: string;
  /** The JSON text that was signed under the contract's reading (before any gzip). */
  bodyText: string;
  form: RequestForm;
  answer?: RawAnswer;
  /** The parsed answer body, when it was JSON. */
  json?: unknown;
  /** HTTP 200 and `code` (ping) or `retCode` 0. */
  accepted: boolean;
  /** The answer's `code`/`retCode`. */
  code?: number;
  /** The answer's `msg`/`retMsg`, masked. */
  message?: string;
  /** Why there is no usable answer (timeout, connection refused, not JSON). */
  failure?: string;
}

export interface SessionOptions {
  baseUrl: string;
  uuid: string;
  secretKey: string;
  pacer: Pacer;
  timeoutMs: number;
  signal: AbortSignal;
}

export class Session {
  readonly exchanges: Exchange[] = [];
  /** Server clock minus local clock, seconds (from ping's `timestamp`); createTs is aligned with it. */
  clockOffsetSeconds = 0;
  /** Removes this account's secret key and anything shaped like a signature base from a text. */
  readonly redact: Redact;

  constructor(private readonly options: SessionOptions) {
    this.redact = redactorFor(options.secretKey);
  }

  get uuid(): string {
    return this.options.uuid;
  }

  /** A signature with the account's key (for checking answers' signatures; the key itself stays here). */
  signWithAccountKey(input: Omit<SignInput, 'secretKey'>): string {
    return sign({ ...input, secretKey: this.options.secretKey });
  }

  /** Sends one request; never throws for what the vendor does, only when aborted or out of budget. */
  async send(request: ProbeRequest, signal: AbortSignal = this.options.signal): Promise<Exchange> {
    const release = await this.options.pacer.take(signal);
    try {
      return await this.exchangeOnce(request, signal);
    } finally {
      release();
    }
  }

  private async exchangeOnce(request: ProbeRequest, signal: AbortSignal): Promise<Exchange> {
    const { uuid, secretKey } = this.options;
    const requestID = newRequestId();
    const createTs = String(Math.floor(Date.now() / 1000) + this.clockOffsetSeconds + (request.createTsShift ?? 0));
    const json = Buffer.from(request.body, 'utf8');
    const wire = request.gzip ? gzipSync(json) : json;
    const signed = request.gzip === 'sign-wire' ? wire : json;
    const headers: [string, string][] = [
      ['Content-Type', 'application/json'],
      [request.form.requestIdHeader, requestID],
      ['uuid', uuid],
      ['createTs', createTs],
      ['sign', sign({ secretKey, body: new Uint8Array(signed), createTs, requestID, uuid, algorithm: request.form.signAlgorithm })],
    ];
    if (request.form.algorithmHeader !== undefined) headers.push(['algorithm', request.form.algorithmHeader]);
    if (request.gzip) headers.push(['Content-Encoding', 'gzip']);
    if (request.acceptGzip) headers.push(['Accept-Encoding', 'gzip']);

    const record: Exchange = {
      label: request.label,
      operation: request.operation,
      requestID,
      createTs,
      bodyText: request.body,
      form: request.form,
      accepted: false,
    };
    this.exchanges.push(record);
    try {
      const answer = await exchange({
        url: `${this.options.baseUrl}${Operations[request.operation].path}`,
        headers,
        body: wire,
        timeoutMs: this.options.timeoutMs,
        signal,
      });
      record.answer = answer;
      try {
        record.json = JSON.parse(answer.body.toString('utf8'));
      } catch {
        record.failure = `HTTP ${answer.status}, answer is not JSON (${answer.body.length} bytes)`;
        return record;
      }
      const body = record.json as Record<string, unknown>;
      // Ping has its own envelope (code/msg); should the vendor answer it in the common one,
      // the code is still read (answer-schema reports the envelope).
      const code = request.operation === 'ping' ? (body?.code ?? body?.retCode) : body?.retCode;
      if (typeof code === 'number') record.code = code;
      const said = request.operation === 'ping' ? (body?.msg ?? body?.retMsg) : body?.retMsg;
      // Redacted whole, before the length cut could leave a piece of an echoed key too short to recognise.
      const message = answerText(typeof said === 'string' ? this.redact(said) : undefined);
      if (message !== undefined) record.message = message;
      record.accepted = answer.status === 200 && code === RetCodes.Success.code;
      if (answer.status !== 200) record.failure = `HTTP ${answer.status}`;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      record.failure = this.redact((error as Error).message);
    }
    return record;
  }
}

/** `accepted`, or `refused (retCode 4: …)`, or the failure: one line of evidence, masked. */
export function outcome(exchange: Exchange): string {
  if (exchange.accepted) return 'accepted';
  if (exchange.code !== undefined) return `refused (code ${exchange.code}${exchange.message ? `: ${exchange.message}` : ''})`;
  return `no usable answer (${exchange.failure ?? 'unknown'})`;
}
