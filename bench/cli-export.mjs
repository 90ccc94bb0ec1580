#!/usr/bin/env node
// Benchmark (not a test) of `callbot export` and `callbot orders` on a task of 100,000 orders,
// served by a signed stand-in vendor in this process (loopback; written here from the vendor's
// description: MD5 over `<secretKey>&body=…&createTs=…&requestID=…&uuid=…`): exportBatchCall
// (the whole batch in one answer, one entry per call), listOrderDetail (500 orders a request)
// and listOrder (pages of 100). The mock's task simulator had not landed on main when this was
// written; when it has, point BASE_URL at it instead.
// Each command runs as a fresh process (the built dist/cli.js), timed from spawn to exit; its
// peak RSS is read at exit (process.resourceUsage().maxRSS and /proc/self/status VmHWM).
// Target: peak RSS < 300 MB for each, the files complete (every order once).
// Run: npm run build, then node bench/cli-export.mjs. ORDERS=… and ROUNDS=… to vary.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'output');
const cli = join(root, 'packages', 'cli', 'dist', 'cli.js');
const ORDERS = Number(process.env.ORDERS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DEMO = { uuid: 'demo-0000-callbot-mock', secretKey: 'demo-secret-for-the-local-mock-only' };
const TASK = 'bench-export';
const BASE = 1_790_000_000;

// ---- the task: order i has i % 3 calls; finished when it has 2 ---------------------------------
const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const orderID = (i) => `${String(i).padStart(8, '0')}-4b7e-4f3a-9c8d-${String(i * 7919).padStart(12, '0')}`;
const callsOf = (i) =>
  Array.from({ length: i % 3 }, (_, k) => {
    const start = BASE + i * 10 + k * 3600;
    const answered = k === (i % 3) - 1;
    return {
      callID: `c-${i}-${k + 1}`,
      callingNumber: '862160000000',
      lineAddress: '10.0.0.8',
      callStatus: answered ? 1 : 2,
      callStartTs: start,
      callAnswerTs: answered ? start + 5 : 0,
      callEndTs: start + 65,
      callDuration: answered ? i % 60 : 0,
      callAudioUrl: answered ? `https://rec.example/${i}.wav` : '',
      hangupCause: answered ? 'NORMAL_CLEARING' : 'NO_ANSWER',
      termSipCode: answered ? '200' : '480',
      intents: answered ? [{ intentID: `i-${i % 4}`, intentTag: 'A', intentName: '有意向', intentLevel: i % 4 }] : [],
      sms: [],
      params: [
        { name: 'amount', value: String(100 + (i % 900)) },
        { name: 'due_date', value: '2025-01-15' },
      ],
    };
  });
const order = (i) => ({
  orderID: orderID(i),
  userPhone: `86156${String(i).padStart(8, '0')}`,
  userName: `${surnames[i % surnames.length]}先生`,
  sceneID: 'scene-1',
  userTaskID: TASK,
  taskID: '880012',
  finish: i % 3 === 2,
  other: `crm-${i}`,
});
const indexOf = (id) => Number(id.slice(0, 8));
const envelope = { retCode: 0, retMsg: 'success', responseID: 'resp-bench' };

function answer(operation, body) {
  switch (operation) {
    case 'exportBatchCall': {
      const callList = [];
      for (let i = 1; i <= ORDERS; i += 1) {
        const o = order(i);
        const calls = callsOf(i);
        if (calls.length === 0)
          callList.push({ orderID: o.orderID, userPhone: o.userPhone, other: o.other, callID: '', callStatus: 0, callStartTs: 0, intents: [] });
        for (const c of calls)
          callList.push({
            orderID: o.orderID,
            userPhone: o.userPhone,
            other: o.other,
            callID: c.callID,
            callStatus: c.callStatus,
            callStartTs: c.callStartTs,
            intents: c.intents,
          });
      }
      return { ...envelope, totalCount: callList.length, batchID: 'b-bench', callList };
    }
    case 'listOrderDetail':
      return { ...envelope, orderDetailList: body.orderList.map((id) => ({ ...order(indexOf(id)), callInfoDetailList: callsOf(indexOf(id)) })) };
    case 'listOrder': {
      // The called orders (i % 3 != 0), in order: page p holds the (p-1)*size+1 … p*size-th of them.
      const called = ORDERS - Math.floor(ORDERS / 3);
      const from = (body.page - 1) * body.size;
      const orderList = [];
      for (let n = from; n < Math.min(from + body.size, called); n += 1) {
        const i = Math.floor(n / 2) * 3 + (n % 2) + 1;
        const calls = callsOf(i);
        orderList.push({ ...order(i), callInfoDetail: calls.at(-1) });
      }
      return { ...envelope, totalCount: called, orderList };
    }
    default:
      return { retCode: 3, retMsg: `not served: ${operation}`, responseID: 'r' };
  }
}

const md5 = (text) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const json = Buffer.concat(chunks).toString('utf8');
    const h = req.headers;
    if (h.sign !== md5(`${DEMO.secretKey}&body=${json}&createTs=${h.createts}&requestID=${h.requestid}&uuid=${h.uuid}`)) {
      res.writeHead(400).end('bad signature');
      return;
    }
    const operation = req.url.slice(req.url.lastIndexOf('/') + 1);
    const text = JSON.stringify(answer(operation, JSON.parse(json)));
    const createTs = String(Math.floor(Date.now() / 1000));
    const sign = md5(`${DEMO.secretKey}&body=${text}&createTs=${createTs}&requestID=${h.requestid}&uuid=${h.uuid}`);
    res.writeHead(200, { 'content-type': 'application/json', requestID: h.requestid, uuid: h.uuid, createTs, sign, algorithm: 'MD5' }).end(text);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = process.env.BASE_URL ?? `http://127.0.0.1:${server.address().port}`;

// ---- running the command -------------------------------------------------------------------------
mkdirSync(out, { recursive: true });
const rssFile = join(out, `rss-export-${process.pid}.txt`);
const preload = [
  '--import',
  `data:text/javascript,import{writeFileSync,readFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(rssFile)},JSON.stringify({maxRSS:process.resourceUsage().maxRSS,hwm:(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))||[])[1]})))`,
];

function run(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...preload, cli, ...args], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`callbot ${args[0]} exited with ${code}:\n${output}`));
      const { maxRSS, hwm } = JSON.parse(readFileSync(rssFile, 'utf8'));
      resolve({ ms, peakMB: Math.max(maxRSS, Number(hwm ?? 0)) / 1024, summary: JSON.parse(output.slice(output.indexOf('{'))) });
    });
  });
}

