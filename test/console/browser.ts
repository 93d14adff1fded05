/**
 * @module The Chromium harness of the console's browser tests: a spawned `yunbox serve` on the
 * manual clock, a headless Chromium page signed in by the steps themselves, screenshots of each
 * step in test-artifacts/console/ (checked for stack traces), and the explorer's form driven
 * through its controls. One per test file (module state: vitest gives each file its own).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM}`);
export const SHOTS = join(REPO_ROOT, 'test-artifacts', 'console');
// What a stack trace looks like in text: `    at fn (file.js:1:2)`, file positions, node internals.
const STACK = /\n\s+at \S+ \(|\bat \S+:\d+:\d+|node:internal|\.ts:\d+:\d+/;

let server: ServeProcess;
let dir: string;
let browser: Browser;
let page: Page;
let shot = 0;
/** Errors the page raised or logged (4xx "Failed to load resource" lines excepted). */
export const pageErrors: string[] = [];

let shotPrefix = '';

/**
 * Starts the server (with `root` as its root AccessKey) and Chromium; removes this file's earlier
 * screenshots first (`NN-name.png`, or with `shotPrefix`, `<shotPrefix>NN-name.png`), leaving
 * those of other files sharing the folder.
 */
export async function openConsole(
  root: { accessKeyId: string; accessKeySecret: string },
  opts: { shotPrefix?: string } = {},
): Promise<{ server: ServeProcess; page: Page }> {
  shotPrefix = opts.shotPrefix ?? '';
  await mkdir(SHOTS, { recursive: true });
  // Only this file's earlier screenshots go: another file may be writing its own beside them.
  const mine = shotPrefix
    ? (f: string) => f.startsWith(shotPrefix)
    : (f: string) => /^\d\d-/.test(f);
  for (const f of await readdir(SHOTS)) if (mine(f)) await rm(join(SHOTS, f), { force: true });
  dir = await mkdtemp(join(tmpdir(), 'yunbox-console-'));
  server = await serveIn(dir, { metadata: true, manualClock: true, root });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  const context = await browser.newContext({
    // A newcomer's laptop: every view is looked at, and laid out, at 1280 px.
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: server.endpoint,
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The browser logs every 4xx it receives; denials and refusals are expected here.
  page.on(
    'console',
    (m) =>
      m.type() === 'error' &&
      !m.text().startsWith('Failed to load resource') &&
      pageErrors.push(m.text()),
  );
  return { server, page };
}

/** Closes Chromium, stops the server, removes its data directory. */
export async function closeConsole(): Promise<void> {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * A full-page screenshot of the current step, numbered; the page shows no stack trace and fits
 * the window's width (nothing to scroll sideways for).
 */
export async function snap(name: string): Promise<void> {
  shot += 1;
  await page.screenshot({
    path: join(SHOTS, `${shotPrefix}${String(shot).padStart(2, '0')}-${name}.png`),
    fullPage: true,
  });
  const widths = await page.evaluate(() => {
    const d = (globalThis as any).document.documentElement;
    return { page: d.scrollWidth as number, window: d.clientWidth as number };
  });
  expect(widths.page, `${name}: the page is wider than the window`).toBeLessThanOrEqual(
    widths.window,
  );
  expect(await page.content()).not.toMatch(STACK);
}

/** Opens the explorer on `product`/`op` and fills the form's fields through their controls. */
export async function explore(
  product: string,
  op: string,
  values: Record<string, string | string[]>,
) {
  await page.goto(`${server.endpoint}/_yunbox/console/#/explorer`);
  await page.selectOption('#explorer-product', product);
  await page.selectOption('#explorer-operation', op);
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`.field[data-param="${name}"]`);
    // A field under "more fields" is filled as a user would: its group opened first.
    await field.evaluate((f) => {
      const group = f.closest('details');
      if (group && !group.open) group.querySelector('summary')?.click();
    });
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) {
        if (i > 0) await field.getByRole('button', { name: `Add ${name} item` }).click();
        await field.locator('.list-editor input').nth(i).fill(v);
      }
    } else if ((await field.locator('select').count()) > 0) {
      await field.locator('select').selectOption(value);
    } else {
      await field.locator('input, textarea').first().fill(value);
    }
  }
}

/**
 * The texts of the elements `selector` finds that are laid out on more than one line (their
 * contents' boxes sit at more than one height): `[]` when each is on one line.
 */
export async function wrapped(selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) =>
    els
      .filter((e) => {
        const w = globalThis as any;
        const range = w.document.createRange();
        range.selectNodeContents(e);
        const tops = [...range.getClientRects()]
          .filter((r: any) => r.width > 0)
          .map((r: any) => r.top as number)
          .sort((a, b) => a - b);
        const line = parseFloat(w.getComputedStyle(e).fontSize) * 0.8;
        return tops.some((t, i) => i > 0 && t - tops[i - 1]! > line);
      })
      .map((e) => (e.textContent ?? '').trim()),
  );
}

/** Clicks the clock bar's "+1 min" and waits until the page shows the moved clock. */
export async function advanceOneMinute(): Promise<void> {
  const clockAt = async () =>
    Date.parse((await page.locator('#server-clock').getAttribute('datetime'))!);
  const before = await clockAt();
  await page.click('button:has-text("+1 min")');
  await expect.poll(clockAt, { timeout: 10_000 }).toBe(before + 60_000);
}

/** Sends the explorer's form; the status shown and the response body. */
export async function send(): Promise<{ status: number; body: any; text: string }> {
  await page.click('#explorer-send');
  const status = page.locator('.result .status');
  await status.waitFor();
  const text = (await page.locator('.result details pre').first().textContent()) ?? '';
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(await status.getAttribute('data-status')), body, text };
}
