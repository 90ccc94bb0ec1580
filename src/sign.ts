import { createHash, timingSafeEqual } from 'node:crypto';
import type { components } from '../generated/schema.js';

/** `MD5` (the vendor's default) or `SHA256`. */
export type SignAlgorithm = components['schemas']['SignAlgorithm'];
export const DEFAULT_ALGORITHM: SignAlgorithm = 'MD5';

/** The JSON text exactly as sent: a string (encoded as UTF-8) or the bytes themselves. */
export type SignedBody = string | Uint8Array;

export interface SignatureInput {
  secretKey: string;
  /** The exact JSON text on the wire (uncompressed). Never re-serialised here. */
  body: SignedBody;
  /** Unix seconds, as the decimal string sent in the `createTs` header. */
  createTs: string;
  requestID: string;
  uuid: string;
}

export interface SignInput extends SignatureInput {
  algorithm?: SignAlgorithm;
}

const HASH_NAMES: Record<SignAlgorithm, string> = { MD5: 'md5', SHA256: 'sha256' };

/** Whether a header value names an algorithm the vendor supports (exact spelling). */
export function isSignAlgorithm(value: unknown): value is SignAlgorithm {
  return value === 'MD5' || value === 'SHA256';
}

/**
 * The string the vendor hashes:
 * `<secretKey>&body=<body>&createTs=<createTs>&requestID=<requestID>&uuid=<uuid>`.
 * It contains the secret: never log it. Exposed for tests and the `callbot sign` debugger.
 */
export function signatureBase({ secretKey, body, createTs, requestID, uuid }: SignatureInput): string {
  // ignoreBOM: a leading BOM is part of the bytes that are hashed, so it stays in the text too.
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  return `${secretKey}&body=${text}&createTs=${createTs}&requestID=${requestID}&uuid=${uuid}`;
}

/**
 * `UPPERCASE(hex(HASH(signatureBase)))`. The base is hashed in three pieces so a large body
 * given as bytes is hashed where it lies, not copied into one more string.
 */
export function sign({ algorithm = DEFAULT_ALGORITHM, ...input }: SignInput): string {
  // A string piece is hashed as its UTF-8 bytes (node:crypto's default): no copy of it is made here.
  return signParts({ ...input, algorithm, body: [input.body] });
}

/**
 * `sign` of a body given as consecutive pieces of its bytes (the client's own serialization of
 * a large batch), each hashed where it lies. Internal: not exported from the package.
 */
export function signParts({ body, ...input }: Omit<SignInput, 'body'> & { body: readonly SignedBody[] }): string {
  const hasher = signatureHasher(input);
  for (const part of body) hasher.update(part);
  return hasher.digest();
}

/**
 * `sign` fed a body as it arrives (an answer read as a stream): the base's head is hashed at
 * once, each piece of the body as it is given, the tail at digest(). Internal.
 */
export function signatureHasher({ algorithm = DEFAULT_ALGORITHM, ...input }: Omit<SignInput, 'body'>): { update(part: SignedBody): void; digest(): string } {
  const hashName = HASH_NAMES[algorithm];
  if (!hashName) throw new TypeError(`algorithm must be MD5 or SHA256`);
  const hash = createHash(hashName);
  hash.update(`${input.secretKey}&body=`);
  return {
    update: (part) => void hash.update(part),
    digest: () => hash.update(`&createTs=${input.createTs}&requestID=${input.requestID}&uuid=${input.uuid}`).digest('hex').toUpperCase(),
  };
}

/** A signature as the vendor writes it: 32 (MD5) or 64 (SHA256) uppercase hex digits, nothing else. */
const CANONICAL_SIGN = /^(?:[0-9A-F]{32}|[0-9A-F]{64})$/;

/**
 * Whether `sign` is the signature of the input. Case rule: the vendor documents
 * `UPPERCASE(hex(...))`, so only that spelling is accepted — `sign` must match
 * `^(?:[0-9A-F]{32}|[0-9A-F]{64})$`; lowercase or mixed-case hex, surrounding spaces and any other
 * character (including ones above U+00FF, which a byte conversion would cut down to a hex digit)
 * are refused before anything is compared. Then the length is checked and the bytes are compared
 * in constant time.
 */
export function verifySignature({ sign: given, ...input }: SignInput & { sign: string }): boolean {
  return verifyParts({ sign: given, ...input });
}

/** verifySignature, also of a body given as consecutive pieces (answers as read: never joined). Internal. */
export function verifyParts({ sign: given, ...input }: (SignInput | (Omit<SignInput, 'body'> & { body: readonly Uint8Array[] })) & { sign: string }): boolean {
  const { body } = input;
  const parts = Array.isArray(body) ? body : [body];
  return signMatches(given, () => signParts({ ...input, body: parts }));
}

/** Whether `given` is canonical (see verifySignature) and equal, in constant time, to the computed sign. Internal. */
export function signMatches(given: unknown, computed: () => string): boolean {
  if (typeof given !== 'string' || !CANONICAL_SIGN.test(given)) return false;
  const expected = Buffer.from(computed(), 'ascii');
  const actual = Buffer.from(given, 'ascii');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
