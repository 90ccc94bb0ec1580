import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IMPORT_BATCH_CALL_PATH, RetCodes } from 'callbot-contract';
import { createMockServer, type MockLogger, type MockOptionsInput, type MockServer } from '../src/index.js';
import { importBody, sendImport, until } from './helpers.js';

// Issue 9, finding 7: slow senders were held for Node's defaults (300 s for a body, ~60–90 s for
// headers, answered 400), connections were not capped, and an aborted upload logged a stack
// trace. Each test sets tiny bounds; the test's own timeout (10 s) is far below Node's defaults,
// so a missing bound fails the test instead of stalling it.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

function recorder() {
  const lines: string[] = [];
  const logger: MockLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  return { lines, logger };
}

async function mockWith(options: MockOptionsInput): Promise<MockServer> {
  const server = await createMockServer({ port: 0, importingMs: 0, callbacks: { enabled: false }, ...options });
  cleanup.push(() => server.close());
  return server;
}

interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with everything received once the server has closed the connection. */
  closed: Promise<string>;
}

/** A raw TCP connection to the mock, so that a test controls every byte and every pause. */
async function raw(mock: MockServer): Promise<RawConnection> {
  const socket = connect(mock.port, '127.0.0.1');
  cleanup.push(async () => void socket.destroy());
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => {}); // a refused or reset connection ends in 'close' below
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(data)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

const statusOf = (response: string) => /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
const importHead = (extra = '') => `POST ${IMPORT_BATCH_CALL_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}`;

describe('socket bounds', () => {
  it('slow headers → 408 Request Timeout, then the connection is closed (headersTimeoutMs)', { timeout: 10_000 }, async () => {
    const log = recorder();
    const mock = await mockWith({ headersTimeoutMs: 200, requestTimeoutMs: 400, logger: log.logger });
    const connection = await raw(mock);
    connection.socket.write(importHead('uuid: demo-0000-callbot-mock\r\n')); // the blank line never comes
    const response = await connection.closed;
    expect(statusOf(response)).toBe('408');
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(log.lines.filter((line) => line.includes('408'))).toHaveLength(1);
  });

  it('a slow body → 408 within the request bound (requestTimeoutMs), logged in one line without a stack', { timeout: 10_000 }, async () => {
    const log = recorder();
    const mock = await mockWith({ headersTimeoutMs: 200, requestTimeoutMs: 400, logger: log.logger });
    const connection = await raw(mock);
    connection.socket.write(`${importHead()}Content-Length: 1000\r\n\r\n{"productID":`); // 987 bytes never come
    const response = await connection.closed;
    expect(statusOf(response)).toBe('408');
    await until(() => log.lines.length > 0);
    expect((await sendImport(mock.url, importBody(1))).json.retCode).toBe(RetCodes.Success.code); // still serving; logs its own line
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatch(/408/);
    expect(log.lines.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('with maxConnections 2, a third connection is closed without an answer; once one closes, a new one is served', { timeout: 10_000 }, async () => {
    const log = recorder();
    const mock = await mockWith({ maxConnections: 2, logger: log.logger });
    const request = 'GET /__mock/callbacks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const open: RawConnection[] = [];
    for (let i = 0; i < 2; i += 1) {
      const connection = await raw(mock);
      connection.socket.write(request);
      await until(() => statusOf(connection.received()) === '200');
      open.push(connection); // kept alive: it still counts
    }
    const extra = await raw(mock).catch(() => undefined);
    if (extra) {
      extra.socket.write(request, () => {});
      expect(await extra.closed).toBe('');
    }
    await until(() => log.lines.some((line) => /refused 1 connection\(s\): more than maxConnections 2/.test(line)));
    open[0]!.socket.destroy();
    await open[0]!.closed;
    // The server notices the closed connection asynchronously: retry until a new one is served.
    await until(async () => {
      const again = await raw(mock).catch(() => undefined);
      if (!again) return false;
      again.socket.write(request, () => {});
      const served = await Promise.race([again.closed.then(() => false), until(() => statusOf(again.received()) === '200')]);
      again.socket.destroy();
      return served;
    }, 50);
  });

  it('an upload the client aborts is logged in exactly one line (no stack trace), and the mock keeps serving', { timeout: 10_000 }, async () => {
    const log = recorder();
    const mock = await mockWith({ logger: log.logger });
    const connection = await raw(mock);
    connection.socket.write(`${importHead('requestID: r-abort\r\nuuid: demo-0000-callbot-mock\r\n')}Content-Length: 100000\r\n\r\n{"productID":"callbot"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    connection.socket.destroy();
    await until(() => log.lines.length > 0);
    expect((await sendImport(mock.url, importBody(1))).json.retCode).toBe(RetCodes.Success.code); // logs its own line
    expect(log.lines, log.lines.join('\n---\n')).toHaveLength(2);
    expect(log.lines[0]).toMatch(/aborted/);
    expect(log.lines[0]).not.toContain('\n');
    expect(log.lines[1]).toContain(`retCode ${RetCodes.Success.code}`);
  });

  it('refuses timeouts that Node cannot apply (headersTimeoutMs above requestTimeoutMs, or 0)', async () => {
    await expect(createMockServer({ port: 0, headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).rejects.toThrow(/headersTimeoutMs/);
    await expect(createMockServer({ port: 0, requestTimeoutMs: 0 })).rejects.toThrow(/requestTimeoutMs/);
    await expect(createMockServer({ port: 0, maxConnections: 0 })).rejects.toThrow(/maxConnections/);
  });
});
