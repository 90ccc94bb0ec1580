import { RetCodes, retCodeInfo, retCodesWithOutcome } from 'callbot-contract';

// What the command says about retCodes, all taken from the contract's table (the spec's RetCode
// schema: names, the vendor's messages, outcome classes and hints). Nothing here names a code
// by its number: a code the spec adds or reclassifies changes these texts without a change here
// (test/no-retcode-literals.test.ts keeps it that way for all of src/).

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * Why an attempt is repeated, for the countdown: the English message up to its first `;`, and
 * the code (`batch import in progress (1001)`); a refused connection by its error code.
 */
export function retryReason(retCode: number | undefined, connectionCode: string | undefined): string {
  if (retCode === undefined) return `could not connect (${connectionCode ?? 'unknown'})`;
  const info = retCodeInfo(retCode);
  if (!info) return `retCode ${retCode}`;
  return `${lowerFirst(info.en.split(';')[0]!.trim())} (${retCode})`;
}

/** What to do about a code, on its own indented line after the message; '' when the table has no hint. */
export function retCodeHint(retCode: number): string {
  const hint = retCodeInfo(retCode)?.hint;
  return hint ? `\n  ${hint}` : '';
}

/** The codes the vendor uses for "your signature is wrong or missing". */
const SIGNATURE_CODES: readonly number[] = [RetCodes.IncorrectSignature.code, RetCodes.MissingSignature.code];

/** Whether an answer (verified or not) says the request's signature was wrong or missing. */
export const claimsBadSignature = (retCode: number | undefined) => retCode !== undefined && SIGNATURE_CODES.includes(retCode);

/** The codes the client sends again on its own (`not-processed`): `5, 7, 1001` in the spec's order. */
export const notProcessedCodes = () => retCodesWithOutcome('not-processed').join(', ');
