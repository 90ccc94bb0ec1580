import { isSignAlgorithm } from 'callbot-contract';
import { ConfigError } from '../shared/credentials.js';
import { resolveApiConnection } from '../shared/credentials.js';
import { VERB_EXIT } from '../shared/exit.js';
import { type InterruptSignal, printJson, type VerbIo } from '../shared/io.js';
import { UsageError } from '../shared/usage-error.js';
import { callbackLine } from '../send-callback/line.js';
import { forwardingSink } from './forward.js';
import { type ListenOutputs, openOutputs } from './outputs.js';
import { type Counts, type Outcome, startReceiver } from './receiver.js';
import { failure } from './stores.js';

// The front of `callbot listen`: resolves the account (the same settings as the other verbs),
// starts the receiver, shows a live count per callback type on stderr (a refreshing line on a
// terminal, otherwise a line every `progressEvery` callbacks) and stops cleanly on SIGINT or
// SIGTERM: no new connections, the callbacks under way finished (up to 10 s), the file closed,
// the final counts printed (with --json also as one JSON document on stdout), exit 0. A second
// signal exits at once (130/143): what was acknowledged is already on the disk. `deviating`
// counts the callbacks written whose payload departs from the contract (receiver.ts). --out and
// --dedupe may name shared stores (outputs.ts); their passwords are never printed. With
// --forward-to each callback is passed on to the team's app first (forward.ts) and shown on a
// line of its own; --out is then optional.

export interface ListenFlags {
  port: number;
  host: string;
  out?: string;
  forwardTo?: string;
  forwardTimeoutMs: number;
  dedupe?: string;
  csv?: boolean;
  json?: boolean;
  dedupeWindow: number;
  maxBodyBytes: number;
  progressEvery: number;
  uuid?: string;
  secret?: string;
  algorithm?: string;
  config?: string;
  /** Hidden (tests): fewer connection slots, a shorter request deadline than LISTEN_LIMITS. */
  maxConnections?: number;
  requestTimeoutMs?: number;
  /** Hidden (tests): the shared store's lease, shorter than its default. */
  leaseMs?: number;
}

/** How long a stop waits for the callbacks under way (longer when forwarding: see the stop). */
const CLOSE_GRACE_MS = 10_000;

/** The counts in one line; `deviating` (of those written) once there is one. */
const describe = (c: Counts) =>
  `order ${c.order} · call ${c.call} · task ${c.task} · duplicate ${c.duplicate} · refused ${c.refused} · failed ${c.failed}${c.deviating > 0 ? ` · deviating ${c.deviating}` : ''}`;

