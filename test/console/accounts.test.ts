/**
 * The console's accounts view in a real browser (headless Chromium, playwright-core) against a
 * spawned `yunbox serve`: the first account's root sees its account, creates another and is shown
 * that account's root AccessKey once; the new account's root signs in and is refused the view,
 * with the server's explanation. Screenshots go to test-artifacts/console/accounts-*.png. Skipped,
 * saying why, where Chromium is absent (CI installs it).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, closeConsole, HAVE_CHROMIUM, openConsole, pageErrors, snap } from './browser.js';

const ROOT = {
  accessKeyId: 'LTAIconsoleaccounts01',
  accessKeySecret: 'ConsoleAccountsRootSecret00001',
};

let page: Page;
let endpoint: string;

beforeAll(async () => {
  if (HAVE_CHROMIUM) {
    const opened = await openConsole(ROOT, { shotPrefix: 'accounts-' });
    page = opened.page;
    endpoint = opened.server.endpoint;
  }
});
afterAll(closeConsole);

async function signIn(id: string, secret: string): Promise<void> {
  await page.goto(`${endpoint}/_yunbox/console/`);
  await page.evaluate(() => (globalThis as any).sessionStorage.clear());
  await page.goto(`${endpoint}/_yunbox/console/`);
  await page.fill('input[name=accessKeyId]', id);
  await page.fill('input[name=accessKeySecret]', secret);
  await page.click('button[type=submit]');
  await page.locator('#explorer-product').waitFor();
}

describe.skipIf(!HAVE_CHROMIUM)(
  `accounts in the console${HAVE_CHROMIUM ? '' : ` (skipped: no Chromium at ${CHROMIUM}; .ci/run installs it)`}`,
  () => {
    let created: { id: string; secret: string };

    it('lists the first account and creates another, showing its root key once', async () => {
      await signIn(ROOT.accessKeyId, ROOT.accessKeySecret);
      await page.click('nav a[data-route="/accounts"]');
      await expect.poll(() => page.locator('table').textContent()).toContain('default');
      await page.fill('input[name=AccountName]', 'team-b');
      await page.click('form[aria-label="create an account"] button[type=submit]');
      const shown = page.locator('section.secret-once');
      await shown.waitFor();
      const codes = await shown.locator('code').allTextContents();
      expect(codes[0]).toMatch(/^LTAI/);
      expect(codes[1]!.length).toBeGreaterThanOrEqual(30);
      await expect.poll(() => page.locator('table').textContent()).toContain('team-b');
      const heading = (await shown.locator('h3').textContent()) ?? '';
      created = { id: codes[0]!, secret: codes[1]! };
      expect(heading).toMatch(/^Account \d{16} \(team-b\) created$/);
      await snap('created');
    });

    it("refuses another account's root the view, saying why", async () => {
      await signIn(created.id, created.secret);
      await page.click('nav a[data-route="/accounts"]');
      await expect.poll(() => page.locator('.error-box').textContent()).toContain('Forbidden.RAM');
      expect(await page.locator('.error-box').textContent()).toContain('Only the first account');
      await snap('refused');
      expect(pageErrors).toEqual([]);
    });
  },
);
