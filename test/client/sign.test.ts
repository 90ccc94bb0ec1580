import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSignAlgorithm, sign, signatureBase, signParts, verifySignature } from '../../src/sign.js';
import { signatureVectors } from 'callbot-test-kit/signature-vectors';

const vectors = signatureVectors;

const openssl = (algorithm: 'md5' | 'sha256', text: string) =>
  execFileSync('openssl', ['dgst', `-${algorithm}`, '-r'], { input: Buffer.from(text, 'utf8') })
    .toString()
    .split(' ')[0]!
    .toUpperCase();

describe('signature known-answer vectors', () => {
  it('matches the worked example of the reference notes (typed in from the notes)', () => {
    const input = {
      secretKey: 'u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr',
      uuid: 'Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR',
      requestID: '0123456789abcdef0123456789abcdef',
      createTs: '1700000000',
      body: '{"productID":"callbot","userTaskID":"t1","callInfoList":{"orderCallbackUrl":"https://example.com/o","callCallbackUrl":"https://example.com/c","callList":[{"orderID":"o1","userPhone":"8615600000000","other":"","userName":"","customerName":"","params":[]}]}}',
    };
    expect(Buffer.byteLength(signatureBase(input))).toBe(395);
    expect(sign(input)).toBe('EF8C2D6438591DEA7E79D53F04982B99');
    expect(sign({ ...input, algorithm: 'SHA256' })).toBe('784B8C2BBD6170958298625081F463F33F336337964C6A2A5E257DC110CF9F0D');
  });

  it('has the Python-computed vectors it expects (reference, spaced JSON, Chinese raw and escaped, empty)', () => {
    expect(vectors.map((v) => v.name)).toHaveLength(6);
    expect(vectors.some((v) => /[\u4e00-\u9fff]/.test(v.body))).toBe(true);
    expect(vectors.some((v) => v.body.includes('", "'))).toBe(true);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: sign() equals Python hashlib and openssl', (_name, v) => {
    const base = `${v.secretKey}&body=${v.body}&createTs=${v.createTs}&requestID=${v.requestID}&uuid=${v.uuid}`;
    expect(signatureBase(v)).toBe(base);
    expect(openssl('md5', base)).toBe(v.MD5);
    expect(openssl('sha256', base)).toBe(v.SHA256);
    expect(sign(v)).toBe(v.MD5);
    expect(sign({ ...v, algorithm: 'MD5' })).toBe(v.MD5);
    expect(sign({ ...v, algorithm: 'SHA256' })).toBe(v.SHA256);
    expect(sign({ ...v, body: Buffer.from(v.body, 'utf8') })).toBe(v.MD5); // bytes sign like their text
  });

  it('different JSON spacing of the same object gives a different signature (the body is signed as sent)', () => {
    const [compact, spaced] = vectors;
    expect(compact!.MD5).not.toBe(spaced!.MD5);
  });
});

describe('verifySignature', () => {
  const v = vectors[0]!;
  it('accepts the right signature, in uppercase hex', () => {
    expect(verifySignature({ ...v, sign: v.MD5 })).toBe(true);
    expect(verifySignature({ ...v, algorithm: 'SHA256', sign: v.SHA256 })).toBe(true);
  });

  // The vendor documents upper(hex(HASH(...))): only that spelling is a signature. (This test
  // used to accept lowercase too; issue 9 finding 12 made the rule exact.)
  it('refuses the right signature in lowercase or mixed case', () => {
    expect(verifySignature({ ...v, sign: v.MD5.toLowerCase() })).toBe(false);
    expect(verifySignature({ ...v, algorithm: 'SHA256', sign: v.SHA256.toLowerCase() })).toBe(false);
    const mixed = v.MD5.replace(/[A-F]/, (c) => c.toLowerCase());
    expect(mixed).not.toBe(v.MD5);
    expect(verifySignature({ ...v, sign: mixed })).toBe(false);
  });

  it('refuses a sign with characters above U+00FF that equal the signature once cut to bytes (latin1)', () => {
    for (const [algorithm, signature] of [
      ['MD5', v.MD5],
      ['SHA256', v.SHA256],
    ] as const) {
      // U+0100 + c becomes the byte c in Buffer.from(…, 'latin1'); keep only those whose
      // uppercase form does too, so the forgery collides whichever way a verifier folds case.
      const forged = [...signature]
        .map((c) => {
          const high = String.fromCharCode(c.charCodeAt(0) + 0x100);
          return Buffer.from(high.toUpperCase(), 'latin1').equals(Buffer.from(c)) ? high : c;
        })
        .join('');
      expect(forged).not.toBe(signature);
      expect(Buffer.from(forged, 'latin1').equals(Buffer.from(signature, 'latin1'))).toBe(true);
      expect(verifySignature({ ...v, algorithm, sign: forged })).toBe(false);
    }
  });

  it('refuses anything but 32 or 64 uppercase hex digits (spaces, a prefix, a trailing newline)', () => {
    for (const sign of [` ${v.MD5}`, `${v.MD5}\n`, `0x${v.MD5}`, `${v.MD5}${v.MD5.slice(0, 32)}`.slice(0, 40)]) {
      expect(verifySignature({ ...v, sign })).toBe(false);
    }
  });

  it('rejects a signature of another algorithm, a truncated one, an empty one and a non-string', () => {
    expect(verifySignature({ ...v, sign: v.SHA256 })).toBe(false);
    expect(verifySignature({ ...v, sign: v.MD5.slice(0, 31) })).toBe(false);
    expect(verifySignature({ ...v, sign: '' })).toBe(false);
    expect(verifySignature({ ...v, sign: undefined as unknown as string })).toBe(false);
  });

  it('property: changing any one byte of body, header value or secret breaks verification', () => {
    const fields = ['body', 'createTs', 'requestID', 'uuid', 'secretKey'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('MD5' as const, 'SHA256' as const),
        (field, position, delta, algorithm) => {
          const signed = sign({ ...v, algorithm });
          const bytes = Buffer.from(v[field], 'utf8');
          const at = position % bytes.length;
          bytes[at] = (bytes[at]! + delta) % 256;
          const changed = field === 'body' ? { ...v, body: bytes } : { ...v, [field]: bytes.toString('latin1') };
          return verifySignature({ ...changed, algorithm, sign: signed }) === false;
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: any body signs and verifies as string and as bytes alike', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (body) => {
        const s = sign({ ...v, body });
        return verifySignature({ ...v, body: Buffer.from(body, 'utf8'), sign: s });
      }),
      { numRuns: 300 },
    );
  });
});

