// The dashboard in Debian's Chromium (playwright-core, headless): sign in, look up EICAR, run a batch,
// create and revoke a token, and a phone-sized viewport without horizontal scroll. Each test saves a
// screenshot in a temp folder (printed). Skips with a note when /usr/bin/chromium is absent.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshotDir, signedIn as signIn, skipWithoutChromium } from '../test-support/browser.js';
import { call, firstAdminToken, startTestServer, type TestServer } from '../test-support/harness.js';

const EICAR_SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';

describe('dashboard in a browser', { skip: skipWithoutChromium }, () => {
  let t: TestServer;
  let browser: Browser;
  let admin = '';
  let shots = '';

  before(async () => {
    shots = await screenshotDir('shots');
    t = await startTestServer();
    admin = await firstAdminToken(t.url);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> => signIn(browser, t.url, admin, viewport);

  test('sign in with a token and see the overview', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${t.url}/`);
    assert.equal(await page.locator('#nav').count(), 0, 'signed out: no dashboard');
    await page.fill('input[name="token"]', 'wrong');
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=unknown or revoked');
    await page.fill('input[name="token"]', admin);
    await page.click('button[type="submit"]');
    await page.waitForSelector('section[aria-label="VirusTotal quota"] .gauge');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'vtg_session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session?.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read the session');
    assert.match(await page.textContent('body') ?? '', /Mock mode/);
    for (const name of ['URLhaus', 'DShield', 'SPUR']) assert.equal(await page.locator(`section[aria-label="${name} quota"]`).count(), 1, name);
    await page.waitForSelector('#hit-ratio');
    // one process, no Redis: no cluster panel and no quota-scope tags (cluster-browser.test.ts has them)
    assert.equal(await page.locator('#cluster, .quota-scope').count(), 0, 'nothing about a cluster outside cluster mode');
    assert.match((await page.textContent('#since-start')) ?? '', /^This process, since/);
    // the forecast is a sentence and a table, not JSON
    const line = (await page.locator('#forecast-line').textContent()) ?? '';
    assert.match(line, /^At the recent pace \([\d.,]+ calls per hour\) the daily quota (lasts until its reset at (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC|runs out at)/);
    assert.match((await page.textContent('#harvest-line')) ?? '', /harvest/);
    assert.doesNotMatch((await page.textContent('#forecast')) ?? '', /[{}"]/);
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
    await context.close();
  });

  test('look up EICAR and see it malicious', async () => {
    const { context, page } = await signedIn();
    await page.click('#nav a[data-id="lookup"]');
    await page.fill('input[name="q"]', EICAR_SHA256);
    await page.press('input[name="q"]', 'Enter');
    const verdict = page.locator('.result .verdict-malicious');
    await verdict.waitFor();
    assert.equal((await verdict.textContent())?.trim(), 'malicious');
    assert.match((await page.textContent('#answered-from')) ?? '', /upstream|memory|sqlite|cache/);
    assert.equal(await page.locator(`a[href="https://www.virustotal.com/gui/file/${EICAR_SHA256}"]`).count(), 1, 'the VirusTotal permalink');
    await page.waitForSelector('text=Every source');
    await page.screenshot({ path: join(shots, 'lookup-eicar.png'), fullPage: true });
    // the indicator page: detections over time
    await page.click('text=detections over time');
    await page.waitForSelector('#chart canvas');
    await page.waitForSelector('#obs td');
    await page.waitForSelector('#related h2 >> text=Related indicators');
    await page.screenshot({ path: join(shots, 'indicator.png'), fullPage: true });
    await context.close();
  });

  test('start a batch after its dry-run cost and watch it finish', async () => {
    const { context, page } = await signedIn();
    await page.click('#nav a[data-id="batches"]');
    await page.fill('textarea[name="indicators"]', 'example.com\n8.8.8.8\nhxxp://evil[.]example/x\n44d88612fea8a8f36de82e1278abb02f');
    assert.equal(await page.isDisabled('#start'), true, 'the estimate comes first');
    await page.click('#estimate');
    await page.waitForSelector('#dry-run');
    assert.match((await page.textContent('#dry-run')) ?? '', /Dry run: 4 indicators.*upstream calls/);
    await page.click('#start');
    await page.waitForSelector('#jobs tr[data-job] .pill.completed', { timeout: 90_000 });
    assert.match((await page.textContent('#jobs tr[data-job]')) ?? '', /4 done, 0 failed of 4/);
    await page.screenshot({ path: join(shots, 'batches.png'), fullPage: true });
    await context.close();
  });

  test('create and revoke a token', async () => {
    const { context, page } = await signedIn();
    await page.click('#nav a[data-id="tokens"]');
    await page.fill('input[name="name"]', 'ci-pipeline');
    await page.selectOption('select[name="role"]', 'reader');
    await page.fill('input[name="dailyBudget"]', '100');
    await page.click('text=Create token');
    const token = (await page.locator('#new-token').textContent())?.trim() ?? '';
    assert.match(token, /\S{20,}/);
    assert.equal((await call(t.url, '/api/stats', { token })).status, 200, 'the new token works');
    await page.click('button[aria-label="Revoke ci-pipeline"]');
    await page.waitForSelector('tr[data-token="ci-pipeline"] td.state >> text=revoked');
    assert.equal((await call(t.url, '/api/stats', { token })).status, 401, 'the revoked token is refused');
    await page.screenshot({ path: join(shots, 'tokens.png'), fullPage: true });
    await context.close();
  });

  test('a phone-sized viewport has no horizontal scroll on any section', async () => {
    const { context, page } = await signedIn({ width: 375, height: 740 });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    for (const section of ['overview', 'lookup', 'search', 'batches', 'changes', 'watchlists', 'webhooks', 'tokens']) {
      await page.goto(`${t.url}/#/${section}`);
      await page.waitForSelector('main h1, main .error');
      assert.equal(await page.locator('main .error').count(), 0, `${section}: ${await page.textContent('main')}`);
      if (section === 'lookup') {
        await page.fill('input[name="q"]', EICAR_SHA256);
        await page.press('input[name="q"]', 'Enter');
        await page.waitForSelector('.result');
      }
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok(overflow <= 0, `${section} scrolls sideways by ${overflow}px`);
      if (section === 'search') await page.waitForSelector('#results p');
      if (section === 'overview' || section === 'lookup' || section === 'search') await page.screenshot({ path: join(shots, `phone-${section}.png`), fullPage: true });
    }
    // keyboard: the first Tab reaches the skip link, the next ones the sections
    assert.deepEqual(errors, [], 'no script errors');
    await page.reload();
    await page.waitForSelector('main h1');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content');
    await context.close();
  });
});
