import type { Command } from 'commander';
import type { VerbRun } from '../shared/io.js';
import { addSenderOptions } from './trigger.js';

// `callbot resend REQUEST_ID --from FILE --to URL`: a callback `callbot listen` recorded, sent
// again to a receiver with its own requestID (send-callback/send-verbs.ts).

export function registerResendCommand(program: Command, run: VerbRun): void {
  const resend = program
    .command('resend')
    .description('Send a callback that callbot listen recorded (--out FILE, JSON Lines) again, signed afresh with its own requestID, to a receiver')
    .argument('<requestID>', "the callback's requestID, as in the file")
    .requiredOption('--from <file>', 'the JSON Lines file callbot listen --out wrote')
    .requiredOption('--to <url>', 'the receiver to send it to, e.g. http://127.0.0.1:3000/callbot/order')
    .option('--json', 'print the result as one JSON document (kind, to, requestID, ok, status, answer, ms, payload)');
  addSenderOptions(resend)
    .addHelpText(
      'after',
      `
The payload is the one recorded; createTs and sign are fresh (the account's secret), the
requestID is the recorded one: a receiver that deduplicates answers "already handled".

Examples:
  $ callbot resend 1f2e3d4c5b6a… --from results.jsonl --to http://127.0.0.1:3000/callbot/order

Exit codes: 0 the receiver answered 2xx; 1 usage error (nothing sent); 3 it answered another
status or could not be reached; 4 sent and no answer; 5 no callback with that requestID in the file.`,
    )
    .action(async (requestID: string, flags) => {
      const { runResend } = await import('../send-callback/send-verbs.js');
      run.exitCode = await runResend(run.io, requestID, flags);
    });
}
