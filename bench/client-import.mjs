#!/usr/bin/env node
// Benchmark (not a test): one 10,000-order importBatchCall through the package's client, against
// the floor measured in the same run on the same loopback server: JSON.stringify + one hash +
// one raw fetch of those bytes. Target: client / floor <= 1.10. Run: npm run bench:client
// (builds dist/ first). Medians of interleaved runs, so machine noise hits both sides alike.
import { createServer } from 'node:http';
import { createCallbotClient, sign } from '../dist/index.js';

const ORDERS = Number(process.env.ORDERS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 40);
const account = { uuid: 'bench-uuid', secretKey: 'bench-secret-0123456789' };

const body = {
  productID: 'callbot',
  userTaskID: 'bench-task',
  callInfoList: {
    orderCallbackUrl: 'http://127.0.0.1:8787/callbot/order',
    callCallbackUrl: 'http://127.0.0.1:8787/callbot/call',
    callList: Array.from({ length: ORDERS }, (_, i) => ({
      orderID: crypto.randomUUID(),
      userPhone: `86156${String(i).padStart(8, '0')}`,
      other: `crm-${i}`,
      userName: '张伟',
      customerName: '华南物流',
      params: [{ name: 'amount', value: String(100 + i) }],
    })),
  },
};

// The same server for both: reads the whole body, answers a signed success.
const server = createServer((req, res) => {
  let size = 0;
  req
    .on('data', (c) => {
      size += c.length;
    })
    .on('end', () => {
      const answer = `{"retCode":0,"retMsg":"success","responseID":"r","totalCount":${ORDERS},"successCount":${ORDERS},"errList":[]}`;
      const createTs = String(Math.floor(Date.now() / 1000));
      const requestID = req.headers.requestid;
      res
        .writeHead(200, {
          'content-type': 'application/json',
          requestID,
          uuid: account.uuid,
          createTs,
          algorithm: 'MD5',
          sign: sign({ ...account, body: answer, createTs, requestID }),
        })
        .end(answer);
    });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;

async function floor() {
  const text = JSON.stringify(body);
  const createTs = String(Math.floor(Date.now() / 1000));
  const requestID = crypto.randomUUID().replaceAll('-', '');
  const s = sign({ ...account, body: text, createTs, requestID });
  const response = await fetch(`${url}/callcentre/api/v3/importBatchCall`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', requestID, uuid: account.uuid, createTs, sign: s, algorithm: 'MD5' },
  });
  await response.json();
}

const withValidation = createCallbotClient({ ...account, baseUrl: url });
const withoutValidation = createCallbotClient({ ...account, baseUrl: url, validate: false });
const variants = {
  floor,
  'client (defaults: validate + verify)': () => withValidation.importBatchCall(body),
  'client (validate: false)': () => withoutValidation.importBatchCall(body),
};

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let round = 0; round < ROUNDS + 5; round += 1) {
  for (const [name, fn] of Object.entries(variants)) {
    const t0 = performance.now();
    await fn();
    if (round >= 5) times[name].push(performance.now() - t0); // 5 warm-up rounds
  }
}
server.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(times.floor);
console.log(`importBatchCall, ${ORDERS} orders (${(Buffer.byteLength(JSON.stringify(body)) / 1e6).toFixed(2)} MB JSON), ${ROUNDS} rounds, medians:`);
for (const [name, xs] of Object.entries(times)) {
  console.log(`  ${name.padEnd(38)} ${median(xs).toFixed(1).padStart(7)} ms   ratio ${(median(xs) / base).toFixed(2)}`);
}
const ratio = median(times['client (defaults: validate + verify)']) / base;
console.log(`ratio (client with defaults / floor): ${ratio.toFixed(2)} (target <= 1.10)`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
