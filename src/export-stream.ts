import { JSONParser } from '@streamparser/json';
import { type AnswerStreamOptions, checkStreamOptions, openAnswerStream } from './answer-stream.js';
import { CallbotError, CallbotUnknownOutcomeError } from './errors.js';
import { answerRetCode } from './ret-code.js';

// exportBatchCall's answer (the whole batch in one JSON document, one callList entry per call)
// parsed as it arrives: the bytes come from openAnswerStream (hashed for the signature as they
// pass), @streamparser/json turns them into one callList entry at a time, and each entry is
// handed to the caller and dropped here. Memory holds one chunk's entries, never the answer.
// The answer's other fields (retCode, batchID, …: small) are kept, for the end: only when the
// last byte has passed is the sign checked, then the retCode — so every entry yielded is
// untrusted until the iteration has ended without an error.

/** The calls of exportBatchCall's answer, as they are parsed; iterate once. */
export interface ExportCallStream<Entry, Fields> extends AsyncIterable<Entry> {
  /** The request's `requestID` (known once the iteration has started and the answer's headers came). */
  readonly requestID: string | undefined;
  /**
   * The answer's fields other than `callList` (`batchID`, `totalCount`, …) as received, once the
   * iteration has ended without an error (the sign verified, retCode 0); undefined before.
   */
  readonly answer: Fields | undefined;
  /** Bytes of the answer read so far (after gzip is inflated). */
  readonly bytes: number;
}

/**
 * Streams exportBatchCall's entries (see ExportCallStream). Nothing is sent before the first
 * `next()`. The iteration rejects as openAnswerStream's does, and after the last entry with
 * CallbotSignatureError (the sign does not match), CallbotUnknownOutcomeError (signed, but not
 * one JSON document, or without a retCode) or CallbotError (another retCode, verified).
 */
export function streamExportedCalls<Entry, Fields>(options: AnswerStreamOptions, input: object): ExportCallStream<Entry, Fields> {
  checkStreamOptions(options);
  let requestID: string | undefined;
  let bytes: () => number = () => 0;
  let answer: Fields | undefined;
  let started = false;
  return {
    get requestID() {
      return requestID;
    },
    get answer() {
      return answer;
    },
    get bytes() {
      return bytes();
    },
    async *[Symbol.asyncIterator]() {
      if (started) throw new TypeError('an export stream can be read only once');
      started = true;
      const stream = await openAnswerStream(options, 'exportBatchCall', input);
      requestID = stream.requestID;
      bytes = () => stream.bytes;
      const fields: Record<string, unknown> = {};
      let entries: Entry[] = [];
      let ended = false;
      let unreadable: unknown;
      const parser = new JSONParser({ paths: ['$.*', '$.callList.*'], keepStack: false });
      parser.onEnd = () => {
        ended = true;
      };
      parser.onValue = ({ value, key, parent, stack }) => {
        if (stack.length === 2 && stack[1]?.key === 'callList') {
          entries.push(value as Entry);
          // The entry's frame is emitted (it matches `$.callList.*`), so the parser keeps it in
          // callList: drop it here, or the array would grow to the whole answer.
          if (Array.isArray(parent)) parent.length -= 1;
          else if (parent && key !== undefined) delete (parent as Record<string | number, unknown>)[key];
        } else if (stack.length === 1 && typeof key === 'string' && key !== 'callList') {
          fields[key] = value;
        }
      };
      // Read to the end whatever the bytes are: a tampered answer is reported as such (at the
      // end), not as the parse error the tampering may also cause.
      for await (const chunk of stream) {
        if (unreadable === undefined && !ended) {
          try {
            parser.write(chunk);
          } catch (error) {
            unreadable = error;
          }
        } else if (unreadable === undefined && chunk.some((byte) => !isJsonSpace(byte))) {
          unreadable = new Error('text after the JSON document');
        }
        const ready = entries;
        entries = [];
        yield* ready;
      }
      // The sign matched (the loop above ended without an error).
      if (unreadable === undefined && !ended) unreadable = new Error('the JSON document ends early');
      if (unreadable !== undefined) {
        throw new CallbotUnknownOutcomeError(`the answer is signed but not one JSON document (${(unreadable as Error).message})`, {
          requestID,
          status: 200,
          read: true,
        });
      }
      const retCode = answerRetCode(fields);
      if (retCode === undefined) throw new CallbotUnknownOutcomeError('the answer has no readable retCode', { requestID, status: 200, read: true });
      if (retCode !== 0) {
        throw new CallbotError({ retCode, retMsg: text(fields.retMsg), responseID: text(fields.responseID) }, requestID);
      }
      answer = fields as Fields;
    },
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** JSON's whitespace: space, tab, line feed, carriage return. */
const isJsonSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
