#!/usr/bin/env node
// Callback receiver benchmark (NOT a test; issue 20): signed order-finished callbacks, each with
// a new requestID and a fresh createTs, from autocannon with 16 concurrent senders, to
//   1. a bare node:http server answering the vendor's success JSON (the ceiling: no signature),
//   2. createCallbackHandler + toNodeListener with the memory replay store (the default),
//   3. the same with redisReplayStore (Debian's redis-server, node-redis 5),
//   4. the same with postgresReplayStore (Debian's PostgreSQL, a pg Pool of 16),
//   5. `callbot listen` (the command: every callback written and fsynced before its 200), alone,
//      with `--dedupe redis://` and with `--out postgres://`;
//   6. `callbot listen --forward-to` an app (a receiver of kind 2, not measured itself) and --out:
//      each callback re-signed and passed on before it is written and answered (issue 21).
// Each receiver is a process of its own (bench/callback-server.mjs); all run at once and are
// measured taking turns (A B C D A B C D …), so a burst of load from elsewhere hits them all.
// Reported: per receiver, the round whose share of bare's rate (in that same round) is the
// median, with its callbacks/second, p50 and p99.
// Targets: memory >= 0.6 of bare, Redis >= 0.4, PostgreSQL >= 0.25, p99 <= 20 ms.
// Run with `npm run bench:callbacks`. BENCH_SECONDS / BENCH_ROUNDS / BENCH_CONNECTIONS tune it;
// BENCH_STORES=memory,redis,listen picks receivers (bare is always measured).
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { DEMO_ACCOUNT, sign } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const stores = (process.env.BENCH_STORES ?? 'memory,redis,postgres,listen,listen-redis,listen-postgres,listen-forward').split(',');
// The targets are the handler's with each store; `callbot listen` (an fsync per
// callback, group-committed) is reported beside them.
const TARGETS = { memory: 0.6, redis: 0.4, postgres: 0.25 };
const P99_TARGET_MS = 20;

// The test kit's servers (TypeScript sources, loaded through jiti: the bench runs on plain node).
const jiti = createJiti(import.meta.url);
const kit = (name) => jiti.import(`callbot-test-kit/${name}`);

// The spec's own example of an order-finished callback: what the vendor sends.
const spec = JSON.parse(readFileSync(join(root, 'generated', 'openapi.json'), 'utf8'));
const example = spec.components.examples.OrderFinished.value;
const body = JSON.stringify(example);

/** A fresh signed delivery: new requestID (else the receiver answers it as a repeat), createTs now. */
function signedRequest() {
  const createTs = String(Math.floor(Date.now() / 1000));
  const requestID = randomUUID().replace(/-/g, '');
  const { uuid, secretKey } = DEMO_ACCOUNT;
  return {
    method: 'POST',
    path: '/callbot/order',
    body,
    headers: { 'content-type': 'application/json', requestID, uuid, createTs, sign: sign({ secretKey, body, createTs, requestID, uuid }) },
  };
}

const children = new Set();
const folder = mkdtempSync(join(tmpdir(), 'callbot-bench-callbacks-'));
/** The receiver's command line: the bench's own server, or the command's listen. */
function receiverArgs(kind, storeUrl) {
  if (!kind.startsWith('listen')) return [join(root, 'bench', 'callback-server.mjs'), kind, ...(storeUrl ? [storeUrl] : [])];
  const listen = [join(root, 'packages', 'cli', 'bin', 'callbot.js'), 'listen', '--port', '0', '--progress-every', '1000000'];
  if (kind === 'listen-postgres') return [...listen, '--out', `${storeUrl}?table=bench_listen`];
  const out = ['--out', join(folder, `${kind}.jsonl`)];
  if (kind === 'listen-forward') return [...listen, ...out, '--forward-to', `${storeUrl}/callbot/order`];
  return kind === 'listen-redis' ? [...listen, ...out, '--dedupe', storeUrl] : [...listen, ...out];
}
function startReceiver(kind, storeUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, receiverArgs(kind, storeUrl), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const onData = (chunk) => {
      if (output.length > 64 * 1024) return; // started long ago (listen --forward-to prints a line per callback)
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ kind, url: match[1], child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`receiver ${kind} exited (${code}):\n${output}`)));
  });
}

async function measure(target, duration) {
  const result = await autocannon({ url: target.url, connections, duration, requests: [{ setupRequest: signedRequest }] });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${target.kind}: ${bad} of ${result.requests.total} callbacks not answered 2xx`);
  return { 'callbacks/s': Math.round(result.requests.average), 'p50 ms': result.latency.p50, 'p99 ms': result.latency.p99 };
}

const servers = [];
try {
  console.log(`Loopback, ${connections} senders, ${rounds} rounds of ${seconds} s per receiver, taking turns; load average ${loadavg()[0].toFixed(1)}`);
  const urls = {};
  if (stores.some((kind) => kind.endsWith('redis'))) {
    const redis = await (await kit('redis-server')).startRedisServer();
    servers.push(redis);
    urls.redis = redis.url;
  }
  if (stores.some((kind) => kind.endsWith('postgres'))) {
    const postgres = await (await kit('postgres-server')).startPostgresServer();
    servers.push(postgres);
    const { user, host, port, database } = postgres.connection;
    urls.postgres = `postgres://${user}@${host}:${port}/${database}`;
  }
  if (stores.includes('listen-forward')) urls.forward = (await startReceiver('memory')).url; // the app listen forwards to
  const targets = [];
  const storeUrl = (kind) => urls[kind.replace(/^listen-/, '')];
  for (const kind of [...stores, 'bare']) targets.push(await startReceiver(kind, storeUrl(kind)));
  for (const target of targets) await measure(target, 1); // warm-up: JIT, pools, connections
  const results = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) results[i].push(await measure(target, seconds));
  }
  // Each round's share of bare's rate in that same round (load from elsewhere moves both), the
  // median round by that share reported.
  const bareRounds = results.at(-1);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rows = results.map((list, i) => {
    const shares = list.map((r, round) => r['callbacks/s'] / bareRounds[round]['callbacks/s']);
    const chosen = list[shares.indexOf(median(shares))];
    return { receiver: targets[i].kind, ...chosen, 'of bare': median(shares), rounds: list.map((r) => r['callbacks/s']).join('/') };
  });
  console.table(rows.map((row) => ({ ...row, 'of bare': row['of bare'].toFixed(2) })));
  for (const row of rows.slice(0, -1)) {
    const share = row['of bare'];
    const target = TARGETS[row.receiver];
    if (target === undefined) {
      console.log(`${row.receiver}: ${share.toFixed(2)} of bare, p99 ${row['p99 ms']} ms (reported, no target)`);
      continue;
    }
    console.log(
      `${row.receiver}: ${share.toFixed(2)} of bare (target >= ${target}): ${share >= target ? 'met' : 'MISSED'}; p99 ${row['p99 ms']} ms (target <= ${P99_TARGET_MS}): ${row['p99 ms'] <= P99_TARGET_MS ? 'met' : 'MISSED'}`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  for (const server of servers) await server.stop();
  rmSync(folder, { recursive: true, force: true });
}
