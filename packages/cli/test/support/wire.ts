import { gunzipSync } from 'node:zlib';

export interface WireRequest {
  headers: Headers;
  /** The body exactly as the client put it on the wire (still gzipped, if it was). */
  body: Buffer;
  /** The JSON text: `body`, gunzipped when it was gzipped. */
  text: string;
}

/**
 * A fetch for the engine's `io.fetch` that records each request the client sends (headers and
 * the final body bytes) and passes it on to the global fetch unchanged.
 */
export function capturingFetch(): { fetch: typeof fetch; requests: WireRequest[] } {
  const requests: WireRequest[] = [];
  return {
    requests,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const body = Buffer.from(await request.clone().arrayBuffer());
      const text = (request.headers.get('content-encoding') === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      requests.push({ headers: request.headers, body, text });
      return globalThis.fetch(request);
    },
  };
}
