import { InvalidArgumentError } from 'commander';

// The one rule for a flag that takes a count, a size or a time in ms: digits only (no sign, no
// exponent, no fraction: `1e3` and `10.0` are refused rather than guessed at), a safe integer,
// at least `min` and, when given, at most `max`. Commander names the flag and the value in front
// of the message: "error: option '--page-size <n>' argument '0' is invalid. must be a whole
// number of at least 1".

/** A commander argument parser for a whole number from `min` (to `max`, when given). */
export const wholeNumber =
  (min: number, max?: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
      throw new InvalidArgumentError(
        max !== undefined
          ? `must be a whole number from ${min} to ${max}`
          : min === 0
            ? 'must be a whole number, 0 or more'
            : `must be a whole number of at least ${min}`,
      );
    }
    return n;
  };

/** A whole number of at least 1. */
export const positiveInteger = wholeNumber(1);
