// Debian's Chromium through playwright-core, as every dashboard browser test drives it: headless, no
// sandbox, no background networking. `haveChromium` is false (with a printed note) when it is absent.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`# browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
export const skipWithoutChromium = haveChromium ? false : `${CHROMIUM} is not installed`;

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A temp folder for a test file's screenshots (its path is printed). */
export async function screenshotDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `vtg-dashboard-${label}-`));
  console.log(`# dashboard screenshots: ${dir}`);
  return dir;
}

/** A new browser context signed in to the dashboard at `url` with `token`. */
export async function signedIn(browser: Browser, url: string, token: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${url}/`);
  await page.fill('input[name="token"]', token);
  await page.press('input[name="token"]', 'Enter');
  await page.waitForSelector('#nav a[data-id="overview"]');
  return { context, page };
}
