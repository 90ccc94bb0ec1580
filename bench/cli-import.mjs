#!/usr/bin/env node
// Benchmark (not a test) of `callbot import`: CSV lists of 100,000 and 10,000 rows generated
// here, imported by the built command into the built mock, each against its floor measured in
// the same run: a process that reads the same file, builds the same body (with the simplest
// split on commas, which this generated file allows), JSON.stringify, one MD5 signature, gzip
// level 1, and one POST of those bytes to the same mock, waiting for its answer.
// Both sides are fresh Node processes timed from spawn to exit, interleaved, medians reported;
// peak RSS is each process's maxRSS (the largest over the rounds).
// Targets: 100,000 rows: callbot / floor <= 1.4 and peak RSS callbot / floor <= 1.1;
// 10,000 rows (start-up bound): callbot / floor <= 1.4.
// The command runs as users run it, without --report (a fully accepted import writes no file;
// the pre-send report is still written beside the input and removed after the answer).
// Run: npm run bench:cli (builds every dist/ first). ROWS=… (one size only) and ROUNDS=… to vary.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'output');
const cli = join(root, 'packages', 'cli', 'dist', 'cli.js');
const SIZES = process.env.ROWS ? [Number(process.env.ROWS)] : [100_000, 10_000];
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DEMO = { uuid: 'demo-0000-callbot-mock', secretKey: 'demo-secret-for-the-local-mock-only' };
const CALLBACKS = { order: 'http://127.0.0.1:8787/callbot/order', call: 'http://127.0.0.1:8787/callbot/call' };

// ---- floor: run as `node bench/cli-import.mjs --floor FILE BASE_URL TASK` -----------------------
if (process.argv[2] === '--floor') {
  const [file, baseUrl, task] = process.argv.slice(3);
  const { createHash } = await import('node:crypto');
  const { gzipSync } = await import('node:zlib');
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines[0].split(',');
  const params = header.map((h, i) => [h.slice('param.'.length), i]).filter((_, i) => header[i].startsWith('param.'));
  const at = Object.fromEntries(header.map((h, i) => [h, i]));
  const callList = [];
  for (let i = 1; i < lines.length; i += 1) {
    if (!lines[i]) continue;
    const cells = lines[i].split(',');
    callList.push({
      orderID: cells[at.order_id],
      userPhone: cells[at.phone],
      other: cells[at.other],
      userName: cells[at.name],
      customerName: cells[at.customer],
      params: params.map(([name, index]) => ({ name, value: cells[index] })),
    });
  }
  const text = JSON.stringify({
    productID: 'callbot',
    userTaskID: task,
    callInfoList: { orderCallbackUrl: CALLBACKS.order, callCallbackUrl: CALLBACKS.call, callList },
  });
  const bytes = Buffer.from(text);
  const createTs = String(Math.floor(Date.now() / 1000));
  const requestID = crypto.randomUUID().replaceAll('-', '');
  const sign = createHash('md5')
    .update(`${DEMO.secretKey}&body=`)
    .update(bytes)
    .update(`&createTs=${createTs}&requestID=${requestID}&uuid=${DEMO.uuid}`)
    .digest('hex')
    .toUpperCase();
  const response = await fetch(`${baseUrl}/callcentre/api/v3/importBatchCall`, {
    method: 'POST',
    body: gzipSync(bytes, { level: 1 }),
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', requestID, uuid: DEMO.uuid, createTs, sign, algorithm: 'MD5' },
  });
  const answer = await response.json();
  if (answer.retCode !== 0 || answer.successCount !== callList.length) throw new Error(`floor import failed: ${JSON.stringify(answer).slice(0, 300)}`);
  process.exit(0);
}

