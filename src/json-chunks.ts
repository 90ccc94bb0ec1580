// A large request body (an import of 100,000 orders) as UTF-8 bytes, without ever holding its
// whole JSON text as one string: with any non-Latin-1 character (a Chinese name) V8 keeps such
// a string at two bytes per character, about twice the bytes sent, on top of the bytes.

/** About this many characters of JSON go into each chunk. */
const CHUNK_CHARS = 256 * 1024;

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};

/**
 * `JSON.stringify(value)` as UTF-8 chunks of about 256 KiB: the same bytes, once joined.
 * Plain objects are walked key by key and arrays item by item; everything else (an item of an
 * array, a Date, a string) is serialized whole by JSON.stringify, so only one such piece is a
 * string at a time. Undefined when JSON.stringify gives undefined.
 */
export function jsonChunks(value: unknown): Uint8Array<ArrayBuffer>[] | undefined {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let pending: string[] = [];
  let pendingChars = 0;
  const write = (text: string) => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= CHUNK_CHARS) flush();
  };
  const flush = () => {
    if (pendingChars > 0) chunks.push(Buffer.from(pending.join('')));
    pending = [];
    pendingChars = 0;
  };
  const walking = new Set<object>();
  const walked = (item: unknown): item is object =>
    item !== null && typeof item === 'object' && (Array.isArray(item) ? typeof (item as { toJSON?: unknown }).toJSON !== 'function' : isPlainObject(item));
  /** Writes an array or plain object as JSON, its items and fields one by one. */
  const walk = (item: object) => {
    if (walking.has(item)) throw new TypeError('Converting circular structure to JSON');
    walking.add(item);
    if (Array.isArray(item)) {
      write('[');
      for (let i = 0; i < item.length; i += 1) {
        if (i > 0) write(',');
        // An array keeps its length: undefined, functions and symbols become null, as in JSON.stringify.
        write(JSON.stringify(item[i]) ?? 'null');
      }
      write(']');
    } else {
      write('{');
      let first = true;
      for (const key of Object.keys(item)) {
        const field = (item as Record<string, unknown>)[key];
        const text = walked(field) ? undefined : JSON.stringify(field);
        if (text === undefined && !walked(field)) continue; // undefined, a function, a symbol: left out
        write(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        if (text === undefined) walk(field as object);
        else write(text);
      }
      write('}');
    }
    walking.delete(item);
  };
  if (!walked(value)) {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : [Buffer.from(text)];
  }
  walk(value);
  flush();
  return chunks;
}
