import { type PostResult, postSignedCallback, type SigningAccount } from '../send-callback/post.js';
import type { CallbackRecord, CallbackSink } from './records.js';

// `callbot listen --forward-to URL`: every verified callback is passed on to the team's own
// endpoint before it is written (--out) and before the vendor is answered. It is signed again
// with the account's secret (fresh createTs and sign, as the vendor would sign it) and keeps the
// vendor's requestID, so the app's own receiver verifies it and deduplicates it unchanged. The
// vendor is answered with the forward's outcome: an app that answers 2xx → 200 (and the callback
// is written to --out, if given); an app that fails, times out or cannot be reached → 500, the
// requestID is forgotten and the vendor sends the callback again later (and it is forwarded
// again: the app deduplicates by requestID). The payload forwarded is the one received, parsed
// and serialized again (the signature is new anyway).

export interface ForwardOptions {
  url: URL;
  account: SigningAccount;
  timeoutMs: number;
  /** After each forward: the line shown. */
  onForward: (record: CallbackRecord, result: PostResult) => void;
}

/** Thrown into the receiver when the app did not take the callback: the vendor is answered 500. */
export class ForwardFailed extends Error {}

/** `inner` (the --out file or table), or none, behind the forward. */
export function forwardingSink(inner: CallbackSink | undefined, options: ForwardOptions): CallbackSink {
  return {
    async write(record) {
      const result = await postSignedCallback({
        url: options.url,
        body: JSON.stringify(record.payload),
        requestID: record.requestID,
        account: options.account,
        timeoutMs: options.timeoutMs,
      });
      options.onForward(record, result);
      if (!result.ok) throw new ForwardFailed(`the app did not take it (${result.status ?? result.error})`);
      return inner ? inner.write(record) : 'written';
    },
    close: async () => inner?.close(),
  };
}
