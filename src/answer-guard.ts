import { untilAborted } from './attempt-deadline.js';
import { CallbotUnknownOutcomeError } from './errors.js';

// What the client takes for an answer, before anything parses or verifies it: only the first
// host's own answer (a redirect is never followed: that host already received the signed body,
// and following would hand the signed headers — for 307/308 the body too — to another host and
// believe its answer), and only as many bytes as an answer to the request can sensibly have
// (fetch inflates `Content-Encoding: gzip` on its own, so 13 MB on the wire can be gigabytes).

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The bound of an importBatchCall answer without any errList: counts, ids and a message. An
 * answer lists at most one errList entry (phone + errMsg) per order sent, hence the per-order
 * allowance below; together they are the client's default `maxAnswerBytes` for an import.
 */
export const ANSWER_BASE_BYTES = 1 * MiB;
/** Per order sent: one errList entry, a phone of up to 15 digits and an errMsg of a few hundred bytes. */
export const ANSWER_BYTES_PER_ORDER = 512;
/** The bound when the client does not count the orders (the `raw` client, verifyResponseMiddleware alone). */
export const UNCOUNTED_MAX_ANSWER_BYTES = 64 * MiB;

/** The default bound of the answer to an import of `orders` orders. */
export function importAnswerBound(orders: number): number {
  return ANSWER_BASE_BYTES + ANSWER_BYTES_PER_ORDER * Math.max(0, orders);
}

const REDIRECT_STATUSES = new Set([300, 301, 302, 303, 305, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch as createCallbotClient calls it: the request, the bound of its answer and the attempt's
 * own deadline (attempt-deadline.ts), which is handed to fetch in place of the request's signal.
 */
export type GuardedFetch = (request: Request, maxAnswerBytes: number, deadline?: AbortSignal) => Promise<Response>;

/**
 * Wraps `fetchImpl` (the global fetch, or the caller's own) so that it never follows a
 * redirect — it is called with `redirect: 'manual'` — and returns the answer fully read within
 * `maxAnswerBytes`. It rejects with CallbotUnknownOutcomeError when the answer is a redirect
 * (naming its status and Location), came through a redirect the fetch followed anyway, or is
 * larger than the bound (the connection is closed at once). Other failures of fetch or of the
 * body stream are passed on unchanged, for the caller to classify. With a `deadline`, the fetch
 * and each read of the body end when it aborts (rejecting with its reason), whatever the fetch does.
 */
export function guardFetch(fetchImpl: () => typeof fetch): GuardedFetch {
  return async (request, maxAnswerBytes, deadline) => {
    const requestID = request.headers.get('requestID') ?? undefined;
    const init: RequestInit = deadline ? { redirect: 'manual', signal: deadline } : { redirect: 'manual' };
    const response = await untilAborted(fetchImpl()(request, init), deadline, discard);
    if (response.redirected || response.type === 'opaqueredirect' || REDIRECT_STATUSES.has(response.status)) {
      discard(response);
      throw redirectError(request, response, requestID);
    }
    const chunks = await readBoundedChunks(response, maxAnswerBytes, requestID, deadline);
    const head = { status: response.status, statusText: response.statusText, headers: response.headers };
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : streamOf(chunks), head);
  };
}

function redirectError(request: Request, response: Response, requestID: string | undefined): CallbotUnknownOutcomeError {
  if (response.redirected) {
    // A fetch of the caller's that followed in spite of `redirect: 'manual'`: the answer is another host's.
    const location = shorten(response.url);
    return new CallbotUnknownOutcomeError(
      `the fetch followed a redirect to ${location}; an answer from there is not believed (the first host received the request)`,
      { requestID, status: response.status, location },
    );
  }
  const header = response.headers.get('location');
  const location = header === null ? undefined : shorten(resolve(header, request.url));
  return new CallbotUnknownOutcomeError(
    `redirected (HTTP ${response.status || 'opaque redirect'}) to ${location ?? 'no Location'}; not followed (the first host received the request)`,
    { requestID, ...(response.status ? { status: response.status } : {}), location },
  );
}

/**
 * Reads `response`'s body (as fetch hands it over: decoded) into memory, at most `maxBytes`, in
 * the chunks fetch gave, never joined: a large answer (an export) is then passed on (streamOf)
 * and verified without one more copy of it per step. Refuses before reading when Content-Length
 * already exceeds the bound, and cancels the body — which makes fetch close the connection — as
 * soon as the bytes read pass it; either way it rejects with CallbotUnknownOutcomeError. Memory
 * stays within `maxBytes` plus one chunk. When `deadline` aborts, the body is cancelled and this
 * rejects with its reason.
 */
export async function readBoundedChunks(response: Response, maxBytes: number, requestID: string | undefined, deadline?: AbortSignal): Promise<Uint8Array[]> {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    discard(response);
    throw new CallbotUnknownOutcomeError(
      `the answer's Content-Length ${declared} exceeds maxAnswerBytes (${maxBytes} bytes); it was not read and the connection was closed`,
      { requestID, status: response.status },
    );
  }
  if (!response.body) return [];
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await untilAborted(reader.read(), deadline);
    } catch (error) {
      if (deadline?.aborted) reader.cancel(deadline.reason).catch(() => {});
      throw error;
    }
    const { done, value } = next;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel(new Error('answer larger than maxAnswerBytes')).catch(() => {});
      throw new CallbotUnknownOutcomeError(
        `the answer exceeds maxAnswerBytes (${maxBytes} bytes${response.headers.has('content-encoding') ? ', counted after decoding' : ''}); the rest was not read and the connection was closed`,
        { requestID, status: response.status },
      );
    }
    chunks.push(value);
  }
  return chunks;
}

/** A body made of chunks already in memory, handed on as they are (a Response copies any bytes it is given whole). */
export function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Drops an answer that will not be read; cancelling its body makes fetch close the connection. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function resolve(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

/** A Location is chosen by whoever answered: keep it to a printable length. */
function shorten(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
