#!/usr/bin/env node
// Load benchmark of the mock (NOT a test): drives servers on loopback with autocannon for a
// bounded time each, in the same run, and prints requests/second, p50 and p99 latency.
// A. A signed 3-order importBatchCall, sent to
//   1. our mock (`node packages/mock/dist/bin.js`, a process of its own: the real thing users start),
//   2. plain Prism 5.14.2 (`prism mock`, its CLI, as `npm run mock:prism` runs it),
//   3. a bare node:http server answering a fixed JSON (the ceiling of this machine).
// B. A signed listOrder page (size 100, from the middle) of a task holding 100,000 orders, sent to
//   1. our mock (the task created and its 100,000 orders imported before timing),
//   2. a bare node:http server answering the very bytes the mock answered (same size on the wire).
// Targets (issue 19): the mock's import >= 25% of bare's requests/second, p99 <= 10 ms for both.
// Every server is a child process on 127.0.0.1 and a free port; this script stops them all.
// Run with `npm run bench:mock` (builds dist/ first). BENCH_SECONDS / BENCH_ROUNDS /
// BENCH_CONNECTIONS / BENCH_LIST_ORDERS tune it.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCallbotClient, DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, sign } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const listOrders = Number(process.env.BENCH_LIST_ORDERS ?? 100_000);
const listPath = '/callcentre/api/v3/listOrder';
const children = new Set();

// A small valid batch (3 orders). Callback URLs point at a closed loopback port: plain Prism
// fires the spec's callbacks to them after every request and must never reach another host.
const body = JSON.stringify({
  productID: 'callbot',
  userTaskID: `bench-${randomUUID()}`,
  callInfoList: {
    orderCallbackUrl: 'http://127.0.0.1:9/order',
    callCallbackUrl: 'http://127.0.0.1:9/call',
    callList: [0, 1, 2].map((i) => ({
      orderID: `bench-order-${i}`,
      userPhone: `8615600000${100 + i}`,
      other: '',
      userName: '张伟',
      customerName: '华南物流',
      params: [{ name: 'amount', value: '1280.50' }],
    })),
  },
});
// One signature for the whole run: the mock checks createTs within ±300 s and does not
// de-duplicate requestIDs, so replaying the same signed request is a valid load.
function signedHeaders(text) {
  const createTs = String(Math.floor(Date.now() / 1000));
  const requestID = randomUUID().replace(/-/g, '');
  return {
    'content-type': 'application/json',
    requestID,
    uuid: DEMO_ACCOUNT.uuid,
    createTs,
    sign: sign({ secretKey: DEMO_ACCOUNT.secretKey, body: text, createTs, requestID, uuid: DEMO_ACCOUNT.uuid }),
  };
}
const headers = signedHeaders(body);

// The answer is argv[1] when given (a file: the mock's own answer, for the same bytes on the wire).
const BARE_SERVER = `
const http = require('node:http');
const answer = process.argv[1] ? require('node:fs').readFileSync(process.argv[1])
  : Buffer.from(JSON.stringify({ retCode: 0, retMsg: 'success', responseID: '0'.repeat(32), totalCount: 3, successCount: 3 }));
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length }).end(answer));
});
server.listen(0, '127.0.0.1', () => console.log('bare listening on http://127.0.0.1:' + server.address().port));
`;

