#!/usr/bin/env node
// Load benchmark of the mock (NOT a test): drives three servers on loopback with autocannon for
// a bounded time each, in the same run, and prints requests/second and p99 latency:
//   1. our mock (`node packages/mock/dist/bin.js`, a process of its own: the real thing users start),
//   2. plain Prism 5.14.2 (`prism mock`, its CLI, as `npm run mock:prism` runs it),
//   3. a bare node:http server answering a fixed JSON (the ceiling of this machine).
// Every server is a child process on 127.0.0.1 and a free port; this script stops them all.
// Run with `npm run bench:mock` (builds dist/ first). BENCH_SECONDS / BENCH_CONNECTIONS tune it.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNT, IMPORT_BATCH_CALL_PATH, sign } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
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
const createTs = String(Math.floor(Date.now() / 1000));
const requestID = randomUUID().replace(/-/g, '');
const headers = {
  'content-type': 'application/json',
  requestID,
  uuid: DEMO_ACCOUNT.uuid,
  createTs,
  sign: sign({ secretKey: DEMO_ACCOUNT.secretKey, body, createTs, requestID, uuid: DEMO_ACCOUNT.uuid }),
};

const BARE_SERVER = `
const http = require('node:http');
const answer = Buffer.from(JSON.stringify({ retCode: 0, retMsg: 'success', responseID: '0'.repeat(32), totalCount: 3, successCount: 3 }));
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

async function measure(target, expectBody) {
  const url = `${target.url}${IMPORT_BATCH_CALL_PATH}`;
  // Check once that the target really answers the request as expected before timing it.
  const check = await fetch(url, { method: 'POST', headers, body });
  const text = await check.text();
  if (!expectBody(check.status, text)) throw new Error(`${target.name} answered ${check.status} ${text.slice(0, 200)}`);
  const result = await autocannon({ url, method: 'POST', headers, body, connections, duration: seconds });
  return {
    target: target.name,
    'req/s': Math.round(result.requests.average),
    'p99 ms': result.latency.p99,
    'mean ms': result.latency.average,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const prismCli = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
const runs = [
  {
    args: [join(root, 'packages', 'mock', 'dist', 'bin.js'), '--port', '0', '--host', '127.0.0.1', '--quiet', '--no-callbacks', '--importing-ms', '0'],
    name: 'callbot-mock',
    pattern: /Callbot mock listening on (http:\/\/\S+)/,
    expect: (status, text) => status === 200 && JSON.parse(text).retCode === 0,
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
  { args: ['-e', BARE_SERVER], name: 'bare node:http', pattern: /bare listening on (http:\/\/\S+)/, expect: (status) => status === 200 },
];

const cleanup = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const results = [];
try {
  console.log(`Loopback, ${connections} connections, ${seconds} s per target, 3-order signed import (${Buffer.byteLength(body)} bytes)\n`);
  for (const run of runs) {
    const target = typeof run.args === 'function' ? await startAndPoll(run.name, await run.args()) : await start(run.name, run.args, run.pattern);
    try {
      results.push(await measure(target, run.expect));
    } finally {
      await stop(target);
    }
  }
  console.table(results);
  const ours = results[0]['req/s'];
  const prism = results[1]['req/s'];
  const bare = results[2]['req/s'];
  console.log(`callbot mock vs bare node:http: ${((ours / bare) * 100).toFixed(1)}% of the requests/second`);
  console.log(`callbot mock vs plain Prism:    ${(ours / prism).toFixed(2)}x the requests/second`);
} finally {
  cleanup();
}
