import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from 'callbot-test-kit/browser';
import { type MockProcess, startMockProcess } from 'callbot-test-kit/mock-process';
import { fromRoot } from 'callbot-test-kit/paths';
import { bundledSpec, type JsonObject } from 'callbot-test-kit/spec';

// Issue 21's rough edges of the docs site, each checked where a reader meets it: in Chromium at
// 1400 px, over the mock's /docs/ and from the file `callbot docs` prints.

it('no server description has a backtick (Redoc shows them as plain text, backticks and all)', () => {
  const descriptions = (bundledSpec.servers as JsonObject[]).map((server) => String(server.description));
  expect(descriptions.length).toBeGreaterThan(0);
  expect(descriptions.filter((text) => text.includes('`'))).toEqual([]);
});

const requireBrowser = process.env.CI === 'true' || haveChromium;

describe.runIf(requireBrowser)('the docs site at 1400 px in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let mock: MockProcess;
  const fileUrl = (route: string) => `${pathToFileURL(fromRoot('generated', 'docs', 'index.html')).href}#${route}`;

  beforeAll(async () => {
    [browser, mock] = await Promise.all([launchChromium(), startMockProcess(['--no-callbacks', '--quiet'])]);
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.stop();
  });

  async function openPage(url: string, waitFor: string): Promise<{ page: Page; consoleErrors: string[] }> {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} ${message.location().url}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(url);
    await page.getByText(waitFor).first().waitFor({ timeout: 30_000 });
    return { page, consoleErrors };
  }

  it('shows every column of the retCode table inside its panel (English and outcome were cut off)', async () => {
    const { page } = await openPage(fileUrl('/batch/importbatchcall'), 'BatchImportInProgress');
    const layout = await page.evaluate(() => {
      const table = [...document.querySelectorAll('table')].find((t) => t.querySelector('th')?.textContent?.trim() === 'retCode');
      if (!table) return undefined;
      const wrapper = table.parentElement as HTMLElement;
      const box = wrapper.getBoundingClientRect();
      return {
        scrolls: wrapper.scrollWidth > wrapper.clientWidth,
        headers: [...table.querySelectorAll('th')].map((th) => th.textContent?.trim() ?? ''),
        clipped: [...table.querySelectorAll('th')]
          .filter((th) => th.getBoundingClientRect().right > Math.min(box.right, window.innerWidth) + 0.5)
          .map((th) => th.textContent?.trim()),
      };
    });
    expect(layout?.headers).toEqual(['retCode', 'name', '中文', 'English', 'outcome (x-callbot-outcomes)']);
    expect(layout?.clipped).toEqual([]);
    expect(layout?.scrolls).toBe(false);
    await page.close();
  });

  it("loads the mock's /docs/ without a console error (no /favicon.ico 404)", async () => {
    const { page, consoleErrors } = await openPage(`${mock.url}/docs/#/health/ping`, '/callcentre/api/v3/ping');
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it("the API page's link to the contract changes (issue 22) opens the changes page, with the version, without a console error", async () => {
    const { page, consoleErrors } = await openPage(`${mock.url}/docs/#/health/ping`, '/callcentre/api/v3/ping');
    const link = page.locator('#callbot-changes');
    await expect(link.textContent()).resolves.toMatch(/^callbot-contract \d+\.\d+\.\d+ · \d+ contract changes since \d+\.\d+\.\d+$/);
    await link.click(); // fixed in the corner: clickable over Redoc's panels
    await page.getByRole('heading', { name: /^Contract changes since / }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#version').textContent()).toMatch(/^\d+\.\d+\.\d+$/);
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it("loads the mock's own index page (/) without a console error either", async () => {
    const { page, consoleErrors } = await openPage(`${mock.url}/`, 'Callbot v3 mock');
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('search excerpts keep the space at a line break of the description', async () => {
    const { page } = await openPage(fileUrl('/health/ping'), '/callcentre/api/v3/ping');
    await page.getByText('Search', { exact: false }).first().click();
    await page.keyboard.type('dropped');
    // The Batch tag's description: "… the numbers of the\nprevious batch that were not dialed yet are dropped."
    const excerpt = page.getByText(/numbers of the\s?previous batch/).first();
    await excerpt.waitFor({ timeout: 30_000 });
    expect(await excerpt.innerText()).toMatch(/numbers of the previous batch/);
    await page.close();
  });
});
