#!/usr/bin/env node
// The crash run of issue 20 (NOT a test: minutes, real servers): three receiver processes
// (bench/receiver-crash-replica.mjs) share one replay store — Redis, then PostgreSQL — and a sender
// plays the vendor: CALLBACKS signed order callbacks (default 10,000), each delivered three
// times, concurrently (16 at once), each delivery to a random replica; whatever is not answered
// 200 (409 while another replica handles it, 5xx, a dead connection) is delivered again 250 ms
// later, to a random replica, until it is. When a third of the deliveries are answered, one
// replica is killed with SIGKILL and started again a second later. The handler's side effect
// is a row in a PostgreSQL table without a unique constraint: at the end every requestID must
// be there exactly once (no duplicate, nothing lost). Prints the figures per store.
// Run with `npm run bench:receiver-crash` (Debian's redis-server and postgresql; the test kit starts them).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import pg from 'pg';
import { DEMO_ACCOUNT, sign } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CALLBACKS = Number(process.env.CALLBACKS ?? 10_000);
const DELIVERIES_EACH = 3;
const SENDERS = 16;
const LEASE_MS = 3_000;
const RETRY_MS = 250;
const jiti = createJiti(import.meta.url);
const kit = (name) => jiti.import(`callbot-test-kit/${name}`);
const example = JSON.parse(readFileSync(join(root, 'generated', 'openapi.json'), 'utf8')).components.examples.OrderFinished.value;

function startReplica(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench', 'receiver-crash-replica.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      if (!/listening/.test(output)) reject(new Error(`replica exited (${code ?? signal}):\n${output}`));
    });
  });
}

/** One signed callback per requestID; its three deliveries carry the same headers (the vendor's retry). */
function callback(i) {
  const requestID = randomUUID().replace(/-/g, '');
  const body = JSON.stringify({ ...example, orderID: `crash-${i}` });
  const createTs = String(Math.floor(Date.now() / 1000));
  const { uuid, secretKey } = DEMO_ACCOUNT;
  return {
    requestID,
    body,
    headers: { 'content-type': 'application/json', requestID, uuid, createTs, sign: sign({ secretKey, body, createTs, requestID, uuid }) },
  };
}

async function run(store, storeUrl, sideEffectUrl) {
  const table = `crash_${store}_${Date.now()}`;
  const db = new pg.Pool({ connectionString: sideEffectUrl, max: 2 });
  await db.query(`CREATE TABLE ${table} (request_id text NOT NULL, replica int NOT NULL, order_id text)`);
  const args = (replica) => [store, storeUrl, sideEffectUrl, table, String(replica), String(LEASE_MS)];
  const replicas = await Promise.all([0, 1, 2].map((r) => startReplica(args(r))));
  const callbacks = Array.from({ length: CALLBACKS }, (_, i) => callback(i));
  const queue = callbacks.flatMap((c) => Array.from({ length: DELIVERIES_EACH }, () => c));
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [queue[i], queue[j]] = [queue[j], queue[i]];
  }
  const statuses = {};
  let answered = 0;
  let waiting = 0; // deliveries out for a retry later
  let killed;
  const started = performance.now();

  const deliver = async (c) => {
    const replica = replicas[Math.floor(Math.random() * replicas.length)];
    let status;
    try {
      const res = await fetch(`${replica.url}/callbot/order`, { method: 'POST', headers: c.headers, body: c.body, signal: AbortSignal.timeout(10_000) });
      status = String(res.status);
      await res.arrayBuffer();
    } catch {
      status = 'connection failed';
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === '200') return true;
    waiting += 1;
    setTimeout(() => {
      waiting -= 1;
      queue.push(c);
    }, RETRY_MS);
    return false;
  };

  const killOne = async () => {
    const victim = replicas[0];
    victim.child.kill('SIGKILL');
    killed = { at: answered };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    replicas[0] = await startReplica(args(0));
  };

  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (;;) {
        const c = queue.pop();
        if (!c) {
          if (waiting === 0 && queue.length === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        if (await deliver(c)) {
          answered += 1;
          if (answered === Math.floor((CALLBACKS * DELIVERIES_EACH) / 3) && !killed) void killOne();
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await db.query(`SELECT count(*)::int AS rows, count(DISTINCT request_id)::int AS ids,
    (SELECT count(*)::int FROM (SELECT request_id FROM ${table} GROUP BY request_id HAVING count(*) > 1) d) AS duplicated FROM ${table}`);
  const wanted = new Set(callbacks.map((c) => c.requestID));
  const { rows: ids } = await db.query(`SELECT DISTINCT request_id FROM ${table}`);
  const handled = new Set(ids.map((row) => row.request_id));
  const lost = [...wanted].filter((id) => !handled.has(id)).length;
  for (const replica of replicas) replica.child.kill('SIGKILL');
  await db.end();
  return {
    store,
    callbacks: CALLBACKS,
    deliveries: Object.values(statuses).reduce((a, b) => a + b, 0),
    answers: JSON.stringify(statuses),
    'side-effect rows': rows[0].rows,
    'requestIDs handled': rows[0].ids,
    duplicated: rows[0].duplicated,
    lost,
    'killed after': killed?.at,
    seconds: seconds.toFixed(1),
  };
}

const servers = [];
try {
  const postgres = await (await kit('postgres-server')).startPostgresServer();
  servers.push(postgres);
  const { user, host, port, database } = postgres.connection;
  const pgUrl = `postgres://${user}@${host}:${port}/${database}`;
  const redis = await (await kit('redis-server')).startRedisServer();
  servers.push(redis);
  const results = [];
  for (const [store, url] of [
    ['redis', redis.url],
    ['postgres', pgUrl],
  ]) {
    results.push(await run(store, url, pgUrl));
  }
  console.table(results);
  const failed = results.filter((r) => r.duplicated > 0 || r.lost > 0 || r['side-effect rows'] !== r.callbacks);
  console.log(failed.length === 0 ? 'every requestID handled exactly once, with each store' : `NOT exactly once: ${failed.map((r) => r.store).join(', ')}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  for (const server of servers) await server.stop();
}
