import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCallbackHandler, type OrderFinishedCallback } from '../../src/callbacks.js';
import { toNodeListener } from '../../src/node-adapter.js';
import { listenOnLoopback } from 'callbot-test-kit/listen';
import { fromRoot } from 'callbot-test-kit/paths';

// The adapter on a real node:http server on loopback, in front of the real callback handler.
// Callback signatures are computed here with node:crypto, not with src/sign.ts.

const account = { uuid: 'acct-node', secretKey: 'NODE-ADAPTER-secret-0123' };
const NOW = 1_800_000_000_000;
const CAP = 64 * 1024;
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const order = spec.components.examples.OrderFinished.value as OrderFinishedCallback;

const handled: string[] = [];
const exchanges: Array<{ socket: Socket; done: Promise<void> }> = [];
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  const handler = createCallbackHandler({
    ...account,
    now: () => NOW,
    maxBodyBytes: CAP,
    onOrderFinished: (p) => {
      handled.push(p.orderID);
    },
  });
  const listener = toNodeListener(handler, { maxBodyBytes: CAP });
  server = await listenOnLoopback(
    createServer((req, res) => {
      exchanges.push({ socket: req.socket, done: listener(req, res) });
    }),
  );
});
afterAll(async () => {
  await server.close();
});

function signedHeaders(body: string, requestID: string): Record<string, string> {
  const createTs = String(NOW / 1000);
  const base = `${account.secretKey}&body=${body}&createTs=${createTs}&requestID=${requestID}&uuid=${account.uuid}`;
  const sign = createHash('md5').update(base, 'utf8').digest('hex').toUpperCase();
  return { 'Content-Type': 'application/json', requestID, uuid: account.uuid, createTs, sign };
}

const settles = (promise: Promise<void>) =>
  Promise.race([promise.then(() => 'settled'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still pending'))]);

/** A raw POST on its own connection; resolves with the answer, or undefined if the connection dies first. */
function rawPost(headers: Record<string, string | number>) {
  const req = request(`${server.url}/callbacks/order`, { method: 'POST', headers, agent: false });
  req.on('error', () => {}); // expected once the server has answered and closed the connection
  const answer = new Promise<{ status: number; json: unknown } | undefined>((resolve) => {
    req.on('close', () => resolve(undefined));
    req.on('response', (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => {
          text += d;
        })
        .on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
  });
  return { req, answer };
}

const lastExchange = () => exchanges.at(-1)!;

describe('toNodeListener', () => {
  it('hands a signed callback to the handler once, headers and body as sent', async () => {
    const body = JSON.stringify(order);
    const post = () => fetch(`${server.url}/callbacks/order`, { method: 'POST', headers: signedHeaders(body, 'cb-once'), body });
    const first = await post();
    expect([first.status, first.headers.get('content-type'), await first.json()]).toEqual([200, 'application/json', { retCode: 0, retMsg: 'success' }]);
    const again = await post(); // the same delivery again: acknowledged, not handled twice
    expect(await again.json()).toEqual({ retCode: 0, retMsg: 'success (already handled)' });
    expect(handled).toEqual([order.orderID]);
  });

  it('answers 413 to an oversize chunked body and stops reading it', async () => {
    const before = handled.length;
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const chunks = 256; // 4 MiB, 64 times the cap
    const { req, answer } = rawPost({ 'Content-Type': 'application/json' }); // no Content-Length: chunked
    let written = 0;
    let answered = false;
    void answer.then(() => {
      answered = true;
    });
    // Paced: client and server share this process, and a client writing flat out into the
    // kernel's loopback buffers would keep the server from reading until they are full.
    while (written < chunks && !answered) {
      written += 1;
      if (!req.write(chunk)) await Promise.race([new Promise((resolve) => req.once('drain', resolve)), answer]);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await answer).toEqual({ status: 413, json: { retCode: 3, retMsg: `body over ${CAP} bytes` } });
    req.destroy();
    const { socket, done } = lastExchange();
    expect(await settles(done)).toBe('settled');
    await vi.waitFor(() => expect(socket.destroyed).toBe(true));
    expect(written).toBeLessThan(chunks / 4);
    expect(socket.bytesRead).toBeLessThan(4 * CAP); // of the 4 MiB: the cap and one socket read past it, not the rest
    expect(handled).toHaveLength(before);
  });

  it('answers 413 from a Content-Length over the cap, before any of the body arrives', async () => {
    const { req, answer } = rawPost({ 'Content-Type': 'application/json', 'Content-Length': 10 * CAP });
    req.flushHeaders();
    expect(await answer).toEqual({ status: 413, json: { retCode: 3, retMsg: `body over ${CAP} bytes` } });
    req.destroy();
    const { socket, done } = lastExchange();
    expect(await settles(done)).toBe('settled');
    expect(socket.bytesRead).toBeLessThan(1024); // the request head only
  });

  it('drops a sender that aborts mid-body without calling the handler, then serves the next one', async () => {
    const before = handled.length;
    const count = exchanges.length;
    const body = JSON.stringify({ ...order, orderID: 'after-abort' });
    const { req, answer } = rawPost({ ...signedHeaders(body, 'cb-aborted'), 'Content-Length': Buffer.byteLength(body) });
    req.write(body.slice(0, 100));
    await vi.waitFor(() => expect(exchanges.length).toBe(count + 1));
    (req as ClientRequest).destroy();
    expect(await answer).toBeUndefined();
    expect(await settles(lastExchange().done)).toBe('settled');
    expect(handled).toHaveLength(before);

    const next = await fetch(`${server.url}/callbacks/order`, { method: 'POST', headers: signedHeaders(body, 'cb-after'), body });
    expect(next.status).toBe(200);
    expect(handled.at(-1)).toBe('after-abort');
  });

  it('answers 500 when the handler throws, and settles', async () => {
    // Passed to createServer as is, as the README does.
    const own = await listenOnLoopback(
      createServer(
        toNodeListener(() => {
          throw new Error('handler bug');
        }),
      ),
    );
    try {
      const res = await fetch(`${own.url}/x`, { method: 'POST', body: '{}' });
      expect([res.status, await res.json()]).toEqual([500, { retCode: 5001, retMsg: 'handler failed' }]);
    } finally {
      await own.close();
    }
  });
});