export async function listenFront(io: VerbIo, flags: ListenFlags): Promise<number> {
  const { stderr, env } = io;
  let settings: ReturnType<typeof resolveApiConnection>;
  try {
    settings = resolveApiConnection({ uuid: flags.uuid, secret: flags.secret, algorithm: flags.algorithm, config: flags.config }, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`callbot listen: ${error.message}\n`);
    return VERB_EXIT.usage;
  }
  const forwardTo = forwardUrl(flags);
  if (typeof forwardTo === 'string') {
    stderr.write(`callbot listen: ${forwardTo}\n`);
    return VERB_EXIT.usage;
  }
  // Callbacks carry no algorithm header: enforce one only when it was asked for explicitly.
  const asked = (flags.algorithm ?? env.CALLBOT_ALGORITHM)?.toUpperCase();
  // One line per callback when forwarding; otherwise the counts (a live line on a terminal).
  const interactive = Boolean(stderr.isTTY) && !forwardTo;
  let lastDraw = 0;
  let total = 0;
  // Forwarding: a refused callback (signature, account, time, size, body) is never forwarded, so
  // it gets a line of its own — at most one a second, the others counted into the next.
  let lastRefusedLine = 0;
  let refusedUnshown = 0;
  const onOutcome = (outcome: Outcome, counts: Counts) => {
    total += 1;
    if (forwardTo && outcome === 'refused') {
      refusedUnshown += 1;
      const t = Date.now();
      if (t - lastRefusedLine < 1000) return;
      lastRefusedLine = t;
      const what = refusedUnshown === 1 ? 'a callback was' : `${refusedUnshown} callbacks were`;
      stderr.write(
        `${new Date(t).toISOString().slice(11, 19)}  ${what} refused (signature, account, createTs, size or body) and not forwarded; refused ${counts.refused} in all\n`,
      );
      refusedUnshown = 0;
      return;
    }
    if (interactive) {
      const t = Date.now();
      if (t - lastDraw < 200) return;
      lastDraw = t;
      stderr.write(`\r\x1b[2K${describe(counts)}`);
    } else if (!forwardTo && total % flags.progressEvery === 0) stderr.write(`callbot listen: ${describe(counts)}\n`);
  };

  let outputs: ListenOutputs | undefined;
  try {
    if (flags.out !== undefined)
      outputs = await openOutputs(
        { ...flags, out: flags.out },
        env,
        settings.configFile ? [{ path: settings.configFile, label: 'the config file' }] : [],
        (reason, suppressed) => {
          const more = suppressed > 0 ? ` (${suppressed} more failures since the last report)` : '';
          stderr.write(
            `callbot listen: cannot write a row to ${outputs?.outName}: ${reason}; callbacks are answered 500 until it can (the vendor sends them again)${more}\n`,
          );
        },
      );
  } catch (error) {
    // Not a usage error: the file could not be read back (its name may be a URL: not repeated).
    const reason = error instanceof UsageError ? error.message : `cannot start: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    stderr.write(`callbot listen: ${reason}\n`);
    return VERB_EXIT.usage;
  }
  const file = outputs?.file;
  const outName = outputs?.outName;
  const sink = forwardTo
    ? forwardingSink(outputs?.sink, {
        url: forwardTo,
        account: settings,
        algorithm: asked && isSignAlgorithm(asked) ? asked : undefined,
        timeoutMs: flags.forwardTimeoutMs,
        onForward: (record, result) => stderr.write(`${callbackLine(new Date(), record.kind, record.payload, record.requestID, result)}\n`),
      })
    : outputs!.sink;
  // The store's failures, at most once a minute (the handler's limit): callbacks get 503 meanwhile.
  const onStoreError = (report: { operation: string; error: unknown; suppressed: number }) => {
    const more = report.suppressed > 0 ? ` (${report.suppressed} more failures since the last report)` : '';
    const reason = outputs!.mask(failure(report.error, undefined));
    // A claim that fails is a 503; a failed finish or renewal follows a callback already written (its claim then runs out with its lease).
    const effect = report.operation === 'claim' ? 'callbacks are answered 503 until it answers' : 'a callback written was not recorded as handled there';
    stderr.write(`callbot listen: the replay store (${outputs!.replayStoreName}) failed at ${report.operation}: ${reason}; ${effect}${more}\n`);
  };

  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  try {
    receiver = await startReceiver({
      host: flags.host,
      port: flags.port,
      sink,
      replayStore: outputs?.replayStore,
      onStoreError: outputs?.replayStore ? onStoreError : undefined,
      uuid: settings.uuid,
      secretKey: settings.secretKey,
      algorithm: asked && isSignAlgorithm(asked) ? asked : undefined,
      dedupeWindow: flags.dedupeWindow,
      maxBodyBytes: flags.maxBodyBytes,
      limits: {
        ...(flags.maxConnections ? { maxConnections: flags.maxConnections } : {}),
        ...(flags.requestTimeoutMs ? { requestTimeoutMs: flags.requestTimeoutMs } : {}),
      },
      onOutcome,
    });
  } catch (error) {
    await outputs?.closeStores();
    const code = (error as NodeJS.ErrnoException).code;
    stderr.write(`callbot listen: cannot start: ${code ?? (error as Error).message} (${flags.host}:${flags.port}${outName ? `, ${outName}` : ''})\n`);
    return VERB_EXIT.usage;
  }
  if (forwardTo && forwardsToItself(forwardTo, receiver.url, flags.host)) {
    await receiver.close();
    await outputs?.closeStores();
    stderr.write(
      `callbot listen: --forward-to ${forwardTo.href} is this listener itself (${receiver.url}): every callback would be refused as "being handled"\n`,
    );
    return VERB_EXIT.usage;
  }
  const existing = file?.existing;
  const writesDeviations = file?.writesDeviations ?? true;
  const account = settings.usingDemoAccount ? "the mock's demo account" : `uuid ${settings.uuid}`;
  const shared = outputs?.replayStoreName ? `; requestIDs shared through ${outputs.replayStoreName}` : '';
  stderr.write(
    `callbot listen: listening on ${receiver.url} as ${account}; ` +
      (forwardTo ? `forwarding each callback to ${forwardTo.href}${outName ? ', then ' : ' (no --out: nothing written here)'}` : '') +
      (!outName
        ? ''
        : existing
          ? `appending to ${outName} (${existing.records} requestIDs already in it${existing.unreadable ? `, ${existing.unreadable} unreadable lines` : ''})`
          : `writing rows to ${outName}`) +
      `${shared}\n` +
      (existing?.setAside
        ? `callbot listen: ${outName} ended in the middle of a line (a write cut short, never acknowledged): the cut line (${existing.setAside.bytes} bytes) was moved to ${existing.setAside.file}; the file now ends with its last whole line\n`
        : '') +
      (writesDeviations
        ? ''
        : `callbot listen: ${outName} has no deviations column (begun by an earlier version): deviations from the contract are counted, not written; start a new file to keep them\n`),
  );

  const signal = await new Promise<InterruptSignal>((resolve) => {
    const stopListening = io.onInterrupt((received) => {
      stopListening();
      resolve(received);
    });
  });
  const stopHard = io.onInterrupt((second) => {
    stderr.write(`\ncallbot listen: stopped at once (${second}); acknowledged callbacks are on the disk. ${describe(receiver.counts)}\n`);
    io.exitNow(second === 'SIGINT' ? 130 : 143);
  });
  if (interactive) stderr.write('\n');
  stderr.write(`callbot listen: stopping (${signal}): finishing the callbacks under way…\n`);
  // Forwards under way may take --forward-timeout-ms: waited for, so the vendor gets their answer.
  await receiver.close(forwardTo ? Math.max(CLOSE_GRACE_MS, flags.forwardTimeoutMs + 1_000) : CLOSE_GRACE_MS);
  await outputs?.closeStores();
  stopHard();
  const c = receiver.counts;
  const written = c.order + c.call + c.task;
  const deviating =
    c.deviating > 0
      ? ` (${c.deviating} deviating from the contract, ${writesDeviations ? 'written with their deviations' : 'their deviations not written'})`
      : '';
  const where = [forwardTo ? `forwarded to ${forwardTo.href}` : '', outName ? `written to ${outName}` : ''].filter(Boolean).join(' and ');
  stderr.write(`callbot listen: stopped. ${describe(c)}; ${written} ${where}${deviating}\n`);
  if (flags.json) {
    const format = !outName ? null : file ? (flags.csv ? 'csv' : 'jsonl') : 'postgres';
    printJson(io, { out: outName ?? null, format, forwardTo: forwardTo ? forwardTo.href : null, written, counts: { ...c } });
  }
  return VERB_EXIT.ok;
}

/** --forward-to as a URL (undefined when not given), or what is wrong with the flags (a message). */
function forwardUrl(flags: ListenFlags): URL | undefined | string {
  if (flags.forwardTo === undefined) {
    return flags.out === undefined ? 'give --out FILE|URL to keep the callbacks, or --forward-to URL to pass them on to your app (or both)' : undefined;
  }
  if (flags.dedupe !== undefined && flags.out === undefined) return '--dedupe: needs --out (each listener keeps its own file)';
  if (flags.csv && flags.out === undefined) return '--csv: needs --out (the file to write the rows to)';
  let url: URL;
  try {
    url = new URL(flags.forwardTo);
  } catch {
    return `--forward-to: "${flags.forwardTo}" is not a URL (e.g. http://127.0.0.1:3000/callbot/order)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--forward-to: ${url.protocol} is not http: or https:`;
  if (url.username || url.password) return '--forward-to: a URL with a user name or password is not taken (it would be printed on every line)';
  return url;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']);

/** Whether --forward-to names this listener: its port, on its host or a loopback name. */
function forwardsToItself(forwardTo: URL, listening: string, host: string): boolean {
  const own = new URL(listening);
  const port = forwardTo.port || (forwardTo.protocol === 'https:' ? '443' : '80');
  if (port !== own.port) return false;
  return forwardTo.hostname === own.hostname || forwardTo.hostname === host || LOOPBACK_NAMES.has(forwardTo.hostname);
}
