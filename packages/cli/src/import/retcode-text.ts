// What the command says about retCodes: why an attempt is repeated, what to do about a refusal,
// whether an answer claims a bad signature.

/** Why an attempt is repeated, for the countdown; a refused connection by its error code. */
export function retryReason(retCode: number | undefined, connectionCode: string | undefined): string {
  if (retCode === 1001) return 'batch import in progress (1001)';
  if (retCode === 5) return 'server maintenance (5)';
  if (retCode === 7) return 'system busy (7)';
  if (retCode !== undefined) return `retCode ${retCode}`;
  return `could not connect (${connectionCode ?? 'unknown'})`;
}

/** What to do about a code, on its own indented line after the message; '' when there is nothing to add. */
export function retCodeHint(retCode: number): string {
  switch (retCode) {
    case 6: return '\n  The signature did not match: check the secret key and algorithm; `callbot sign` shows the signature base.';
    case 6002: return '\n  The uuid is not known to this server.';
    case 4001: return '\n  Too many orders for one batch: the server has a lower cap than --max-batch-size.';
    default: return '';
  }
}

/** Whether an answer (verified or not) says the request's signature was wrong or missing. */
export const claimsBadSignature = (retCode: number | undefined) => retCode === 6 || retCode === 6001;
