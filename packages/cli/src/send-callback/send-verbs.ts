import { type CallbackKind, newRequestId } from 'callbot-contract';
import { FileReadError } from '../shared/bounded-read.js';
import { ConfigError, resolveApiConnection } from '../shared/credentials.js';
import { VERB_EXIT, type VerbExitCode } from '../shared/exit.js';
import { printJson, type VerbIo } from '../shared/io.js';
import { UsageError } from '../shared/usage-error.js';
import { examplePayload } from './example.js';
import { callbackLine, describeResult } from './line.js';
import { type PostResult, postSignedCallback } from './post.js';
import { findRecordedCallback, MAX_LINE_BYTES, NotACallbackFile } from './recorded.js';

// `callbot trigger` and `callbot resend`: one signed callback to a receiver, as the vendor would
// send it (post.ts), then one line saying what the receiver answered. Exit codes from the one
// table (shared/exit.ts): 0 the receiver answered 2xx; 1 usage (nothing sent); 3 not taken (the
// receiver answered another status, or could not be reached); 4 sent and no answer (a timeout
// or a connection cut: whether it was handled is unknown); 5 (resend) no callback with that
// requestID in the file.

export interface SendFlags {
  to: string;
  json?: boolean;
  timeoutMs: number;
  uuid?: string;
  secret?: string;
  algorithm?: string;
  config?: string;
}

export interface TriggerFlags extends SendFlags {
  task?: string;
  field?: string[];
  requestId?: string;
}

export interface ResendFlags extends SendFlags {
  from: string;
}

export async function runTrigger(io: VerbIo, kind: CallbackKind, flags: TriggerFlags): Promise<VerbExitCode> {
  return usageErrors(io, 'trigger', async () => {
    if (flags.requestId !== undefined) headerValue('--request-id', flags.requestId);
    const payload = examplePayload(kind, { task: flags.task, fields: flags.field });
    return send(io, 'trigger', flags, { kind, payload, requestID: flags.requestId ?? newRequestId() });
  });
}

export async function runResend(io: VerbIo, requestID: string, flags: ResendFlags): Promise<VerbExitCode> {
  return usageErrors(io, 'resend', async () => {
    let recorded: Awaited<ReturnType<typeof findRecordedCallback>>;
    try {
      recorded = await findRecordedCallback(flags.from, requestID);
    } catch (error) {
      if (error instanceof FileReadError || error instanceof NotACallbackFile) throw new UsageError(`--from ${flags.from}: ${error.message}`);
      throw error;
    }
    if ('tooLong' in recorded) {
      const skipped = recorded.tooLong > 0 ? `; ${recorded.tooLong} lines over ${MAX_LINE_BYTES} bytes were skipped unread` : '';
      io.stderr.write(`callbot resend: no callback with requestID ${requestID} in ${flags.from} (a file callbot listen --out wrote as JSON Lines)${skipped}\n`);
      return VERB_EXIT.notFound;
    }
    return send(io, 'resend', flags, recorded);
  });
}

/** A usage problem (flags, settings, the file): its message on stderr, exit 1, nothing sent. */
async function usageErrors(io: VerbIo, verb: string, work: () => Promise<VerbExitCode>): Promise<VerbExitCode> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`callbot ${verb}: ${error.message}\n${error.problems.map((p) => `  ${p}\n`).join('')}`);
    return VERB_EXIT.usage;
  }
}

async function send(io: VerbIo, verb: string, flags: SendFlags, callback: { kind: CallbackKind; payload: unknown; requestID: string }): Promise<VerbExitCode> {
  const url = receiverUrl(flags.to);
  let account: ReturnType<typeof resolveApiConnection>;
  try {
    account = resolveApiConnection({ uuid: flags.uuid, secret: flags.secret, algorithm: flags.algorithm, config: flags.config }, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  headerValue('--uuid', account.uuid);
  const result = await postSignedCallback({ url, body: JSON.stringify(callback.payload), requestID: callback.requestID, account, timeoutMs: flags.timeoutMs });
  const exit = exitCodeOf(result);
  if (flags.json) {
    printJson(io, {
      kind: callback.kind,
      to: url.href,
      requestID: callback.requestID,
      ok: result.ok,
      ...(result.status === undefined ? { error: result.error, sent: result.sent } : { status: result.status, answer: result.answer }),
      ms: result.ms,
      payload: callback.payload,
    });
  } else {
    io.stdout.write(`${callbackLine(new Date(), callback.kind, callback.payload, callback.requestID, result)}\n`);
  }
  if (exit !== VERB_EXIT.ok) io.stderr.write(`callbot ${verb}: ${url.href} did not take it: ${describeResult(result)}${hintOf(result)}\n`);
  return exit;
}

function exitCodeOf(result: PostResult): VerbExitCode {
  if (result.ok) return VERB_EXIT.ok;
  return result.status === undefined && result.sent === 'unknown' ? VERB_EXIT.unknown : VERB_EXIT.notDone;
}

function hintOf(result: PostResult): string {
  if (result.status === 401) return " (the receiver refused the signature: does it use this account's secret? --uuid/--secret or CALLBOT_SECRET_KEY)";
  if (result.status === undefined && result.sent === 'unknown') return ' (sent; whether it was handled is unknown)';
  return '';
}

function receiverUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--to: "${text}" is not a URL (e.g. http://127.0.0.1:3000/callbot/order)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--to: ${url.protocol} is not http: or https:`);
  if (url.username || url.password) throw new UsageError('--to: a URL with a user name or password is not taken (it would be printed)');
  return url;
}

/** A value that goes out as a header as it is: visible ASCII, 1 to 128 characters (what a requestID or uuid is). */
function headerValue(flag: string, value: string): void {
  if (!/^[\x21-\x7e]{1,128}$/.test(value)) {
    throw new UsageError(`${flag}: must be 1 to 128 visible ASCII characters (no spaces or line breaks), as it goes out as a header`);
  }
}
