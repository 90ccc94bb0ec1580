import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from 'callbot-test-kit/browser';
import { fromRoot, testOutput } from 'callbot-test-kit/paths';
import { bundledSpec, type JsonObject } from 'callbot-test-kit/spec';

// Redoc's routes: `#/<tag>/<operationId>` for an operation, `#/callbacks/<name>` for a webhook (lower case).
const operationRoutes = Object.entries<JsonObject>(bundledSpec.paths).map(([path, item]) => {
  const op = item.post as JsonObject;
  return [`/${String(op.tags[0]).toLowerCase()}/${String(op.operationId).toLowerCase()}`, path, op.summary as string, Object.keys(op.callbacks ?? {})] as const;
});
const webhookRoutes = Object.entries<JsonObject>(bundledSpec.webhooks).map(
  ([name, item]) => [`/callbacks/${name.toLowerCase()}`, item.post.summary as string] as const,
);

// In CI chromium is installed by .ci/run; a developer machine without it must not pass silently.
const requireBrowser = process.env.CI === 'true' || haveChromium;

describe.runIf(requireBrowser)('the docs site renders offline in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const outsideRequests: string[] = [];
  const docsUrl = (route: string) => `${pathToFileURL(fromRoot('generated', 'docs', 'index.html')).href}#${route}`;
  const pageText = () => page.locator('body').innerText();

  beforeAll(async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // Every request that would leave the machine is recorded and refused: the page must not need one.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (/^(file|data|blob|about):/.test(url)) return route.continue();
      outsideRequests.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    mkdirSync(testOutput(), { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the operation with its headers and the retCode table', async () => {
    await page.goto(docsUrl('/batch/importbatchcall'));
    await page.getByText('/callcentre/api/v3/importBatchCall').first().waitFor({ timeout: 30_000 });
    const text = await pageText();
    expect(text).toContain("Import a call list as the task's newest batch");
    for (const header of ['algorithm', 'Content-Encoding', 'requestID', 'uuid', 'createTs', 'sign']) expect(text).toContain(header);
    for (const row of ['批次导入进行中,不可导入导出', '签名错误丢失', '服务器维护', 'BatchImportInProgress', '4001']) expect(text).toContain(row);
    expect(text).toMatch(/Callbacks/);
    await page.screenshot({ path: testOutput('docs-operation.png') });
  });

  it('shows the signature algorithm and its worked example in the security details', async () => {
    await page.getByText('View security details').first().click();
    await expect.poll(pageText).toContain('<secretKey>&body=<body>&createTs=<createTs>&requestID=<requestID>&uuid=<uuid>');
    expect(await pageText()).toContain('EF8C2D6438591DEA7E79D53F04982B99');
    await page.screenshot({ path: testOutput('docs-security.png') });
  });

  it.each([
    ['orderfinished', 'Receive the order-finished callback'],
    ['callfinished', 'Receive the call-finished callback'],
  ])('renders the %s callback with its payload', async (route, title) => {
    await page.goto(docsUrl(`/callbacks/${route}`));
    await page.getByText(title).first().waitFor({ timeout: 30_000 });
    const text = await pageText();
    expect(text).toContain('callInfoDetail');
    expect(text).toContain('callbackType');
  });

  it('finds every operation (13) and every webhook (3) of the spec', () => {
    expect(operationRoutes).toHaveLength(13);
    expect(webhookRoutes.map(([route]) => route).sort()).toEqual(['/callbacks/callfinished', '/callbacks/orderfinished', '/callbacks/taskstatuschanged']);
  });

  it.each(operationRoutes)('renders the operation at #%s (%s): summary, signed headers, callbacks', async (route, path, summary, callbacks) => {
    await page.goto(docsUrl(route));
    await page.getByText(path).first().waitFor({ timeout: 30_000 });
    // The route really selects this operation: its own section is in the page.
    await page.locator(`[href="#${route}"]`).first().waitFor({ state: 'attached', timeout: 30_000 });
    const text = await pageText();
    expect(text).toContain(summary);
    for (const header of ['algorithm', 'requestID', 'createTs', 'sign']) expect(text).toContain(header);
    expect(text).toContain('Responses');
    // Each declared callback is listed under the operation (Redoc links it as …/callbacks/<name>/post).
    for (const name of callbacks) {
      await page
        .locator(`[href="#${route}#${route.slice(1)}/callbacks/${name.toLowerCase()}/post"]`)
        .first()
        .waitFor({ state: 'attached', timeout: 30_000 });
    }
    if (callbacks.length > 0) expect(text).toContain('Callbacks');
  });

  it.each(webhookRoutes)('renders the webhook at #%s (%s) with its payload', async (route, title) => {
    await page.goto(docsUrl(route));
    await page.getByText(title).first().waitFor({ timeout: 30_000 });
    const text = await pageText();
    expect(text).toContain('callbackType');
    expect(text).toContain(route.endsWith('taskstatuschanged') ? 'taskStat' : 'callInfoDetail');
  });

  it('the task-status callback shows its taskStatus values and taskStat', async () => {
    await page.goto(docsUrl('/callbacks/taskstatuschanged'));
    await page.getByText('Receive the task-status callback').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: testOutput('docs-task-callback.png') });
    const text = await pageText();
    for (const word of ['userTaskID', 'taskStatus', 'taskStat', 'sceneID']) expect(text).toContain(word);
  });

  it('logged no console errors and sent no request off the machine', () => {
    expect(consoleErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });
});