/** Lines of `file` and how many distinct values its first CSV column holds (each orderID once?). */
async function checkFile(file) {
  const ids = new Set();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    lines += 1;
    if (lines > 1) ids.add(line.slice(0, line.indexOf(',')));
  }
  return { rows: lines - 1, distinct: ids.size };
}

const results = { export: [], orders: [] };
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const verb of ['export', 'orders']) {
      const file = join(out, `${verb}-${ORDERS}.csv`);
      const r = await run([verb, '--task', TASK, '--base-url', baseUrl, '--out', file, '--json']);
      const check = await checkFile(file);
      const expected = verb === 'export' ? ORDERS : ORDERS - Math.floor(ORDERS / 3);
      if (check.rows !== expected || check.distinct !== expected)
        throw new Error(`${verb}: ${check.rows} rows, ${check.distinct} distinct, expected ${expected}`);
      results[verb].push({ ...r, pages: r.summary.pages });
      rmSync(file, { force: true });
    }
  }
} finally {
  server.close();
  server.closeAllConnections();
  rmSync(rssFile, { force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`callbot export / orders of a ${ORDERS}-order task, ${ROUNDS} rounds, each a fresh process (median time, highest peak RSS):`);
for (const [verb, runs] of Object.entries(results)) {
  const peak = Math.max(...runs.map((r) => r.peakMB));
  console.log(
    `  callbot ${verb.padEnd(7)} ${(median(runs.map((r) => r.ms)) / 1000).toFixed(2).padStart(6)} s  peak RSS ${peak.toFixed(0).padStart(4)} MB  (${runs[0].summary.rows} rows, ${runs[0].pages} pages; target < 300 MB: ${peak < 300 ? 'met' : 'MISSED'})`,
  );
}