function start(name, args, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    children.add(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ name, url: match[1], child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output}`)));
  });
}

async function startAndPoll(name, { args, url }) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
  children.add(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode})`);
    try {
      await fetch(url);
      return { name, url, child };
    } catch {
      if (Date.now() > deadline) throw new Error(`${name} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function stop(target) {
  if (target.child.exitCode !== null) return;
  const exited = new Promise((resolve) => target.child.once('exit', resolve));
  target.child.kill('SIGTERM');
  const timer = setTimeout(() => target.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  children.delete(target.child);
}

async function measure(target, expectBody, request = { path: IMPORT_BATCH_CALL_PATH, headers, body }) {
  const url = `${target.url}${request.path}`;
  // Check once that the target really answers the request as expected before timing it.
  const check = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await check.text();
  if (!expectBody(check.status, text)) throw new Error(`${target.name} answered ${check.status} ${text.slice(0, 200)}`);
  const result = await autocannon({ url, method: 'POST', headers: request.headers, body: request.body, connections, duration: seconds });
  return {
    target: target.name,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'mean ms': result.latency.average,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const prismCli = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
const MOCK_ARGS = [join(root, 'packages', 'mock', 'dist', 'bin.js'), '--port', '0', '--host', '127.0.0.1', '--quiet', '--no-callbacks'];
const MOCK_LISTENING = /Callbot mock listening on (http:\/\/\S+)/;
const BARE_LISTENING = /bare listening on (http:\/\/\S+)/;
const retCodeZero = (status, text) => status === 200 && JSON.parse(text).retCode === 0;

/** The task the import is replayed into: created first (the vendor's order: createTask, then orders). */
async function createTask(url, userTaskID) {
  const callbot = createCallbotClient({ baseUrl: url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey, timeoutMs: 600_000 });
  await callbot.createTask({ userTaskID, sceneID: 'scene-1001' });
  return callbot;
}

const importRuns = [
  {
    // --importing-ms 0: every replayed import is accepted (no "import in progress" lock).
    args: [...MOCK_ARGS, '--importing-ms', '0'],
    name: 'callbot-mock',
    pattern: MOCK_LISTENING,
    prepare: (target) => createTask(target.url, JSON.parse(body).userTaskID),
    expect: retCodeZero,
  },
  {
    // Logging off, like ours (--quiet). Prism cannot listen on port 0 and report it: ask the OS.
    // It prints nothing with -v silent: wait until its port answers.
    args: async () => {
      const port = await freePort();
      return {
        args: [prismCli, 'mock', join(root, 'generated', 'openapi.yaml'), '-h', '127.0.0.1', '-p', String(port), '-v', 'silent'],
        url: `http://127.0.0.1:${port}`,
      };
    },
    name: 'plain Prism 5.14.2 (CLI)',
    expect: (status) => status === 200,
  },
  { args: ['-e', BARE_SERVER], name: 'bare node:http', pattern: BARE_LISTENING, expect: (status) => status === 200 },
];

/** The mock with a task of `listOrders` orders, and the signed listOrder request for one page from its middle. */
async function mockWithBigTask() {
  const target = await start('callbot-mock', [...MOCK_ARGS, '--max-orders', String(Math.max(listOrders, 100_000))], MOCK_LISTENING);
  const userTaskID = `bench-list-${randomUUID()}`;
  const callbot = await createTask(target.url, userTaskID);
  const started = performance.now();
  const imported = await callbot.importBatchCall({
    userTaskID,
    callInfoList: {
      orderCallbackUrl: 'http://127.0.0.1:9/order',
      callCallbackUrl: 'http://127.0.0.1:9/call',
      callList: Array.from({ length: listOrders }, (_, i) => ({
        orderID: `list-order-${i}`,
        userPhone: `86156${String(i).padStart(8, '0')}`,
        other: '',
        userName: '张伟',
        customerName: '华南物流',
        params: [{ name: 'amount', value: String(i) }],
      })),
    },
  });
  if (imported.successCount !== listOrders) throw new Error(`imported ${imported.successCount} of ${listOrders}`);
  const importSeconds = (performance.now() - started) / 1000;
  const listBody = JSON.stringify({ productID: 'callbot', userTaskID, options: {}, page: Math.floor(listOrders / 200) + 1, size: 100 });
  return { target, importSeconds, request: { path: listPath, headers: signedHeaders(listBody), body: listBody } };
}

