// The benches' stand-in vendor for a task of ORDERS orders (bench/cli-export.mjs,
// bench/cli-export-stream.mjs): a signed loopback server written here from the vendor's
// description (MD5 over `<secretKey>&body=…&createTs=…&requestID=…&uuid=…`), serving
// exportBatchCall (the whole batch in one answer, one entry per call), listOrderDetail (500
// orders a request) and listOrder (pages of 100). Order i has i % 3 calls and is finished when it
// has 2: about 4 export entries per 3 orders.
//
// The export answer is never built whole: it is written entry by entry, twice — once through
// the hash (the sign goes in a header, before the body), once onto the socket, with its
// backpressure respected — so a million-call answer costs this process a chunk, not 300 MB.
// `tamper: true` changes one byte of the export's body after signing (the last entry's phone).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const DEMO = { uuid: 'demo-0000-callbot-mock', secretKey: 'demo-secret-for-the-local-mock-only' };
export const TASK = 'bench-export';
const BASE = 1_790_000_000;

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

/** The export's entries of order i (one per call; one without a callID when it has none). */
function entriesOf(i) {
  const o = order(i);
  const calls = callsOf(i);
  if (calls.length === 0) return [{ orderID: o.orderID, userPhone: o.userPhone, other: o.other, callID: '', callStatus: 0, callStartTs: 0, intents: [] }];
  return calls.map((c) => ({
    orderID: o.orderID,
    userPhone: o.userPhone,
    other: o.other,
    callID: c.callID,
    callStatus: c.callStatus,
    callStartTs: c.callStartTs,
    intents: c.intents,
  }));
}

/** How many export entries (calls, and uncalled orders) a task of `orders` orders has. */
export const exportEntries = (orders) => orders + Math.floor((orders + 1) / 3);

/** The export answer's text, in pieces of about 64 KB: the same text JSON.stringify of the whole answer gives. */
function* exportText(orders) {
  const total = exportEntries(orders);
  let piece = `{${JSON.stringify(envelope).slice(1, -1)},"totalCount":${total},"batchID":"b-bench","callList":[`;
  let first = true;
  for (let i = 1; i <= orders; i += 1) {
    for (const entry of entriesOf(i)) {
      piece += (first ? '' : ',') + JSON.stringify(entry);
      first = false;
    }
    if (piece.length >= 65_536) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}]}`;
}

function answer(orders, operation, body) {
  switch (operation) {
    case 'listOrderDetail':
      return { ...envelope, orderDetailList: body.orderList.map((id) => ({ ...order(indexOf(id)), callInfoDetailList: callsOf(indexOf(id)) })) };
    case 'listOrder': {
      // The called orders (i % 3 != 0), in order: page p holds the (p-1)*size+1 … p*size-th of them.
      const called = orders - Math.floor(orders / 3);
      const from = (body.page - 1) * body.size;
      const orderList = [];
      for (let n = from; n < Math.min(from + body.size, called); n += 1) {
        const i = Math.floor(n / 2) * 3 + (n % 2) + 1;
        orderList.push({ ...order(i), callInfoDetail: callsOf(i).at(-1) });
      }
      return { ...envelope, totalCount: called, orderList };
    }
    default:
      return { retCode: 3, retMsg: `not served: ${operation}`, responseID: 'r' };
  }
}

const md5 = () => createHash('md5');
const signOf = (hash, h, createTs) => hash.update(`&createTs=${createTs}&requestID=${h.requestid}&uuid=${h.uuid}`, 'utf8').digest('hex').toUpperCase();

/** Starts the stand-in vendor for a task of `orders` orders on a free loopback port. */
export async function startExportTask({ orders, tamper = false }) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const json = Buffer.concat(chunks).toString('utf8');
      const h = req.headers;
      const createTs = String(Math.floor(Date.now() / 1000));
      if (h.sign !== signOf(md5().update(`${DEMO.secretKey}&body=${json}`, 'utf8'), h, h.createts)) {
        res.writeHead(400).end('bad signature');
        return;
      }
      const operation = req.url.slice(req.url.lastIndexOf('/') + 1);
      const head = (sign) => ({ 'content-type': 'application/json', requestID: h.requestid, uuid: h.uuid, createTs, sign, algorithm: 'MD5' });
      if (operation !== 'exportBatchCall') {
        const text = JSON.stringify(answer(orders, operation, JSON.parse(json)));
        res.writeHead(200, head(signOf(md5().update(`${DEMO.secretKey}&body=${text}`, 'utf8'), h, createTs))).end(text);
        return;
      }
      const hash = md5().update(`${DEMO.secretKey}&body=`, 'utf8');
      for (const piece of exportText(orders)) hash.update(piece, 'utf8');
      res.writeHead(200, head(signOf(hash, h, createTs)));
      for (const piece of exportText(orders)) {
        // The last piece holds the last entry: one digit of its phone changed after signing.
        const at = tamper && piece.endsWith(']}') ? piece.lastIndexOf('"userPhone":"86156') + 18 : -1;
        const sent = at < 0 ? piece : `${piece.slice(0, at)}${piece[at] === '0' ? '1' : '0'}${piece.slice(at + 1)}`;
        if (!res.write(sent)) await once(res, 'drain');
        if (res.destroyed) return;
      }
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * Runs the built `callbot` (dist/cli.js) as a fresh process in `cwd`, timed from spawn to exit;
 * its peak RSS is read at exit (process.resourceUsage().maxRSS and /proc/self/status VmHWM).
 * Resolves with the exit code, the time, the peak in MB and what it printed.
 */
export function runCli(cli, args, cwd) {
  const rssFile = join(cwd, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const preload = [
    '--import',
    `data:text/javascript,import{writeFileSync,readFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(rssFile)},JSON.stringify({maxRSS:process.resourceUsage().maxRSS,hwm:(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))||[])[1]})))`,
  ];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...preload, cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
      let peakMB = Number.NaN;
      try {
        const { maxRSS, hwm } = JSON.parse(readFileSync(rssFile, 'utf8'));
        peakMB = Math.max(maxRSS, Number(hwm ?? 0)) / 1024;
      } catch {
        // killed before its exit hook ran
      }
      rmSync(rssFile, { force: true });
      resolve({ code, ms, peakMB, output });
    });
  });
}

/** Rows of the CSV `file` (its header aside) and how many distinct values its first column holds (each orderID once?). */
export async function checkFile(file) {
  const ids = new Set();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    lines += 1;
    if (lines > 1) ids.add(line.slice(0, line.indexOf(',')));
  }
  return { rows: lines - 1, distinct: ids.size };
}
