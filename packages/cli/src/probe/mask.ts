// What may leave the machine in a probe report: it is meant to be attached to a bug report, so
// nothing in it may identify a person or open the account. Values from answers are never
// copied into a report except through these functions; the secret key and the signature base
// are never handed to them at all.

const DIGIT_RUN = /\+?\d{7,}/g;

/** A run of 7 or more digits (a phone number, most likely) keeps its first 4 and last 3: `8615*****678`. */
export function maskDigits(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace('+', '');
    return `${run.startsWith('+') ? '+' : ''}${digits.slice(0, 4)}${'*'.repeat(digits.length - 7)}${digits.slice(-3)}`;
  });
}

const MAX_TEXT = 160;

/** A free text from an answer (`retMsg`, `msg`): digit runs masked, cut to a bounded length. */
export function answerText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const masked = maskDigits(value);
  return masked.length > MAX_TEXT ? `${masked.slice(0, MAX_TEXT - 1)}…` : masked;
}

/** An identifier that is not secret but need not be shown whole (the account uuid): its first 4 characters. */
export function maskId(value: string): string {
  return value.length <= 4 ? '***' : `${value.slice(0, 4)}***`;
}
