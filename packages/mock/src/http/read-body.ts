import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { RetCodes } from 'callbot-contract';
import { refuse, type Refusal } from '../requests/refusals.js';

export type BodyResult = { ok: true; bytes: Buffer } | { ok: false; refusal: Refusal; closeConnection: boolean };
/** The client went away (or was cut off by a timeout) before the body was complete: nothing to answer. */
export type Aborted = { ok: false; aborted: true; received: number };

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB ? 1 : 0)} MiB` : `${bytes} bytes`);

/**
 * Reads the request body, keeping at most `maxBytes`. A larger body is refused with
 * TooManyElements (参数内容容量错误, the vendor's "capacity" code); the rest of it is read and thrown away so that the client
 * gets the answer instead of a reset connection, unless it goes on past `4 × maxBytes`, when
 * the connection is closed after the answer. A connection closed before the end of the body
 * resolves `aborted` (an everyday event, not an error).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult | Aborted> {
  const drainLimit = Math.max(maxBytes * 4, maxBytes + 64 * MiB);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (result: BodyResult | Aborted) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const tooLarge = (closeConnection: boolean): BodyResult => ({
      ok: false,
      closeConnection,
      refusal: refuse(RetCodes.TooManyElements.code, `request body larger than ${size(maxBytes)}`),
    });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > drainLimit) {
      req.pause();
      finish(tooLarge(true));
      return;
    }
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
      else if (received > drainLimit) {
        req.pause();
        finish(tooLarge(true));
      }
    });
    req.on('end', () => finish(received > maxBytes ? tooLarge(false) : { ok: true, bytes: Buffer.concat(chunks, received) }));
    const aborted = () => finish({ ok: false, aborted: true, received });
    req.on('error', aborted);
    req.on('close', () => {
      if (!req.complete) aborted();
    });
  });
}

/**
 * The same bound for a fetch `Request`'s body stream: at most `maxBytes` kept; past it the
 * stream is cancelled and the request refused (there is no connection to keep usable). A
 * stream that errors counts as an aborted upload.
 */
export async function readWebBody(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<BodyResult | Aborted> {
  if (!stream) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, closeConnection: false, refusal: refuse(RetCodes.TooManyElements.code, `request body larger than ${size(maxBytes)}`) };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, aborted: true, received };
  }
  return { ok: true, bytes: Buffer.concat(chunks, received) };
}

const gunzipAsync = (input: Buffer, maxOutputLength: number) =>
  new Promise<Buffer>((resolve, reject) => gunzip(input, { maxOutputLength }, (error, out) => (error ? reject(error) : resolve(out))));

/**
 * Undoes `Content-Encoding` (the vendor documents gzip only). The output is capped: a gzip
 * bomb is refused with TooManyElements once it would pass `maxDecompressedBytes`, before it
 * fills memory.
 */
export async function decodeContent(bytes: Buffer, contentEncoding: string | undefined, maxDecompressedBytes: number): Promise<BodyResult> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return { ok: true, bytes };
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    return {
      ok: false,
      closeConnection: false,
      refusal: refuse(RetCodes.ParameterFormatError.code, `Content-Encoding "${encoding.slice(0, 40)}" is not supported (only gzip)`),
    };
  }
  try {
    return { ok: true, bytes: await gunzipAsync(bytes, maxDecompressedBytes) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      return {
        ok: false,
        closeConnection: false,
        refusal: refuse(RetCodes.TooManyElements.code, `gzip body decompresses to more than ${size(maxDecompressedBytes)}`),
      };
    }
    return { ok: false, closeConnection: false, refusal: refuse(RetCodes.ParameterFormatError.code, `body is not valid gzip (${(error as Error).message})`) };
  }
}
