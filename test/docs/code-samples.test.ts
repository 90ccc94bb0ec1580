import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from 'callbot-test-kit/browser';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { bundledSpec, type JsonObject } from 'callbot-test-kit/spec';

// The docs' code samples (x-codeSamples, `$ref`ed from openapi/paths/ to examples/operations/) are
// programs a reader can copy: every operation has one, the docs site shows it, it type-checks
// and it runs against the mock with the defaults it reads from the environment.

const run = promisify(execFile);
const samples = fromRoot('examples', 'operations');
const operations = Object.values<JsonObject>(bundledSpec.paths).map((item) => item.post as JsonObject);
const operationIds = operations.map((op) => String(op.operationId));

// The order a reader would run them in: the task is created, filled, changed and read; the
// operations that need state find what the earlier samples made (task example-task, orders
// example-order-1…3).
const RUN_ORDER = [
  ['ping', /^ping: code 0, data hello$/m],
  ['createTask', /^created example-task \(requestID [0-9a-f]{32}\)$/m],
  ['updateTask', /^updated example-task/m],
  ['importBatchCall', /^imported 2 of 2; refused: \[\]$/m],
  ['addBatchCall', /"successCount":1/],
  ['stopOrder', /^stopped .*"successCount":1/m],
  ['mgrTaskStatus', /^started example-task/m],
  ['listTask', /^example-task 2 /m],
  ['listOrder', /^example-order-1 8615612345678 /m],
  ['listCall', /^example-task: \d+ calls on this page$/m],
  ['listOrderDetail', /"orderID": "example-order-1"/],
  ['exportBatchCall', /"totalCount": 3/],
  ['createAndCall', /^created example-task-2 with its orders/m],
] as const;

describe('examples/operations/', () => {
  it('has a TypeScript sample for every operation of the spec, and the run order names each once', () => {
    expect(operationIds).toHaveLength(13);
    expect(RUN_ORDER.map(([id]) => id).sort()).toEqual([...operationIds].sort());
    const files = readdirSync(samples).filter((f) => f.endsWith('.ts'));
    expect(files.sort()).toEqual(operationIds.map((id) => `${id}.ts`).sort());
  });

  it.each(operations.map((op) => [String(op.operationId), op] as const))('the bundled spec carries %s.ts (and its .sh, if any) as x-codeSamples', (id, op) => {
    const codeSamples = op['x-codeSamples'] as { lang: string; label: string; source: string }[];
    const want = [{ lang: 'TypeScript', label: 'callbot-contract', source: readFileSync(join(samples, `${id}.ts`), 'utf8') }];
    const shell = join(samples, `${id}.sh`);
    if (existsSync(shell)) want.push({ lang: 'Shell', label: 'callbot', source: readFileSync(shell, 'utf8') });
    expect(codeSamples).toEqual(want);
    expect(codeSamples[0]?.source).toContain("from 'callbot-contract'");
  });

  it('type-checks (tsc with the repository settings, over the samples alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbot-samples-tsc-'));
    const config = join(dir, 'tsconfig.json');
    // `types: ["node"]` is looked up from the config's folder: point it at the repository's.
    const compilerOptions = { typeRoots: [fromRoot('node_modules', '@types')] };
    writeFileSync(config, JSON.stringify({ extends: fromRoot('tsconfig.json'), compilerOptions, include: [join(samples, '*.ts')] }));
    const tsc = fromRoot('node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', config, '--noEmit'], { cwd: fromRoot() }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe('');
  }, 120_000);

  describe('runs against the mock, each as its own program (jiti), in RUN_ORDER', () => {
    let mock: MockProcess;
    beforeAll(async () => {
      mock = await startMockProcess(['--no-callbacks', '--quiet']);
    });
    afterAll(() => mock?.stop());

    for (const [id, expected] of RUN_ORDER) {
      it(`${id}.ts`, async () => {
        const { CALLBOT_UUID: _u, CALLBOT_SECRET_KEY: _s, CALLBOT_TASK_ID: _t, CALLBOT_NEW_TASK_ID: _n, ...env } = process.env;
        const { stdout } = await run(fromRoot('node_modules', '.bin', 'jiti'), [join(samples, `${id}.ts`)], {
          cwd: fromRoot(),
          env: { ...env, CALLBOT_BASE_URL: mock.url },
          timeout: 60_000,
        });
        expect(stdout).toMatch(expected);
      }, 90_000);
    }
  });
});

const requireBrowser = process.env.CI === 'true' || haveChromium;

describe.runIf(requireBrowser)('the docs site shows the TypeScript sample beside every operation', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(() => browser?.close());

  it.each(operations.map((op) => [String(op.operationId), String((op.tags as string[])[0])] as const))('%s', async (id, tag) => {
    await page.goto(`${pathToFileURL(fromRoot('generated', 'docs', 'index.html')).href}#/${tag.toLowerCase()}/${id.toLowerCase()}`);
    // The sample's first line, as the code panel shows it (the default tab is the first language).
    const firstLine = readFileSync(join(samples, `${id}.ts`), 'utf8').split('\n')[0]!;
    await page.getByText(firstLine, { exact: true }).first().waitFor({ timeout: 30_000 });
    expect(await page.locator('body').innerText()).toContain('createCallbotClient');
  });
});
