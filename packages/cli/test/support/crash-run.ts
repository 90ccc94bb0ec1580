import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_ACCOUNT, sign } from 'callbot-contract';
import { freePort } from 'callbot-test-kit/store-servers';
import { type LiveCli, spawnCli } from './run-cli.js';

// The crash run of issue 20 ("every callback handled once across many receivers"): three
// `callbot listen` processes sharing a store, a sender that delivers each of `n` signed
// callbacks three times, concurrently, to three different listeners (retrying as the vendor does
// until it gets a 200), and one listener killed with SIGKILL mid-run and started again on its
// port. What the listeners wrote is then checked by the caller (files or a table). Used by
// test/listen-crash.test.ts (small n) and bench/listen-crash.ts (the 10,000).

/** A call callback's payload (the listener keeps any verified payload; this one is well-formed). */
export const callPayload = (orderID: string) => ({
  callbackType: 3,
  orderID,
  userPhone: '8615612345678',
  userTaskID: 'task-1',
  finish: false,
  callInfoDetail: { callID: `c-${orderID}`, callStatus: 1, callStartTs: 1_790_000_000, callDuration: 45, hangupCause: 'NORMAL_CLEARING', intents: [] },
});

/** One delivery of a call callback, signed as the vendor signs it (the demo account; createTs now, as a retry re-signs). */
export async function deliver(url: string, requestID: string): Promise<{ status: number; retMsg: string }> {
  const body = JSON.stringify(callPayload(`o-${requestID}`));
  const createTs = String(Math.floor(Date.now() / 1000));
  const uuid = DEMO_ACCOUNT.uuid;
  const signature = sign({ secretKey: DEMO_ACCOUNT.secretKey, body, createTs, requestID, uuid, algorithm: 'MD5' });
  const response = await fetch(`${url}/callbot/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', requestID, uuid, createTs, sign: signature },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, retMsg: ((await response.json()) as { retMsg: string }).retMsg };
}

export interface CrashRunOptions {
  n: number;
  /** The listeners' working folder (their --out files are relative to it). */
  dir: string;
  /** The arguments of listener `i` (0, 1, 2) after `listen --port P`. */
  args: (i: number) => string[];
  /** Deliveries under way at once (default 48). */
  concurrency?: number;
  /** A delivery not answered 200 by then counts as lost (default 120 s). */
  deadlineMs?: number;
  prefix?: string;
}

export interface CrashRunResult {
  ids: string[];
  /** Answers by kind: `200 success`, `200 success (already handled)`, `409`, `503`, `no connection`, … */
  answers: Record<string, number>;
  /** Deliveries that never got a 200 before the deadline (their requestIDs). */
  undelivered: string[];
  elapsedMs: number;
  /** When the listener was killed and listening again, ms after the start. */
  killedAtMs: number;
  restartedAtMs: number;
  /** The stderr of each listener (the killed one's two runs joined). */
  stderr: string[];
}

export async function crashRun(options: CrashRunOptions): Promise<CrashRunResult> {
  const { n, dir } = options;
  const prefix = options.prefix ?? 'crash';
  const ports = [await freePort(), await freePort(), await freePort()];
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const start = async (i: number): Promise<LiveCli> => {
    const live = spawnCli(['listen', '--port', String(ports[i]), '--progress-every', '1000000000', ...options.args(i)], { cwd: dir });
    await live.waitForStderr(/listening on http/, 30_000);
    return live;
  };
  const listeners = await Promise.all([0, 1, 2].map(start));
  const earlier: string[] = ['', '', ''];
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  // Each requestID three times, side by side in the queue (so its deliveries overlap), each to another listener.
  const queue = ids.flatMap((id, i) => [0, 1, 2].map((k) => ({ id, to: (i + k) % 3 })));
  const total = queue.length;
  const answers: Record<string, number> = {};
  const undelivered: string[] = [];
  const t0 = Date.now();
  const deadline = t0 + (options.deadlineMs ?? 120_000);
  let completed = 0;
  let killedAtMs = -1;
  let restartedAtMs = -1;
  let crash: Promise<void> | undefined;
  const count = (key: string) => {
    answers[key] = (answers[key] ?? 0) + 1;
  };

  const kill = async () => {
    const victim = listeners[1]!;
    victim.child.kill('SIGKILL');
    killedAtMs = Date.now() - t0;
    earlier[1] = (await victim.done).stderr;
    await sleep(300);
    listeners[1] = await start(1);
    restartedAtMs = Date.now() - t0;
  };

  const one = async (delivery: { id: string; to: number }) => {
    let to = delivery.to;
    for (let attempt = 0; ; attempt += 1) {
      let status = 0;
      try {
        const answer = await deliver(urls[to]!, delivery.id);
        status = answer.status;
        count(status === 200 ? `200 ${answer.retMsg}` : String(status));
      } catch {
        count('no connection');
        to = (to + 1) % 3; // the load balancer sends the retry to another listener
      }
      if (status === 200) break;
      if (Date.now() > deadline) {
        undelivered.push(delivery.id);
        break;
      }
      await sleep(Math.min(50 * 2 ** attempt, 500));
    }
    completed += 1;
    if (!crash && completed >= total / 3) crash = kill();
  };

  let next = 0;
  const worker = async () => {
    while (next < total) await one(queue[next++]!);
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 48 }, worker));
  await crash;
  const elapsedMs = Date.now() - t0;
  const stderr: string[] = [];
  for (const [i, live] of listeners.entries()) {
    live.child.kill('SIGTERM');
    stderr.push(earlier[i] + (await live.done).stderr);
  }
  return { ids, answers, undelivered, elapsedMs, killedAtMs, restartedAtMs, stderr };
}

/** How often each requestID occurs in `written`. */
export function occurrences(written: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const id of written) seen.set(id, (seen.get(id) ?? 0) + 1);
  return seen;
}
