import { removePendingTempFiles } from '../shared/atomic-file.js';
import type { ImportEvent } from './types.js';
import { interactive } from './front-output.js';
import { EXIT, INTERRUPTED_EXIT } from '../shared/exit.js';
import type { InterruptSignal, VerbIo } from '../shared/io.js';
import type { Progress } from '../commands/progress.js';

// The `callbot import` front's signals: SIGINT and SIGTERM are caught while a run is on and
// passed to the engine (an AbortSignal; send-protocol.ts decides what each phase does), and the
// engine's `interrupted` events are said on stderr. A second signal exits at once: the report
// on disk already accounts for every row (written aside, then renamed).

/**
 * What the command does on SIGINT/SIGTERM: the first aborts the engine (which says what it
 * means through an `interrupted` event), a second exits at once.
 */
export function signalHandling(io: Pick<VerbIo, 'stdout' | 'stderr' | 'onInterrupt' | 'exitNow'>, progress: Progress) {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  let sending: Extract<ImportEvent, { type: 'interrupted'; phase: 'sending' }> | undefined;
  let lastRequestID: string | undefined;
  const say = (text: string) => {
    progress.stop();
    io.stderr.write(`${interactive(io) ? '\n' : ''}${text}\n`);
  };
  const listener = (signal: InterruptSignal) => {
    if (received === undefined) {
      received = signal;
      controller.abort(signal);
      return;
    }
    // A second signal: stop now. Whatever was written is complete (written aside, then renamed).
    removePendingTempFiles();
    if (lastRequestID !== undefined) {
      // A request went out: the report on disk lists its rows as unknown (or holds the answer, if it was written).
      const report = sending ? `The report ${sending.report}` : 'The report';
      say(
        `callbot import: stopped (${signal}) without waiting any longer: the outcome of requestID ${lastRequestID} is unknown.\n` +
          `  ${report} lists every sent row as "unknown" with its requestID (or the answer, if it was already recorded). Check the task before sending again.`,
      );
      io.exitNow(EXIT.outcomeUnknown);
    } else {
      say(`callbot import: stopped (${signal}): nothing was sent.`);
      io.exitNow(INTERRUPTED_EXIT[signal]);
    }
  };
  const remove = io.onInterrupt(listener);
  return {
    signal: controller.signal,
    received: () => received,
    remove,
    /** Draws the engine's `interrupted` events (and notes each requestID that goes out). */
    onEvent: (event: ImportEvent) => {
      if (event.type === 'attempt') lastRequestID = event.requestID;
      if (event.type !== 'interrupted') return;
      const how = `interrupted (${received ?? 'signal'})`;
      if (event.phase === 'before-send') {
        say(`callbot import: ${how} before sending: nothing was sent${lastRequestID ? ' (the attempts so far were not processed)' : ''}; stopping.`);
        return;
      }
      sending = event;
      const ids = event.requestIDs.join(', ');
      say(
        `callbot import: ${how} while sending: the batch went out as requestID ${event.requestIDs.at(-1)}; until its answer is recorded, its outcome is unknown.\n` +
          `  The report ${event.report} lists every sent row as "unknown" with ${event.requestIDs.length > 1 ? `the requestIDs ${ids}` : 'that requestID'}.\n` +
          `  Check the task (or ask the vendor about requestID ${event.requestIDs.at(-1)}) before sending again.\n` +
          `  Waiting up to ${event.graceMs / 1000} s for the answer; interrupt again to stop at once.`,
      );
    },
  };
}
