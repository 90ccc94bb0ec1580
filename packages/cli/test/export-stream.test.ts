import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_ACCOUNT } from 'callbot-contract';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerFor, type GeneratedOrder, generateOrders } from './support/results-vendor.js';
import { freshDir, spawnCli } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// `callbot export` with the export answer read as a stream (issue 20, item 6): its entries
// spooled to the temp folder as they are parsed, rows written only once the answer's sign
// matched, to a temporary file beside --out renamed at the end. A loopback stand-in vendor
// signs its answers here with node:crypto (the vendor's description, not the package's code);
// it can change one byte of the export after signing, or stop sending half-way.

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
const ORDERS = 700; // two listOrderDetail requests
let orders: GeneratedOrder[];
let mode: 'normal' | 'tamper' | 'stall' = 'normal';
/** Extra export entries, after the generated ones: repeats and entries without an orderID. */
let extraEntries: Record<string, unknown>[] = [];
const asked: string[] = [];
let server: { url: string; close: () => Promise<void> };

function answer(req: IncomingMessage, res: ServerResponse, body: string) {
  const operation = String(req.url).slice(String(req.url).lastIndexOf('/') + 1);
  asked.push(operation);
  const h = req.headers;
  const requestSigned = h.sign === md5(`${DEMO_ACCOUNT.secretKey}&body=${body}&createTs=${h.createts}&requestID=${h.requestid}&uuid=${h.uuid}`);
  const computed = answerFor(orders, JSON.parse(body), String(req.url));
  if (operation === 'exportBatchCall') (computed.callList as unknown[]).push(...extraEntries);
  const json = JSON.stringify(requestSigned ? computed : { retCode: 6, retMsg: 'sign', responseID: 'r' });
  const createTs = String(Math.floor(Date.now() / 1000));
  const sign = md5(`${DEMO_ACCOUNT.secretKey}&body=${json}&createTs=${createTs}&requestID=${h.requestid}&uuid=${h.uuid}`);
  res.writeHead(200, { 'content-type': 'application/json', requestID: String(h.requestid), uuid: String(h.uuid), createTs, sign, algorithm: 'MD5' });
  if (operation !== 'exportBatchCall' || mode === 'normal') {
    res.end(json);
  } else if (mode === 'tamper') {
    // One digit of a phone near the end, after signing.
    const at = json.lastIndexOf('"userPhone":"') + 16;
    res.end(`${json.slice(0, at)}${json[at] === '0' ? '1' : '0'}${json.slice(at + 1)}`);
  } else {
    res.write(json.slice(0, json.length / 2)); // and nothing more: the test kills the command
  }
}

beforeAll(async () => {
  orders = generateOrders(ORDERS);
  server = await listenOnLoopback(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
    }),
  );
});
afterAll(() => server.close());
beforeEach(() => {
  mode = 'normal';
  extraEntries = [];
  asked.length = 0;
});

const rowsOf = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('callbot export, the answer read as a stream', () => {
  it('writes every order once, in the order of its first entry, then the entries without an orderID; the spool is removed', async () => {
    const dir = freshDir();
    const temp = freshDir('callbot-tmp-');
    // An order called again later (a repeat far from its first entry), and entries without a usable orderID.
    extraEntries = [
      { orderID: orders[3]!.orderID, userPhone: 'not this one', callID: 'c-late' },
      { orderID: null, userPhone: '8613900000001', other: 'no id' },
      { userPhone: '8613900000002' },
      { orderID: 42, userPhone: '8613900000003', other: { nested: true } },
      { orderID: '', userPhone: '8613900000004' },
    ];
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'r.jsonl', '--format', 'jsonl', '--time', 'unix'], {
      cwd: dir,
      env: { CALLBOT_BASE_URL: server.url, TMPDIR: temp },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = rowsOf(readFileSync(join(dir, 'r.jsonl'), 'utf8'));
    expect(rows.map((r) => r.orderID)).toEqual([...orders.map((o) => o.orderID), null, null, 42, '']);
    expect(rows[3]).toMatchObject({ orderID: orders[3]!.orderID, phone: orders[3]!.userPhone }); // the first entry's, not the repeat's
    expect(rows.slice(ORDERS).map(({ orderID, phone, other, status }) => ({ orderID, phone, other, status }))).toEqual([
      { orderID: null, phone: '8613900000001', other: 'no id', status: 'unknown' },
      { orderID: null, phone: '8613900000002', other: null, status: 'unknown' },
      { orderID: 42, phone: '8613900000003', other: '{"nested":true}', status: 'unknown' },
      { orderID: '', phone: '8613900000004', other: null, status: 'unknown' },
    ]);
    expect(asked).toEqual(['exportBatchCall', 'listOrderDetail', 'listOrderDetail']);
    expect(readdirSync(dir)).toEqual(['r.jsonl']);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('one byte of the export changed after signing: exit 3, an existing file untouched, no temporary file anywhere, nothing else asked', async () => {
    const dir = freshDir();
    const temp = freshDir('callbot-tmp-');
    writeFileSync(join(dir, 'results.csv'), 'previous\n');
    mode = 'tamper';
    const run = await runInProcess(['export', '--task', 'task-1', '--out', 'results.csv'], { cwd: dir, env: { CALLBOT_BASE_URL: server.url, TMPDIR: temp } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sign does not match the answer/);
    expect(run.stderr).toContain('Nothing was written to results.csv');
    expect(run.stderr).not.toContain(DEMO_ACCOUNT.secretKey);
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['results.csv']);
    expect(readdirSync(temp)).toEqual([]);
    expect(asked).toEqual(['exportBatchCall']); // nothing of the answer was believed: no order asked about
  });

  it('killed while the answer streams in (SIGKILL, SIGINT): no file under the name, none beside it; SIGINT removes the spool too', async () => {
    mode = 'stall';
    for (const signal of ['SIGKILL', 'SIGINT'] as const) {
      const dir = freshDir();
      const temp = freshDir('callbot-tmp-');
      asked.length = 0;
      const live = spawnCli(['export', '--task', 'task-1', '--out', 'results.csv'], { cwd: dir, env: { CALLBOT_BASE_URL: server.url, TMPDIR: temp } });
      // The answer's first half is sent and spooled.
      const until = Date.now() + 20_000;
      while (!(asked.length > 0 && readdirSync(temp).length > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(readdirSync(temp)).toEqual([expect.stringMatching(/^\.callbot-export\.jsonl\..*\.spool$/)]);
      live.child.kill(signal);
      const done = await live.done;
      expect(signal === 'SIGKILL' ? done.signal : done.code).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 130);
      expect(readdirSync(dir)).toEqual([]);
      if (signal === 'SIGINT') expect(readdirSync(temp)).toEqual([]);
    }
  });
});
