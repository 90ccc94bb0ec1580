import { CallbotPackageError, CallbotValidationError } from 'callbot-contract';
import { count } from '../shared/count.js';
import { removePendingTempFiles } from '../shared/atomic-file.js';
import { INTERRUPTED_EXIT, VERB_EXIT } from '../shared/exit.js';
import { UsageError } from '../shared/usage-error.js';
import { type InterruptSignal, printJson, type VerbIo } from '../shared/io.js';
import { UntrustedPagingError } from './list.js';
import { type ResultSummary, summaryTable } from './summary.js';

// The common front of `callbot export`, `orders` and `calls`: runs the verb, shows progress on a
// terminal, prints the summary (a table on stdout; one JSON document with --json; on stderr when
// the rows themselves go to stdout) and returns the exit code. SIGINT/SIGTERM stop at once: the
// reads have no side effect at the vendor, and the temporary file is removed, so nothing is
// left under the target's name (exit 130 / 143).

export interface ReadFrontFlags {
  out?: string;
  json?: boolean;
}

export async function readFront(
  terminal: VerbIo,
  verb: string,
  flags: ReadFrontFlags,
  run: (io: { env: NodeJS.ProcessEnv; stdout: NodeJS.WritableStream; onPage?: (rows: number) => void }) => Promise<ResultSummary>,
): Promise<number> {
  if (flags.json && flags.out === '-') {
    terminal.stderr.write(`callbot ${verb}: --json and --out - both want stdout: write the rows to a file, or drop --json\n`);
    return VERB_EXIT.usage;
  }
  const toFile = flags.out !== undefined && flags.out !== '-';
  const live = toFile && !flags.json && Boolean(terminal.stderr.isTTY);
  const stop = (signal: InterruptSignal) => {
    removePendingTempFiles();
    terminal.stderr.write(
      `${live ? '\n' : ''}callbot ${verb}: interrupted (${signal})${toFile ? `: nothing written to ${flags.out} (the partial file was removed)` : ''}\n`,
    );
    terminal.exitNow(signal === 'SIGINT' ? INTERRUPTED_EXIT.SIGINT : INTERRUPTED_EXIT.SIGTERM);
  };
  const stopListening = terminal.onInterrupt(stop);
  try {
    const summary = await run({
      env: terminal.env,
      stdout: terminal.stdout,
      onPage: live ? (rows) => terminal.stderr.write(`\r${rows} rows written…`) : undefined,
    });
    if (live) terminal.stderr.write('\n');
    for (const warning of summary.warnings) terminal.stderr.write(`callbot ${verb}: warning: ${warning}\n`);
    if (flags.json) printJson(terminal, summary);
    else if (flags.out === '-') terminal.stderr.write(`callbot ${verb}: ${summary.rows} rows written to stdout\n`);
    else terminal.stdout.write(`${toFile ? `Wrote ${count(summary.rows, 'row')} to ${summary.file}\n` : ''}${summaryTable(summary)}\n`);
    return summary.countMismatch?.kind === 'fewer' ? VERB_EXIT.partial : VERB_EXIT.ok;
  } catch (error) {
    if (live) terminal.stderr.write('\n');
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return VERB_EXIT.ok; // the reader of stdout stopped reading (`| head`)
    const usage = error instanceof UsageError || error instanceof CallbotValidationError;
    const nothing = toFile ? ` Nothing was written to ${flags.out}.` : '';
    if (usage) {
      terminal.stderr.write(`callbot ${verb}: ${(error as Error).message}\n`);
      return VERB_EXIT.usage;
    }
    if (error instanceof UntrustedPagingError) {
      const kept = error.keptFile
        ? ` The ${error.rows} rows read before it are in ${error.keptFile}; ${flags.out} was not written.`
        : flags.out === '-'
          ? ` The ${error.rows} rows before it went to stdout.`
          : nothing;
      terminal.stderr.write(`callbot ${verb}: ${error.message}.${kept}\n`);
      return VERB_EXIT.notDone;
    }
    if (error instanceof CallbotPackageError) {
      terminal.stderr.write(`callbot ${verb}: ${error.message}${error.requestID ? ` (requestID ${error.requestID})` : ''}.${nothing}\n`);
      return VERB_EXIT.notDone;
    }
    terminal.stderr.write(`callbot ${verb}: ${(error as Error)?.message ?? String(error)}.${nothing}\n`);
    return VERB_EXIT.notDone;
  } finally {
    stopListening();
  }
}
