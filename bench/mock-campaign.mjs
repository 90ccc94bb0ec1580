#!/usr/bin/env node
// Campaign benchmark of the mock (NOT a test): one 10,000-order task played to completion by the
// built mock as a process (`--speed 0`: virtual time moves only by POST /__mock/clock, with
// settle, so the run is as fast as the mock can dial and deliver), every call and order callback
// delivered to a bare node:http receiver on loopback that counts them. Checks that each order
// callback and each call callback arrived exactly once and that the task ended completed; prints
// the wall time and the mock's peak RSS (VmHWM of its process; target < 300 MB).
// Run with `npm run bench:mock-campaign` (builds dist/ first). BENCH_ORDERS tunes the size.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCallbotClient, DEMO_ACCOUNT } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const orderCount = Number(process.env.BENCH_ORDERS ?? 10_000);
const ADVANCE_SECONDS = 600;
const MAX_ROUNDS = 5000;
const RSS_TARGET_MB = 300;

/** VmHWM (peak resident set) and VmRSS of a process, in MB (Linux /proc). */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
}

function startMock() {
  const args = [join(root, 'packages', 'mock', 'dist', 'bin.js'), '--port', '0', '--host', '127.0.0.1', '--quiet', '--speed', '0', '--seed', '3'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the mock did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /Callbot mock listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the mock exited (${code}):\n${output}`)));
  });
}

/** A bare receiver: counts callbacks by orderID (order) and callID (call); no verification (the floor). */
async function startReceiver() {
  const counts = { order: new Map(), call: new Map(), task: [], other: 0 };
  const ok = Buffer.from('{"retCode":0,"retMsg":"success"}');
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (req.url === '/order') counts.order.set(payload.orderID, (counts.order.get(payload.orderID) ?? 0) + 1);
      else if (req.url === '/call') counts.call.set(payload.callInfoDetail.callID, (counts.call.get(payload.callInfoDetail.callID) ?? 0) + 1);
      else if (req.url === '/task') counts.task.push(payload.taskStatus);
      else counts.other += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': ok.length }).end(ok);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, counts, server };
}

async function advance(url, seconds) {
  const response = await fetch(`${url}/__mock/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: seconds, settle: true }),
  });
  if (!response.ok) throw new Error(`/__mock/clock answered ${response.status}: ${await response.text()}`);
  return response.json();
}

const mock = await startMock();
const receiver = await startReceiver();
const problems = [];
try {
  const callbot = createCallbotClient({ baseUrl: mock.url, uuid: DEMO_ACCOUNT.uuid, secretKey: DEMO_ACCOUNT.secretKey, timeoutMs: 600_000 });
  const userTaskID = `bench-campaign-${randomUUID()}`;
  const callList = Array.from({ length: orderCount }, (_, i) => ({
    orderID: `o-${i}-${randomUUID()}`,
    userPhone: `86156${String(i).padStart(8, '0')}`,
    other: '',
    userName: '张伟',
    customerName: '华南物流',
    params: [{ name: 'amount', value: String(i) }],
  }));
  const started = performance.now();
  await callbot.createTask({ userTaskID, sceneID: 'scene-1001', taskCallbackUrl: `${receiver.url}/task` });
  const imported = await callbot.importBatchCall({
    userTaskID,
    callInfoList: { orderCallbackUrl: `${receiver.url}/order`, callCallbackUrl: `${receiver.url}/call`, callList },
  });
  if (imported.successCount !== orderCount) problems.push(`imported ${imported.successCount} of ${orderCount}`);
  const importedAt = performance.now();
  await callbot.startTask(userTaskID);

  const listTask = async () => (await callbot.listTasks({ page: 1, size: 1, queryConditions: { userTaskID: [userTaskID] } })).taskData?.[0];
  let task = await listTask();
  let rounds = 0;
  let pending = 0;
  while (task && task.taskStatus !== 3 && task.taskStat.finishOrderCount < orderCount && rounds < MAX_ROUNDS) {
    pending = (await advance(mock.url, ADVANCE_SECONDS)).pendingCallbacks;
    rounds += 1;
    task = await listTask();
  }
  if (task && task.taskStatus !== 3) {
    // Every order done but the task still running: the vendor's "complete" is the caller's move.
    await callbot.completeTask(userTaskID);
  }
  pending = (await advance(mock.url, 60)).pendingCallbacks;
  task = await listTask();
  const wallSeconds = (performance.now() - started) / 1000;
  const memory = memoryOf(mock.child.pid);

  const duplicates = (map) => [...map.values()].filter((n) => n !== 1).length;
  if (!task) problems.push('listTask does not know the task');
  else {
    if (task.taskStatus !== 3) problems.push(`task ended in status ${task.taskStatus}, not 3 (completed)`);
    if (task.taskStat.finishOrderCount !== orderCount) problems.push(`finishOrderCount ${task.taskStat.finishOrderCount} of ${orderCount}`);
    if (task.taskStat.totalCall !== receiver.counts.call.size)
      problems.push(`listTask says ${task.taskStat.totalCall} calls; ${receiver.counts.call.size} call callbacks arrived`);
  }
  if (receiver.counts.order.size !== orderCount) problems.push(`${receiver.counts.order.size} of ${orderCount} order callbacks arrived`);
  if (duplicates(receiver.counts.order)) problems.push(`${duplicates(receiver.counts.order)} orders called back more than once`);
  if (duplicates(receiver.counts.call)) problems.push(`${duplicates(receiver.counts.call)} calls called back more than once`);
  if (pending !== 0) problems.push(`${pending} callbacks still pending at the end`);
  if (receiver.counts.task.at(-1) !== 3) problems.push(`last task callback status ${receiver.counts.task.at(-1)}, not 3`);

  console.table([
    {
      orders: orderCount,
      'order callbacks': receiver.counts.order.size,
      'call callbacks': receiver.counts.call.size,
      'task callbacks': receiver.counts.task.length,
      'clock advances': rounds,
      'import s': ((importedAt - started) / 1000).toFixed(2),
      'wall s': wallSeconds.toFixed(1),
      'mock peak RSS MB': Math.round(memory.peakMB),
      'mock RSS at end MB': Math.round(memory.rssMB),
    },
  ]);
  console.log(`load average at the end ${loadavg()[0].toFixed(1)} (other processes slow the wall time)`);
  console.log(`mock peak RSS ${Math.round(memory.peakMB)} MB (target < ${RSS_TARGET_MB} MB): ${memory.peakMB < RSS_TARGET_MB ? 'met' : 'MISSED'}`);
  if (problems.length) {
    console.error(`FAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('every order and call callback arrived once; the task ended completed');
  }
} finally {
  mock.child.kill('SIGTERM');
  receiver.server.closeAllConnections();
  receiver.server.close();
}
