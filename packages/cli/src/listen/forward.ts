import type { SignAlgorithm } from 'callbot-contract';
import { type PostResult, postSignedCallback, type SigningAccount } from '../send-callback/post.js';
import type { CallbackRecord, CallbackSink } from './records.js';

// `callbot listen --forward-to URL`: every verified callback is passed on to the team's own
// endpoint before it is written (--out) and before the vendor is answered. It is signed again
// with the account's secret (fresh createTs and sign, with the algorithm the vendor used, as the
// vendor would sign it) and keeps the vendor's requestID and its body byte for byte, so the app's
// own receiver verifies it and deduplicates it unchanged. The vendor is answered with the
// forward's outcome: an app that answers 2xx → 200 (and the callback is written to --out, if
// given); an app that fails, times out or cannot be reached → 500, the requestID is forgotten and
// the vendor sends the callback again later (and it is forwarded again: the app deduplicates by
// requestID). A requestID the --out file already holds (a vendor's retry after a restart) is not
// forwarded again: the app had it before it was written.

export interface ForwardOptions {
  url: URL;
  account: Omit<SigningAccount, 'algorithm'>;
  /** --algorithm: sign every forward with it; otherwise with the one each callback came signed with. */
  algorithm?: SignAlgorithm | undefined;
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
      if (inner?.holds?.(record.requestID)) return 'duplicate';
      const result = await postSignedCallback({
        url: options.url,
        body: record.body ?? JSON.stringify(record.payload),
        requestID: record.requestID,
        account: { ...options.account, algorithm: options.algorithm ?? record.signAlgorithm ?? 'MD5' },
        timeoutMs: options.timeoutMs,
      });
      options.onForward(record, result);
      if (!result.ok) throw new ForwardFailed(`the app did not take it (${result.status ?? result.error})`);
      return inner ? inner.write(record) : 'written';
    },
    close: async () => inner?.close(),
  };
}
