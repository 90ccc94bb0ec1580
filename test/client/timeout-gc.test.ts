import { execFile } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { batch } from 'callbot-test-kit/bodies';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { fromRoot } from 'callbot-test-kit/paths';

// The per-attempt timeout must hold when garbage collections run during the attempt. A signal
// that reaches fetch through copied Request objects is lost once a copy is collected
// (nodejs/node#55428): the attempt then ran as long as the vendor kept the connection open.
// Each case runs the built client in a child `node --expose-gc` that calls gc() every 10 ms
// while the attempt waits on a loopback vendor that never answers, or drips its answer.

const TIMEOUT_MS = 800;
/** Scheduling slack on a busy machine (two cores shared by several test runs). */
const SLACK_MS = 1000;
/** How long the child stays up after the call settled, collecting garbage: a connection the client did not close stays open that long. */
const LINGER_MS = 2000;

type Behaviour = 'silent' | 'drip';

interface Vendor {
  url: string;
  requests: number;
  /** performance.now() when each connection closed. */
  closedAt: number[];
  close(): Promise<void>;
}

async function startVendor(behaviour: Behaviour): Promise<Vendor> {
  const drips = new Set<NodeJS.Timeout>();
  const vendor = { requests: 0, closedAt: [] as number[] };
  const server: Server = createServer((req, res: ServerResponse) => {
    vendor.requests += 1;
    req.resume();
    req.socket.once('close', () => vendor.closedAt.push(performance.now()));
    if (behaviour === 'drip') {
      // A head at once, then one byte of a never-ending answer every 100 ms.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"retCode":0,"retMsg":"');
      const drip = setInterval(() => res.write('.'), 100);
      drips.add(drip);
      res.on('close', () => clearInterval(drip));
    }
  });
  const listening = await listenOnLoopback(server);
  return Object.assign(vendor, {
    url: listening.url,
    close: async () => {
      for (const drip of drips) clearInterval(drip);
      await listening.close();
    },
  });
}

/** The child: one call of the built client, gc() every 10 ms meanwhile; prints what it ended with, then lingers. */
const CHILD = `
const { createCallbotClient } = await import(process.env.CONTRACT_URL);
const gcEvery = setInterval(() => globalThis.gc(), 10);
const client = createCallbotClient({ baseUrl: process.env.VENDOR_URL, uuid: 'gc-uuid', secretKey: 'gc-secret-key', timeoutMs: Number(process.env.TIMEOUT_MS), retry: false });
const started = performance.now();
const call = process.env.OPERATION === 'importBatchCall'
  ? client.importBatchCall(JSON.parse(process.env.BODY))
  : client.listOrders({ userTaskID: 'gc-task', options: {}, page: 1, size: 10 });
try {
  await call;
  console.log(JSON.stringify({ settled: 'resolved' }));
} catch (error) {
  console.log(JSON.stringify({ settled: 'rejected', ms: performance.now() - started, name: error.name, requestID: error.requestID, message: error.message }));
}
setTimeout(() => clearInterval(gcEvery), Number(process.env.LINGER_MS));
`;

interface ChildResult {
  settled: string;
  ms?: number;
  name?: string;
  requestID?: string;
  message?: string;
  /** performance.now() (this process's) when the child had exited. */
  exitedAt: number;
}

function runChild(vendorUrl: string, operation: 'importBatchCall' | 'listOrders'): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--input-type=module', '--eval', CHILD],
      {
        env: {
          ...process.env,
          CONTRACT_URL: pathToFileURL(fromRoot('dist', 'index.js')).href,
          VENDOR_URL: vendorUrl,
          TIMEOUT_MS: String(TIMEOUT_MS),
          OPERATION: operation,
          BODY: JSON.stringify(batch(2, 'gc-task')),
          LINGER_MS: String(LINGER_MS),
        },
        // Without the fix the call hangs as long as the vendor does: end the child well after the bound.
        timeout: TIMEOUT_MS + LINGER_MS + 10_000,
      },
      (error, stdout, stderr) => {
        const exitedAt = performance.now();
        const line = stdout.trim().split('\n').at(-1);
        if (!line)
          return reject(
            new Error(`the call had not settled when the child was ended after ${Math.round(exitedAt - started)} ms (${error?.message ?? ''}) ${stderr}`),
          );
        resolve({ ...(JSON.parse(line) as Omit<ChildResult, 'exitedAt'>), exitedAt });
      },
    );
  });
}

describe('the per-attempt timeout survives garbage collection', () => {
  let vendor: Vendor | undefined;
  afterEach(async () => {
    await vendor?.close();
    vendor = undefined;
  });

  it('a write against a vendor that never answers: unknown outcome with its requestID, within timeoutMs, sent once', async () => {
    vendor = await startVendor('silent');
    const result = await runChild(vendor.url, 'importBatchCall');
    expect(result.settled).toBe('rejected');
    expect(result.name).toBe('CallbotUnknownOutcomeError');
    expect(result.requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(result.message).toContain('TimeoutError');
    expect(result.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(result.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(vendor.requests).toBe(1);
    // The client let go of the connection when it gave up (not only when the child exited).
    expect(vendor.closedAt).toHaveLength(1);
    expect(vendor.closedAt[0]!).toBeLessThan(result.exitedAt - LINGER_MS + 200);
  }, 30_000);

  it('a read whose answer drips forever: the body read ends at timeoutMs too, and the connection is closed', async () => {
    vendor = await startVendor('drip');
    const result = await runChild(vendor.url, 'listOrders');
    expect(result.settled).toBe('rejected');
    expect(result.name).toBe('CallbotUnknownOutcomeError');
    expect(result.requestID).toMatch(/^[0-9a-f]{32}$/);
    expect(result.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(result.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(vendor.requests).toBe(1);
    expect(vendor.closedAt).toHaveLength(1);
    expect(vendor.closedAt[0]!).toBeLessThan(result.exitedAt - LINGER_MS + 200);
  }, 30_000);
});