// ---- the benchmark ------------------------------------------------------------------------------
mkdirSync(out, { recursive: true });
/** The call list of `rows` rows (made once per size; the same file for both sides). */
function makeList(rows) {
  const csv = join(out, `call-list-${rows}.csv`);
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
  const given = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟'];
  const companies = ['华南物流', '华东贸易', '北方科技', '西部能源', '南方电子'];
  const lines = ['phone,name,customer,other,order_id,param.amount,param.due_date'];
  for (let i = 0; i < rows; i += 1) {
    const phone = `86156${String(i).padStart(8, '0')}`;
    const name = `${surnames[i % surnames.length]}${given[i % given.length]}`;
    const orderId = `${String(i).padStart(8, '0')}-4b7e-4f3a-9c8d-${String(i * 7919).padStart(12, '0')}`;
    const amount = (100 + (i % 9000) / 7).toFixed(2);
    const due = `2025-01-${String(1 + (i % 28)).padStart(2, '0')}`;
    lines.push(`${phone},${name},${companies[i % companies.length]},crm-${i},${orderId},${amount},${due}`);
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
  return { csv, bytes: readFileSync(csv).byteLength };
}

/** Runs a Node process to completion; resolves with its wall time, and its peak RSS when asked. */
function run(args, { label, rss = false } = {}) {
  const rssFile = join(out, `rss-${process.pid}.txt`);
  const preload = rss
    ? [
        '--import',
        `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)))`,
      ]
    : [];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...preload, ...args], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (code !== 0) return reject(new Error(`${label} exited with ${code}:\n${output}`));
      const peakRssMB = rss ? Number(readFileSync(rssFile, 'utf8')) / 1024 : undefined;
      resolve({ ms, peakRssMB, output });
    });
  });
}

// The mock as a separate process (as users run it); importing-ms 0 so every round is accepted.
const mock = spawn(process.execPath, [join(root, 'packages', 'mock', 'dist', 'bin.js'), '--port', '0', '--quiet', '--no-callbacks', '--importing-ms', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const baseUrl = await new Promise((resolve, reject) => {
  let text = '';
  mock.stdout.on('data', (c) => {
    text += c;
    const match = /listening on (http:\/\/\S+)/.exec(text);
    if (match) resolve(match[1]);
  });
  mock.on('exit', (code) => reject(new Error(`the mock exited (${code})`)));
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const verdict = (value, target) => `${value.toFixed(2)} (target <= ${target}) ${value <= target ? 'PASS' : 'MISS'}`;

/** One size: ROUNDS rounds (after a warm-up), floor and callbot interleaved. */
async function measure(rows) {
  const { csv, bytes } = makeList(rows);
  const times = { floor: [], callbot: [] };
  const rss = { floor: [], callbot: [] };
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const floor = await run([fileURLToPath(import.meta.url), '--floor', csv, baseUrl, `bench-floor-${rows}-${round}`], { label: 'floor', rss: true });
    const cmd = await run([cli, 'import', csv, '--task', `bench-cli-${rows}-${round}`, '--base-url', baseUrl, '--json'], {
      label: 'callbot import',
      rss: true,
    });
    const summary = JSON.parse(cmd.output.slice(cmd.output.indexOf('{')));
    if (summary.counts.accepted !== rows) throw new Error(`callbot import accepted ${summary.counts.accepted} of ${rows}`);
    if (summary.report !== null) throw new Error(`a fully accepted import left a report: ${summary.report}`);
    if (round === 0) continue; // warm-up (disk cache, mock JIT)
    times.floor.push(floor.ms);
    times.callbot.push(cmd.ms);
    rss.floor.push(floor.peakRssMB);
    rss.callbot.push(cmd.peakRssMB);
  }
  return { rows, bytes, floorMs: median(times.floor), cliMs: median(times.callbot), floorRss: Math.max(...rss.floor), cliRss: Math.max(...rss.callbot) };
}

const results = [];
try {
  for (const rows of SIZES) results.push(await measure(rows));
} finally {
  mock.kill('SIGTERM');
  rmSync(join(out, `rss-${process.pid}.txt`), { force: true });
}

for (const r of results) {
  const ratio = r.cliMs / r.floorMs;
  const rssRatio = r.cliRss / r.floorRss;
  console.log(`callbot import, ${r.rows} rows (${(r.bytes / 1e6).toFixed(1)} MB CSV), ${ROUNDS} rounds, medians, each a fresh process:`);
  console.log(`  floor (read, build, stringify, MD5, gzip, one POST)  ${r.floorMs.toFixed(0).padStart(6)} ms  peak RSS ${r.floorRss.toFixed(0)} MB`);
  console.log(`  callbot import                                    ${r.cliMs.toFixed(0).padStart(6)} ms  peak RSS ${r.cliRss.toFixed(0)} MB`);
  console.log(`  ratio callbot / floor: ${verdict(ratio, 1.4)}`);
  if (r.rows >= 100_000) console.log(`  peak RSS ratio callbot / floor: ${verdict(rssRatio, 1.1)}`);
  else console.log(`  peak RSS ratio callbot / floor: ${rssRatio.toFixed(2)} (no target at this size)`);
}
