import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Metadata, PhoneNumber } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { excerpt } from './excerpt.js';

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
  // Fast path, for the usual well-formed number: the digits as they are (no trunk prefix to
  // strip). Same metadata and same isValid() as below, without parse()'s text extraction, which
  // costs about 4x more over a 100,000-row list.
  if (digits.length >= 7 && digits.length <= 15) {
    if (validInSingleCountryPlan(digits)) return { ok: true, phone: digits };
    try {
      if (isValid(new PhoneNumber(`+${digits}`, metadata))) return { ok: true, phone: digits };
    } catch {
      // an unknown calling code or too short: parse() below says which
    }
  }
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed) return { ok: false, reason: `phone "${excerpt(input)}" is not an international number (unknown country calling code or too short)` };
  if (!parsed.isValid())
    return {
      ok: false,
      reason: `phone "${excerpt(input)}" is not a valid number for country code +${parsed.countryCallingCode} (a digit too many or too few, or no country code?)`,
    };
  return { ok: true, phone: parsed.number.slice(1) };
}

/** The numbering plans of the "min" metadata, one selector reused (selection is synchronous). */
const plans = new Metadata(metadata) as unknown as { selectNumberingPlan(country: string): void; hasTypes(): boolean; nationalNumberPattern(): string };
/** Each plan's national number pattern, compiled once: bounded by the plans in the metadata (about 250). */
const compiledPatterns = new Map<string, RegExp>();

/**
 * `number.isValid()`, the same test for the "min" metadata: the national number matches its
 * numbering plan's pattern entirely. libphonenumber-js compiles that pattern into a new RegExp
 * for every number (a third of the phone check's time over a 100,000-row list); here it is
 * compiled once per plan. A plan with number types (other metadata) goes to isValid() itself.
 */
function isValid(number: PhoneNumber): boolean {
  plans.selectNumberingPlan(number.country ?? number.countryCallingCode);
  if (plans.hasTypes()) return number.isValid();
  const pattern = plans.nationalNumberPattern();
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${pattern})$`);
    compiledPatterns.set(pattern, compiled);
  }
  return compiled.test(number.nationalNumber || '');
}

/** Calling code → the national number pattern of its only country (null: shared, non-geographic or typed). */
const singleCountryPatterns = new Map<string, RegExp | null>();
const callingCodes = (metadata as unknown as { country_calling_codes: Record<string, string[] | undefined> }).country_calling_codes;
const nonGeographic = (metadata as unknown as { nonGeographic?: Record<string, unknown> }).nonGeographic ?? {};

/**
 * The fast path's test without building a PhoneNumber (whose constructor validates the whole
 * metadata and looks the calling code up several times: half the phone check's time over a
 * 100,000-row list). The same steps as `new PhoneNumber('+' + digits)` then isValid(), for a
 * calling code that belongs to exactly one country (86, 44, 49, …): the calling code is the
 * first prefix of 1 to 3 digits the metadata knows (calling codes are prefix-free), the country
 * is its only one, and the rest must match that country's national number pattern. Any other
 * case (a code shared by several countries like 1 or 7, a non-geographic code, a plan with
 * number types) answers false and takes the path above. test/phone-fast-path.test.ts compares
 * both over many numbers.
 */
function validInSingleCountryPlan(digits: string): boolean {
  for (let length = 1; length <= 3 && length < digits.length; length += 1) {
    const code = digits.slice(0, length);
    if (callingCodes[code] === undefined && nonGeographic[code] === undefined) continue;
    let pattern = singleCountryPatterns.get(code);
    if (pattern === undefined) {
      pattern = null;
      const countries = callingCodes[code];
      if (countries?.length === 1 && countries[0] !== '001' && nonGeographic[code] === undefined) {
        plans.selectNumberingPlan(countries[0]!);
        if (!plans.hasTypes()) pattern = new RegExp(`^(?:${plans.nationalNumberPattern()})$`);
      }
      singleCountryPatterns.set(code, pattern);
    }
    return pattern !== null && pattern.test(digits.slice(length));
  }
  return false;
}
