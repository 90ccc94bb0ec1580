// A large request body (an import of 100,000 orders) as UTF-8 bytes, without ever holding its
// whole JSON text as one string: with any non-Latin-1 character (a Chinese name) V8 keeps such
// a string at two bytes per character, about twice the bytes sent, on top of the bytes.

/** About this many characters of JSON go into each chunk. */
const CHUNK_CHARS = 256 * 1024;
/**
 * A run of array items at least this long becomes a chunk of its own, encoded straight from
 * JSON.stringify's text: joined with its neighbours first, its characters were copied once more
 * (in two-byte form for a list with Chinese names), about a third of the serialization's time.
 */
const OWN_CHUNK_CHARS = 16 * 1024;
/** Items of an array serialized by one JSON.stringify call. */
const ITEMS_PER_CALL = 512;

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};

/**
 * `JSON.stringify(value)` as UTF-8 chunks (small pieces joined up to about 256 KiB, runs of
 * items each a chunk of their own): the same bytes, once joined.
 * Plain objects are walked key by key and arrays a few hundred items at a time; everything else
 * (a Date, a string) and each run of items is serialized by JSON.stringify, so only one such
 * piece is a string at a time. Undefined when JSON.stringify gives undefined.
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
    if (Array.isArray(item) && item.length === 0) write('[]');
    else if (Array.isArray(item)) {
      // A few hundred items per JSON.stringify call: one call per item costs twice as much.
      // JSON.stringify of the slice writes them exactly as of the whole array (holes, undefined,
      // functions and symbols as null). Its "[" opens the array (first run) or stands for the
      // comma between two runs; its "]" is left out.
      for (let i = 0; i < item.length; i += ITEMS_PER_CALL) {
        const text = JSON.stringify(item.slice(i, i + ITEMS_PER_CALL));
        if (text.length >= OWN_CHUNK_CHARS) {
          flush();
          const bytes = Buffer.from(text.slice(0, -1));
          if (i > 0) bytes[0] = 0x2c; // "[" → ","
          chunks.push(bytes);
        } else write(i > 0 ? `,${text.slice(1, -1)}` : text.slice(0, -1));
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
