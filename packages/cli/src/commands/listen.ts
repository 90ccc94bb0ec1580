import { type Command, Option } from 'commander';
import { addConnectionOptions } from '../shared/connection-options.js';
import { wholeNumber } from '../shared/whole-number.js';
import type { VerbRun } from '../shared/io.js';

// `callbot listen --port P --out results.jsonl`: receives the vendor's signed callbacks and
// appends each once (listen/receiver.ts); `--out postgres://…` and `--dedupe redis://…` share
// the work with other listeners (listen/outputs.ts). The receiver, and the Redis and PostgreSQL
// clients, are loaded when the command runs (and the clients only when their flag is given).

export function registerListenCommand(program: Command, run: VerbRun): void {
  const listen = program
    .command('listen')
    .description("Receive the vendor's callbacks (order, call, task status): verify each signature, write each requestID once to a file or a PostgreSQL table")
    .option(
      '--out <file|url>',
      'the file to append to (JSON Lines; CSV with --csv; created if missing), or postgres://USER@HOST:PORT/DB[?table=NAME]: a row per callback in a table that several listeners share (optional with --forward-to)',
    )
    .option(
      '--forward-to <url>',
      "pass each verified callback on to your app at this URL, signed again with the account's secret and keeping the vendor's requestID; the vendor is answered with your app's outcome (see below)",
    )
    .option(
      '--forward-timeout-ms <ms>',
      'how long your app may take to answer a forwarded callback (then: the vendor is answered HTTP 5xx and sends it again)',
      wholeNumber(1, 600_000),
      10_000,
    )
    .option(
      '--dedupe <url>',
      'redis://HOST:PORT[/DB]: several listeners (each with its own --out) handle each requestID once between them, through this Redis (see below)',
    )
    .option('--port <port>', 'port to listen on (0: any free port)', wholeNumber(0, 65535), 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--csv', 'one CSV row of key fields per callback instead of a JSON line')
    .option('--json', 'when stopped, also print the counts as one JSON document on stdout (out, format, written, counts)')
    .option(
      '--dedupe-window <n>',
      'how many requestIDs (newest first) to remember against repeats, read back from the --out file at start',
      wholeNumber(1, 10_000_000),
      100_000,
    )
    .option('--max-body-bytes <n>', 'largest callback body accepted', wholeNumber(1, 64 * 1024 * 1024), 1024 * 1024)
    .option('--progress-every <n>', 'when stderr is not a terminal: print the counts every N callbacks', wholeNumber(1, 1_000_000_000), 100);
  // Callbacks are verified, not sent: no --base-url, no --timeout-ms.
  addConnectionOptions(listen, {
    baseUrl: false,
    uuid: { note: "default: the mock's demo account" },
    algorithm: { what: 'accept only this signature algorithm', note: 'default: told by the signature length' },
    config: { what: 'JSON file with uuid, secretKey, algorithm' },
    timeout: false,
  });
  listen
    // Tests only: reach the limits without hundreds of connections or half a minute.
    .addOption(new Option('--max-connections <n>').argParser(wholeNumber(1, 256)).hideHelp())
    .addOption(new Option('--request-timeout-ms <ms>').argParser(wholeNumber(500, 30_000)).hideHelp())
    // Tests only: a listener killed mid-callback holds its claim in the shared store this long (default 30 s).
    .addOption(new Option('--lease-ms <ms>').argParser(wholeNumber(300, 600_000)).hideHelp())
    .addHelpText(
      'after',
      `
Each callback is written as {receivedAt, kind, requestID, payload} (kind: order, call, task) and
flushed to the disk before the vendor is answered 200. A requestID already in the file (the
newest --dedupe-window of them) is answered 200 and not written again, also after a restart.
Callbacks whose signature, account or timestamp does not verify are refused (4xx) and not written.
A verified callback whose payload departs from the contract (a null, a missing field, a value of
another type) is written like any other, with its "deviations" (path and message), and counted as
deviating.
--out must be a regular file, not the config file; a last line cut short is moved aside at start.

Several listeners (replicas behind a load balancer) handle each requestID once between them:
--dedupe redis://[:PASSWORD@]HOST:PORT[/DB]  each listener keeps its own --out file; the requestIDs
   being handled and handled are kept in that Redis (keys callbot:replay:<requestID>, expiring
   once no repeat can pass the createTs check). A repeat sent to another listener is answered
   409 while it is handled, 200 "already handled" afterwards, and written nowhere. A listener
   killed mid-callback holds it 30 s (the vendor's retry gets 409 meanwhile); started again, it
   records the last requestIDs of its file as handled.
--out postgres://USER[:PASSWORD]@HOST:PORT/DB[?table=NAME]  one row per requestID in the table
   (default callbot_callbacks; created if missing; DDL in the README): request_id (primary key),
   received_at, kind, the CSV columns as text, payload (jsonb). Its requestIDs are kept in
   the table NAME_replay of the same database, or in the Redis of --dedupe when given.
Give passwords in PGPASSWORD / REDISCLI_AUTH rather than in the URL; they are never printed.
A store that cannot be used at start: exit 1, naming the flag. One that fails while listening:
callbacks are answered 503 (the vendor sends them again later; nothing is written), one line
on stderr a minute; taken again as soon as it answers.
Ctrl-C (SIGINT) or SIGTERM stops it cleanly and prints the counts (exit 0).

Forwarding to your app (--forward-to), as the vendor would call it:
each verified callback is POSTed to the URL with its body byte for byte, the vendor's requestID
and fresh createTs and sign headers (the account's secret and the algorithm the vendor used, or
--algorithm; no algorithm header), so your own receiver
(createCallbackHandler) verifies it unchanged and deduplicates by requestID. One line per
callback on stderr: time (UTC), kind, order and task, requestID, your app's status and time.
Your app answers 2xx: the vendor gets 200 (and the callback is written to --out, if given).
Your app fails, times out or is down: the vendor gets HTTP 5xx and sends the callback again later.
Without --out nothing is kept here: your app is where the callbacks go.

Examples:
  $ callbot listen --forward-to http://127.0.0.1:3000/callbot/order
  $ callbot listen --out results.jsonl
  $ callbot listen --port 8787 --out a.jsonl --dedupe redis://127.0.0.1:6379/0   # on each replica,
  $ callbot listen --port 8788 --out b.jsonl --dedupe redis://127.0.0.1:6379/0   # each its own file
  $ PGPASSWORD=… callbot listen --out 'postgres://callbot@db.internal:5432/ops?table=callbacks'`,
    )
    .action(async (flags) => {
      const { listenFront } = await import('../listen/front.js');
      run.exitCode = await listenFront(run.io, flags);
    });
}
