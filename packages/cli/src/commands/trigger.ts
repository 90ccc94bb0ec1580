import type { CallbackKind } from 'callbot-contract';
import { Callbacks, TaskStatus } from 'callbot-contract/facts';
import { Argument, type Command } from 'commander';
import { addConnectionOptions, timeoutOption } from '../shared/connection-options.js';
import type { VerbRun } from '../shared/io.js';
import { wholeNumber } from '../shared/whole-number.js';

// `callbot trigger order|call|task --to URL`: one signed callback, built from the spec's example
// of that callback and the flags, sent to any receiver — a way to test your endpoint without a
// campaign (send-callback/send-verbs.ts).

const KINDS = Object.keys(Callbacks) as CallbackKind[];

/** The flags of a verb that signs and sends one callback (trigger, resend): the account, and how long the receiver may take. */
export function addSenderOptions(command: Command): Command {
  addConnectionOptions(command, {
    baseUrl: false,
    uuid: { note: "default: the mock's demo account" },
    algorithm: { what: 'signature algorithm', note: 'default: MD5' },
    config: { what: 'JSON file with uuid, secretKey, algorithm' },
    timeout: false,
  });
  return command.addOption(timeoutOption('how long the receiver may take to answer', wholeNumber(1, 600_000), 10_000));
}

export function registerTriggerCommand(program: Command, run: VerbRun): void {
  const trigger = program
    .command('trigger')
    .description(
      "Send one signed callback (order, call or task), built from the spec's example and your --field changes, to a receiver: test your endpoint without a campaign",
    )
    .addArgument(new Argument('<kind>', 'which callback: order (order finished), call (call finished) or task (task status)').choices(KINDS))
    .requiredOption('--to <url>', 'the receiver to send it to, e.g. http://127.0.0.1:3000/callbot/order')
    .option('--task <userTaskID>', "the userTaskID the callback is about (default: the example's)")
    .option(
      '--field <path=value>',
      'set one field of the payload (PATH:=JSON for a JSON value); repeatable; dots for nested fields (callInfoDetail.hangupCause=USER_BUSY)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--request-id <id>', 'the requestID header (default: a fresh one; send the same one twice to test your deduplication)')
    .option('--json', 'print the result as one JSON document (kind, to, requestID, ok, status, answer, ms, payload)');
  addSenderOptions(trigger)
    .addHelpText(
      'after',
      `
Signed as the vendor signs a callback: headers requestID, uuid, createTs (now) and sign (the
account's secret; no algorithm header), the payload's JSON text as the body. --field PATH=VALUE
keeps the type of the example's field (text stays text); elsewhere VALUE is read as JSON when it
is JSON (a number, true, null), else as text; PATH:=JSON sets JSON whatever the field held
(orderID:=null). PATH: dots for nested fields, numbers for list items (callInfoDetail.intents.0.intentTag=B). The line printed: time (UTC), kind, order and task,
requestID, the receiver's status and time.

Examples:
  $ callbot trigger order --to http://127.0.0.1:3000/callbot/order --task T-42
  $ callbot trigger call --to http://127.0.0.1:3000/callbot/call --field callInfoDetail.hangupCause=USER_BUSY
  $ callbot trigger task --to http://127.0.0.1:3000/callbot/task --field taskStatus=${TaskStatus.Paused}   # paused

Exit codes: 0 the receiver answered 2xx; 1 usage error (nothing sent); 3 it answered another
status or could not be reached; 4 sent and no answer (whether it was handled is unknown).`,
    )
    .action(async (kind: CallbackKind, flags) => {
      const { runTrigger } = await import('../send-callback/send-verbs.js');
      run.exitCode = await runTrigger(run.io, kind, flags);
    });
}
