import { parsePhoneNumberFromString } from 'libphonenumber-js';
import metadata from 'libphonenumber-js/min/metadata';
import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../src/import/phone.js';
import { validAsItIs } from '../src/import/phone-plans.js';

// normalisePhone's fast path (phone-plans.ts: no parse(), patterns compiled once) must say exactly
// what libphonenumber-js itself says: valid numbers come out as parse()'s E.164 without `+`,
// invalid ones are refused, and the fast path says yes only where parse() keeps the digits. Compared over every calling code of the metadata with national
// numbers of every length from 1 to 14 digits, random digits (seeded), and the numbers each
// country's own pattern allows (made from its example-like leading digits).

/** libphonenumber-js alone: the answer normalisePhone must give for plain digits. */
function reference(digits: string): string | undefined {
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed?.isValid() ? parsed.number.slice(1) : undefined;
}

/** A small seeded generator (mulberry32): the same numbers on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('normalisePhone agrees with libphonenumber-js', () => {
  it('over every calling code, every national length, random digits', () => {
    const next = random(20261207);
    const digit = () => String(Math.floor(next() * 10));
    const codes = Object.keys((metadata as unknown as { country_calling_codes: Record<string, unknown> }).country_calling_codes);
    expect(codes.length).toBeGreaterThan(200);
    let valid = 0;
    let fast = 0;
    let checked = 0;
    for (const code of codes) {
      for (let length = 1; length <= 14; length += 1) {
        for (let round = 0; round < 12; round += 1) {
          // Half the national numbers start like a mobile/landline number of that code (a digit
          // 1-9), the others anywhere; a few with a trunk 0 after the code.
          let national = round % 10 === 9 ? '0' : String(1 + Math.floor(next() * 9));
          while (national.length < length) national += digit();
          const digits = `${code}${national}`.slice(0, 17);
          const expected = reference(digits);
          const got = normalisePhone(digits);
          checked += 1;
          if (digits.length <= 15 && validAsItIs(digits)) {
            fast += 1;
            expect(expected, digits).toBe(digits);
          }
          if (expected === undefined) expect(got.ok, digits).toBe(false);
          else {
            valid += 1;
            expect(got, digits).toEqual({ ok: true, phone: expected });
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(30_000);
    expect(valid).toBeGreaterThan(1_500); // the comparison covers valid numbers, not only refusals
    expect(fast).toBeGreaterThan(valid / 2); // and the fast path, not only parse()
  });

  it('the usual list numbers: Chinese mobiles and landlines, UK, German, US, non-geographic', () => {
    // Also the traps: a shared code whose number belongs to another country than the main one
    // (358 18…: Åland, not Finland), a trunk prefix or carrier code parse() strips although the
    // number would also match with it (55 0…: Brazil, 375 8…: Belarus, 86 12…: China).
    const traps = [
      '559049476366',
      '3758122952728',
      '35818036',
      '358181234567',
      '358401234567',
      '8612593123456789',
      '86010123456789',
      '390612345678',
      '4407911123456',
      '12685551234',
      '73012345678',
      '77012345678',
    ];
    for (const digits of [
      '8615612345678',
      '8613800138000',
      '861012345678',
      '86108888888',
      '447911123456',
      '4930123456',
      '12025550123',
      '16135550123',
      '80012345678',
      '8790123456789',
      '861561234567',
      '86156123456789',
      ...traps,
    ]) {
      const expected = reference(digits);
      const got = normalisePhone(digits);
      expect(got.ok ? got.phone : undefined, digits).toBe(expected);
    }
  });
});