// Each of these kills a mutant of src/sign.ts that every other test let live (npm run test:mutation).
describe('sign.ts edges the vectors do not reach', () => {
  const v = vectors[0]!;
  const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

  it('signs a Uint8Array body as its UTF-8 text, never as its comma-joined numbers (recomputed with openssl)', () => {
    const body = bytesOf(v.body);
    const base = `${v.secretKey}&body=${v.body}&createTs=${v.createTs}&requestID=${v.requestID}&uuid=${v.uuid}`;
    expect(signatureBase({ ...v, body })).toBe(base);
    expect(sign({ ...v, body })).toBe(openssl('md5', base));
    expect(sign({ ...v, body, algorithm: 'SHA256' })).toBe(openssl('sha256', base));
    expect(signParts({ ...v, body: [body.subarray(0, 7), body.subarray(7)] })).toBe(openssl('md5', base));
  });

  it('keeps a leading BOM of a byte body in the base, as it is in the hashed bytes', () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('{}')]);
    expect(signatureBase({ ...v, body }).startsWith(`${v.secretKey}&body=\uFEFF{}&`)).toBe(true);
    expect(
      verifySignature({ ...v, body, sign: openssl('md5', `${v.secretKey}&body=\uFEFF{}&createTs=${v.createTs}&requestID=${v.requestID}&uuid=${v.uuid}`) }),
    ).toBe(true);
  });

  it('isSignAlgorithm names exactly MD5 and SHA256', () => {
    expect(isSignAlgorithm('MD5')).toBe(true);
    expect(isSignAlgorithm('SHA256')).toBe(true);
    for (const other of ['md5', 'sha256', 'SHA-256', '', undefined, null, 5]) expect(isSignAlgorithm(other)).toBe(false);
  });

  it('refuses an unknown algorithm with a message that names the two it knows', () => {
    expect(() => sign({ ...v, algorithm: 'SHA1' as never })).toThrow(/^algorithm must be MD5 or SHA256$/);
    expect(() => sign({ ...v, algorithm: 'SHA1' as never })).toThrow(TypeError);
  });

  it('refuses a SHA256 sign whose first or last half is made of characters above U+00FF that cut down to the right hex', () => {
    const right = sign({ ...v, algorithm: 'SHA256' });
    const disguise = (hex: string) => [...hex].map((c) => String.fromCharCode(0x100 + c.charCodeAt(0))).join('');
    // Buffer.from(x, 'ascii') keeps only the low byte: each disguised character would compare equal.
    expect(Buffer.from(disguise(right), 'ascii').toString('ascii')).toBe(right);
    for (const forged of [disguise(right.slice(0, 32)) + right.slice(32), right.slice(0, 32) + disguise(right.slice(32))]) {
      expect(verifySignature({ ...v, algorithm: 'SHA256', sign: forged })).toBe(false);
    }
  });

  it('answers false, never throws, for a sign that is not a string even when it prints as the right one', () => {
    const right = sign(v);
    const impostor = { toString: () => right };
    expect(verifySignature({ ...v, sign: impostor as unknown as string })).toBe(false);
    expect(verifySignature({ ...v, sign: [right] as unknown as string })).toBe(false);
  });
});
