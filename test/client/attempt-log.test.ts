import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retCodesWithOutcome } from '../../generated/retcodes.js';
import { createCallbotClient, type CallbotClientOptions } from '../../src/client.js';
import { batch } from 'callbot-test-kit/bodies';
import { accepted, startFakeVendor, type Behaviour, type FakeVendor } from 'callbot-test-kit/fake-vendor';
import { fromRoot } from 'callbot-test-kit/paths';

// The client's attempt log (src/attempt-log.ts): one line per attempt, through the `logger`
// option or, with CALLBOT_LOG=debug and no logger, on stderr — and never a secret.

const run = promisify(execFile);
const account = { uuid: 'acct-uuid-log', secretKey: 'LOG-secret-key-0123456789' };
const noWait = { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} };
const notProcessed = retCodesWithOutcome('not-processed')[0]!;
const busy: Behaviour = { answer: { retCode: notProcessed, retMsg: 'busy', responseID: 'r' } };
const listBody = { queryConditions: {}, page: 1, size: 10 };
const emptyList: Behaviour = { answer: { retCode: 0, retMsg: 'success', responseID: 'r', totalCount: 0, taskData: [] } };

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(account);
});
afterAll(async () => {
  await vendor.close();
});
beforeEach(() => {
  vendor.received.length = 0;
  vendor.script({ answer: accepted() });
});

/** A client whose every log line lands in `lines`. */
function logged(extra: Partial<CallbotClientOptions> = {}) {
  const lines: string[] = [];
  const client = createCallbotClient({ ...account, baseUrl: vendor.url, retry: noWait, logger: (line) => lines.push(line), ...extra });
  return { client, lines };
}

const requestIDs = () => vendor.received.map((r) => String(r.headers.requestid));

describe('the attempt log', () => {
  it('one line per attempt: operation, requestID, HTTP status, retCode, milliseconds, result', async () => {
    const { client, lines } = logged();
    await client.importBatchCall(batch(1));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^callbot op=importBatchCall attempt=1 requestID=${requestIDs()[0]} status=200 retCode=0 ms=\\d+ result=ok$`));
  });

  it('a retried call: two lines, the first saying why it is sent again', async () => {
    vendor.script(busy, { answer: accepted() });
    const { client, lines } = logged();
    await client.importBatchCall(batch(1));
    const [first, second] = requestIDs();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^callbot op=importBatchCall attempt=1 requestID=${first} status=200 retCode=${notProcessed} ms=\\d+ result=CallbotError outcome=not-processed retry=retCode delayMs=\\d+$`,
      ),
    );
    expect(lines[1]).toMatch(new RegExp(`^callbot op=importBatchCall attempt=2 requestID=${second} status=200 retCode=0 ms=\\d+ result=ok$`));
  });

  it('a failed call: the error’s class and outcome (HTTP 502; a closed port, with its code)', async () => {
    vendor.script({ kind: 'http-status', status: 502 });
    const { client, lines } = logged();
    await expect(client.importBatchCall(batch(1))).rejects.toThrow();
    expect(lines).toEqual([expect.stringMatching(/ status=502 retCode=- ms=\d+ result=CallbotUnknownOutcomeError outcome=unknown$/)]);

    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const refused = logged({ baseUrl: `http://127.0.0.1:${closedPort}`, retry: { ...noWait, maxAttempts: 2 } });
    await expect(refused.client.listTasks(listBody)).rejects.toThrow();
    expect(refused.lines).toEqual([
      expect.stringMatching(
        /^callbot op=listTask attempt=1 .* status=- retCode=- ms=\d+ result=CallbotConnectionError outcome=not-sent code=ECONNREFUSED retry=connection delayMs=\d+$/,
      ),
      expect.stringMatching(/^callbot op=listTask attempt=2 .* result=CallbotConnectionError outcome=not-sent code=ECONNREFUSED$/),
    ]);
  });

  it('takes an object with debug(); a logger that throws does not fail the call; logger: false logs nothing', async () => {
    const lines: string[] = [];
    const client = createCallbotClient({ ...account, baseUrl: vendor.url, logger: { debug: (line: string) => lines.push(line) } });
    vendor.script(emptyList);
    await client.listTasks(listBody);
    expect(lines).toEqual([expect.stringMatching(/^callbot op=listTask attempt=1 /)]);
    const throwing = createCallbotClient({
      ...account,
      baseUrl: vendor.url,
      logger: () => {
        throw new Error('disk full');
      },
    });
    await expect(throwing.listTasks(listBody)).resolves.toMatchObject({ retCode: 0 });
    expect(() => createCallbotClient({ ...account, logger: {} as never })).toThrow(TypeError);
  });

  it('never a secret: no line of successful, retried or failed calls holds the secretKey, a sign or the signature base', async () => {
    const { client, lines } = logged({ algorithm: 'SHA256' });
    vendor.script(busy, { answer: accepted() });
    await client.importBatchCall(batch(2));
    for (const behaviour of [{ kind: 'tamper-body' }, { kind: 'wrong-echo' }, { kind: 'http-status', status: 401 }, busy] as Behaviour[]) {
      vendor.script(behaviour);
      await client.importBatchCall(batch(1)).catch(() => {});
    }
    vendor.script(emptyList);
    await client.listTasks(listBody);
    await client.listTasks(listBody, { signal: AbortSignal.abort() }).catch(() => {});
    const signs = vendor.received.map((r) => String(r.headers.sign));
    expect(lines.length).toBeGreaterThanOrEqual(vendor.received.length);
    expect(signs.length).toBeGreaterThan(6);
    for (const line of lines) {
      expect(line).not.toContain(account.secretKey);
      expect(line).not.toContain('&body=');
      for (const sign of signs) expect(line).not.toContain(sign);
    }
  });
});

describe('CALLBOT_LOG=debug, no logger: stderr', () => {
  // A consumer of the built package, as a program of its own (the environment is read at creation).
  const consumer = (logger: string) => `
    import { createCallbotClient } from ${JSON.stringify(pathToFileURL(fromRoot('dist', 'index.js')).href)};
    const client = createCallbotClient({ uuid: ${JSON.stringify(account.uuid)}, secretKey: ${JSON.stringify(account.secretKey)}, baseUrl: process.argv[1]${logger} });
    const answer = await client.listTasks({ queryConditions: {}, page: 1, size: 10 });
    process.stdout.write(answer.requestID);
  `;
  const runConsumer = (env: Record<string, string>, logger = '') =>
    run(process.execPath, ['--input-type=module', '-e', consumer(logger), vendor.url], { env: { ...process.env, ...env }, timeout: 20_000 });

  it('writes one line per attempt to stderr', async () => {
    vendor.script(emptyList);
    const { stdout, stderr } = await runConsumer({ CALLBOT_LOG: 'debug' });
    expect(stderr).toMatch(new RegExp(`^callbot op=listTask attempt=1 requestID=${stdout} status=200 retCode=0 ms=\\d+ result=ok\\n$`));
    expect(stderr).not.toContain(account.secretKey);
  });

  it('writes nothing without it, or with logger: false', async () => {
    vendor.script(emptyList);
    const env = { ...process.env };
    delete env.CALLBOT_LOG;
    const quiet = await run(process.execPath, ['--input-type=module', '-e', consumer(''), vendor.url], { env, timeout: 20_000 });
    expect(quiet.stderr).toBe('');
    const silenced = await runConsumer({ CALLBOT_LOG: 'debug' }, ', logger: false');
    expect(silenced.stderr).toBe('');
  });
});
