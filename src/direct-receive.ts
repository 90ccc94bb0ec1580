// How toNodeListener reaches createCallbackHandler's work without the Fetch objects in between.
//
// On Node 20 a `new Request` with a body, reading that body back as a stream, and a `new
// Response` read back with arrayBuffer() cost about three quarters of a callback's time in the
// receiver (undici's web streams; bench/callbacks.mjs). The handler createCallbackHandler returns
// carries its receive step under this (unexported) symbol; toNodeListener calls it with Node's
// own parsed headers and the body it has read, and writes the answer itself. Any other handler —
// or ours wrapped in one of yours — goes through Request and Response as before, with the same
// answers.

export const DIRECT_RECEIVE: unique symbol = Symbol('callbot.directReceive');

/** A callback's answer before it becomes a Response: status, headers and the JSON text. */
export interface DirectAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The receive step: the method, the headers (a Headers object, or Node's `req.headers`), the raw body. */
export type DirectReceive = (method: string, headers: Headers | Record<string, string | string[] | undefined>, body: Uint8Array) => Promise<DirectAnswer>;

export interface DirectlyReceiving {
  [DIRECT_RECEIVE]?: DirectReceive;
}
