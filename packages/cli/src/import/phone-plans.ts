import { Metadata, PhoneNumber } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

// The fast answer to "is +<digits> valid, unchanged?" for a well-formed number, with the same
// "min" metadata and the same steps as libphonenumber-js's parse() then isValid(), without
// parse()'s text extraction or a PhoneNumber per number (together most of the import's per-row
// time over a 100,000-row list). It only ever says yes when parse() would keep the digits as
// they are and call them valid; every other case answers false and goes to parse() itself.
// test/phone-fast-path.test.ts compares both over every calling code.

/** What the fast answer needs of one calling code's numbering plan, worked out once. */
interface Plan {
  /** The national prefix (trunk prefix or carrier code) parse() would strip: such numbers go to parse(). */
  prefix: RegExp | undefined;
  /** A code shared by several countries: parse() picks the main one only when these leading digits match. */
  leading: RegExp | undefined;
  /** The national number pattern; undefined when the plan has number types (then PhoneNumber.isValid()). */
  pattern: RegExp | undefined;
}

const callingCodes = (metadata as unknown as { country_calling_codes: Record<string, string[] | undefined> }).country_calling_codes;
/** One selector reused for reading plans (selection is synchronous). */
const plans = new Metadata(metadata) as unknown as {
  selectNumberingPlan(countryOrCode: string): void;
  hasTypes(): boolean;
  leadingDigits(): string | undefined;
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
};
/** Calling code → its plan, or null when the fast answer cannot follow parse() there. Bounded by the calling codes of the metadata (about 250). */
const cache = new Map<string, Plan | null>();

function planOf(code: string, countries: string[]): Plan | null {
  const main = countries[0]!;
  plans.selectNumberingPlan(main === '001' ? code : main);
  const prefix = plans.nationalPrefixForParsing();
  const leading = countries.length > 1 ? plans.leadingDigits() : undefined;
  const typed = plans.hasTypes();
  // parse() gives a shared code to its main country when the leading digits match or, without
  // leading digits, when the number has a type there (= is valid there); an untyped main
  // country without leading digits decides by rules not followed here.
  if (countries.length > 1 && !leading && !typed) return null;
  return {
    prefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
    leading: leading ? new RegExp(`^(?:${leading})`) : undefined,
    pattern: typed ? undefined : new RegExp(`^(?:${plans.nationalNumberPattern()})$`),
  };
}

/** True when parse(`+${digits}`) would be valid with exactly these digits; false: ask parse(). */
export function validAsItIs(digits: string): boolean {
  // The calling code is the first prefix of 1 to 3 digits the metadata knows (they are prefix-free).
  for (let length = 1; length <= 3 && length < digits.length; length += 1) {
    const code = digits.slice(0, length);
    const countries = callingCodes[code];
    if (countries === undefined) continue;
    let plan = cache.get(code);
    if (plan === undefined) {
      plan = planOf(code, countries);
      cache.set(code, plan);
    }
    if (plan === null) return false;
    const national = digits.slice(length);
    if (plan.prefix?.test(national) || (plan.leading && !plan.leading.test(national))) return false;
    return plan.pattern ? plan.pattern.test(national) : new PhoneNumber(`+${digits}` as `+${string}`, metadata).isValid();
  }
  return false;
}
