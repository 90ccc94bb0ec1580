import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { excerpt } from './excerpt.js';
import { validAsItIs } from './phone-plans.js';

// Phone numbers in call lists arrive as people typed them: "+86 156-1234-5678", "0086 (156)
// 1234 5678", "8615612345678". The vendor wants the international number as digits only, with
// its country calling code and no symbols (the spec's `^[1-9][0-9]{6,14}$`).
//
// How strict: a number must be *valid* for its country according to libphonenumber-js's
// default ("min") metadata — the country calling code exists, and the national number fits that
// country's general number pattern and possible lengths — not merely 7 to 15 digits. That
// catches the usual mistakes: a national number without its country code ("13800138000" reads
// as +1 380…, which does not exist), a missing digit, an unknown country code. It does not tell
// mobile from fixed-line numbers (the "max" metadata would, at 5x the cost per number), so a
// Chinese number one digit too long can still pass as a fixed-line number. The output is the
// E.164 form without `+`, so a trunk prefix kept after the country code ("86 010 …") is dropped
// the way the phone network does.

export type PhoneResult = { ok: true; phone: string } | { ok: false; reason: string };

/** Separators people put inside numbers; removed before anything else. */
const SEPARATORS = /[\s\u00a0\u3000\-().\u2010-\u2015\uff0d]/g;

/** Already in the vendor's form: nothing to remove (most rows of a list made by a program). */
const PLAIN_DIGITS = /^[1-9][0-9]{6,14}$/;

export function normalisePhone(input: string): PhoneResult {
  const compact = PLAIN_DIGITS.test(input) ? input : input.replace(SEPARATORS, '');
  if (compact === '') return { ok: false, reason: 'phone is empty' };
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else digits = compact;
  if (!/^\d+$/.test(digits))
    return { ok: false, reason: `phone "${excerpt(input)}" has characters other than digits, spaces, dashes, dots, parentheses and a leading + or 00` };
  if (digits.startsWith('0')) return { ok: false, reason: `phone "${excerpt(input)}" must start with its country calling code (e.g. 86…), not a trunk 0` };
  // Fast path, for the usual well-formed number (see phone-plans.ts): the digits as they are.
  if (digits.length >= 7 && digits.length <= 15 && validAsItIs(digits)) return { ok: true, phone: digits };
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed) return { ok: false, reason: `phone "${excerpt(input)}" is not an international number (unknown country calling code or too short)` };
  if (!parsed.isValid()) return { ok: false, reason: `phone "${excerpt(input)}" ${invalidFor(parsed.countryCallingCode, digits)}` };
  return { ok: true, phone: parsed.number.slice(1) };
}

/**
 * Why digits read as +CODE… are not a number there, with the likely fix. The campaigns dial
 * Chinese numbers mostly: digits that are a valid Chinese number without +86 (a mobile such as
 * 13800138000 reads as +1 380…) get the 86 to add, spelt out.
 */
function invalidFor(code: string, digits: string): string {
  const what = `is not a valid number for country code +${code}`;
  const chinese = parsePhoneNumberFromString(digits, 'CN');
  if (chinese?.isValid() && chinese.nationalNumber === digits) {
    return `${what}: it looks like a Chinese number without its country code: write it as ${chinese.number.slice(1)} (86 first)`;
  }
  return `${what} (a digit too many or too few, or no country code?)`;
}
