import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

// One HTTP exchange as the probe needs to see it, which fetch hides: header names are sent in
// exactly the case given (`requestId` vs `requestID`) and read back as the server spelled them
// (rawHeaders), and an answer is not decompressed behind the probe's back — whether it came
// gzipped is one of the questions. Bounded: a timeout, and caps on the answer's size on the
// wire and after gunzip.

export const MAX_ANSWER_BYTES = 1024 * 1024;
export const MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024;

export interface RawRequest {
  url: string;
  /** Header names exactly as they go on the wire. */
  headers: [string, string][];
  body: Buffer;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface RawAnswer {
  status: number;
  /** Header names as the server spelled them, in order. */
  headerNames: string[];
  /** Header values by lower-cased name (the first of repeated ones). */
  headers: Record<string, string>;
  /** The body as it came on the wire. */
  wire: Buffer;
  /** The body after undoing `Content-Encoding: gzip` (the wire bytes otherwise). */
  body: Buffer;
  /** The answer's Content-Encoding, lower-cased, if any. */
  contentEncoding?: string;
  /** Local clock (ms) when the answer's head arrived. */
  receivedAt: number;
}

export class TransportError extends Error {}

export async function exchange({ url, headers, body, timeoutMs, signal }: RawRequest): Promise<RawAnswer> {
  const target = new URL(url);
  // Loaded here, not at the top: the bundled `callbot` would otherwise load TLS for every command.
  const { request: send } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const outgoing: Record<string, string> = { 'Content-Length': String(body.length) };
    for (const [name, value] of headers) outgoing[name] = value;
    const req = send(target, { method: 'POST', headers: outgoing, signal, timeout: timeoutMs });
    req.on('timeout', () => req.destroy(new TransportError(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
    req.on('response', (res: IncomingMessage) => {
      const receivedAt = Date.now();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy(new TransportError(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => reject(signal.aborted ? signal.reason : error));
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const names: string[] = [];
        const byName: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!;
          names.push(name);
          byName[name.toLowerCase()] ??= res.rawHeaders[i + 1]!;
        }
        const contentEncoding = byName['content-encoding']?.trim().toLowerCase() || undefined;
        let decoded = wire;
        if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') {
          try {
            decoded = gunzipSync(wire, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
          } catch (error) {
            reject(new TransportError(`answer says Content-Encoding: gzip but does not gunzip (${(error as Error).message})`));
            return;
          }
        }
        resolve({
          status: res.statusCode ?? 0,
          headerNames: names,
          headers: byName,
          wire,
          body: decoded,
          ...(contentEncoding ? { contentEncoding } : {}),
          receivedAt,
        });
      });
    });
    req.end(body);
  });
}