const cleanup = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const withShareOfBare = (rows) => {
  const bare = rows.at(-1)['req/s'];
  return rows.map((row) => ({ ...row, '% of bare': `${((row['req/s'] / bare) * 100).toFixed(1)}%` }));
};

/**
 * Every target measured `rounds` times, taking turns (A B C A B C …), all servers up at once:
 * a burst of load from other processes then hits every target, not one. The median round of
 * each target (by req/s) is reported, after one second of warm-up each.
 */
async function interleaved(targets) {
  // Warm-up first (JIT, caches): the first second of a server is not its steady state.
  for (const t of targets) {
    const request = t.request ?? { path: IMPORT_BATCH_CALL_PATH, headers, body };
    await autocannon({ url: `${t.target.url}${request.path}`, method: 'POST', headers: request.headers, body: request.body, connections, duration: 1 });
  }
  const rows = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) rows[i].push(await measure(t.target, t.expect, t.request));
  }
  return rows.map((list, i) => {
    const sorted = [...list].sort((a, b) => a['req/s'] - b['req/s']);
    return { ...sorted[Math.floor(sorted.length / 2)], target: targets[i].name, rounds: list.map((r) => r['req/s']).join('/') };
  });
}

try {
  // Other processes skew every figure (the ratios less): say how busy the machine was.
  console.log(`Loopback, ${connections} connections, ${rounds} rounds of ${seconds} s per target, taking turns; load average ${loadavg()[0].toFixed(1)}\n`);
  console.log(`A. signed 3-order importBatchCall (${Buffer.byteLength(body)} bytes)`);
  const started = [];
  let imports;
  try {
    for (const run of importRuns) {
      const target = typeof run.args === 'function' ? await startAndPoll(run.name, await run.args()) : await start(run.name, run.args, run.pattern);
      started.push(target);
      await run.prepare?.(target);
    }
    imports = await interleaved(importRuns.map((run, i) => ({ name: run.name, target: started[i], expect: run.expect })));
  } finally {
    for (const target of started) await stop(target);
  }
  const [ours, prism] = imports;
  console.table(withShareOfBare(imports));
  console.log(`callbot mock vs plain Prism: ${(ours['req/s'] / prism['req/s']).toFixed(2)}x the requests/second\n`);

  console.log(`B. signed listOrder, size 100, a page from the middle of a task of ${listOrders} orders`);
  const big = await mockWithBigTask();
  let lists;
  let bare;
  try {
    const answer = await fetch(`${big.target.url}${listPath}`, { method: 'POST', headers: big.request.headers, body: big.request.body });
    const text = await answer.text();
    const answerFile = join(tmpdir(), `callbot-bench-list-${process.pid}.json`);
    writeFileSync(answerFile, text);
    console.log(`(the mock imported the ${listOrders} orders in ${big.importSeconds.toFixed(1)} s; a page is ${Buffer.byteLength(text)} bytes)`);
    bare = await start('bare node:http (same answer bytes)', ['-e', BARE_SERVER, answerFile], BARE_LISTENING);
    lists = await interleaved([
      { name: 'callbot-mock', target: big.target, expect: retCodeZero, request: big.request },
      { name: bare.name, target: bare, expect: (status) => status === 200, request: big.request },
    ]);
  } finally {
    await stop(big.target);
    if (bare) await stop(bare);
  }
  console.table(withShareOfBare(lists));

  const share = (ours['req/s'] / imports.at(-1)['req/s']) * 100;
  console.log(`import: ${share.toFixed(1)}% of bare (target >= 25%): ${share >= 25 ? 'met' : 'MISSED'}`);
  for (const [what, row] of [
    ['import', ours],
    ['listOrder', lists[0]],
  ]) {
    console.log(`${what} p99 ${row['p99 ms']} ms (target <= 10 ms): ${row['p99 ms'] <= 10 ? 'met' : 'MISSED'}`);
  }
} finally {
  cleanup();
}
