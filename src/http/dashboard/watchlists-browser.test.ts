// The dashboard's watchlists and overview in Chromium: add a list, see its members, watch a member's
// verdict change appear live (server-sent events, no reload), remove a member, delete the list; what
// a reader sees; the forecast on a phone and when the daily quota runs out before its reset.
// Screenshots in a temp folder (printed). Skips with a note when /usr/bin/chromium is absent.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { FakeClock } from '../../clock/index.js';
import type { MockServer } from '../../mock/index.js';
import { launchChromium, screenshotDir, signedIn, skipWithoutChromium } from '../test-support/browser.js';
import { call, firstAdminToken, startTestServer, type TestServer } from '../test-support/harness.js';
import { startUpstream, upstreamEnv } from '../test-support/upstream.js';

describe('watchlists and live changes in a browser', { skip: skipWithoutChromium }, () => {
  let mock: MockServer;
  let t: TestServer;
  let browser: Browser;
  let admin = '';
  let shots = '';

  before(async () => {
    shots = await screenshotDir('watchlists');
    mock = await startUpstream();
    t = await startTestServer({ env: upstreamEnv(mock) });
    admin = await firstAdminToken(t.url);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await mock?.close();
  });

  test('add a watchlist, see a member verdict change live, remove a member, delete the list', async () => {
    const domain = 'flips.example.com';
    mock.setVerdict('domain', domain, { harmless: 60 });
    assert.equal((await call(t.url, `/api/lookup?q=${domain}`, { token: admin })).body.report.verdict, 'harmless');

    const { context, page } = await signedIn(browser, t.url, admin);
    await page.click('#nav a[data-id="watchlists"]');
    await page.waitForSelector('text=No watchlists yet.');
    await page.fill('input[name="name"]', 'campaign-x');
    await page.fill('textarea[name="indicators"]', `${domain}\n8.8.8.8\nnot an indicator`);
    await page.selectOption('select[name="every"]', { label: '12h' });
    await page.click('text=Add to watchlist');
    await page.waitForSelector('#watch-out >> text=2 added to campaign-x');
    assert.match((await page.textContent('#watch-out')) ?? '', /1 not indicators: not an indicator/);
    assert.match((await page.textContent('tr[data-list="campaign-x"]')) ?? '', /campaign-x\s*2\s*12h/);
    const row = page.locator(`tr[data-member="domain:${domain}"]`);
    await row.waitFor();
    assert.equal((await row.locator('.last-change').textContent())?.trim(), 'none');

    // the verdict flips upstream; a fresh lookup by a script records the change, the open page shows it
    mock.setVerdict('domain', domain, { malicious: 20 });
    assert.equal((await call(t.url, `/api/domains/${domain}?maxAge=0`, { token: admin })).body.report.verdict, 'malicious');
    await page.waitForSelector(`tr[data-member="domain:${domain}"] .last-change >> text=harmless → malicious`, { timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'watchlist-live-change.png'), fullPage: true });

    await page.click(`button[aria-label="Remove ${domain} from campaign-x"]`);
    await row.waitFor({ state: 'detached' });
    assert.equal((await call(t.url, '/api/watchlists/campaign-x', { token: admin })).body.items.length, 1);

    page.once('dialog', (d) => d.accept());
    await page.click('button[aria-label="Delete watchlist campaign-x"]');
    await page.waitForSelector('text=No watchlists yet.');
    assert.equal((await call(t.url, '/api/watchlists/campaign-x', { token: admin })).status, 404);

    // the Changes section lists it too
    await page.click('#nav a[data-id="changes"]');
    await page.waitForSelector(`#changes >> text=${domain}`);
    await context.close();
  });

  test('the forecast reads as a sentence on a phone, without sideways scroll', async () => {
    const { context, page } = await signedIn(browser, t.url, admin, { width: 375, height: 740 });
    await page.waitForSelector('#forecast-line');
    // today's figures come from the store (UTC day); this server made at least the two lookups above
    assert.ok(Number(await page.textContent('#calls-today')) >= 2, (await page.textContent('#today')) ?? '');
    assert.match((await page.textContent('#forecast-line')) ?? '', /calls per hour\) the daily quota/);
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 0, `the overview scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(shots, 'phone-forecast.png'), fullPage: true });
    await context.close();
  });

  test('a reader sees the lists and their members, without the forms and buttons that change them', async () => {
    const json = (body: unknown) => ({ method: 'POST', token: admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await call(t.url, '/api/watchlists', json({ name: 'team-b', indicators: ['example.net'] }))).status, 201);
    const reader = (await call(t.url, '/api/tokens', json({ name: 'viewer', role: 'reader' }))).body.token;
    const { context, page } = await signedIn(browser, t.url, reader);
    await page.goto(`${t.url}/#/watchlists/team-b`);
    await page.waitForSelector('tr[data-member="domain:example.net"]');
    assert.equal(await page.locator('#watch-form').count(), 0);
    assert.equal(await page.locator('main button').count(), 0, 'no Delete or Remove buttons');
    assert.equal((await call(t.url, '/api/watchlists/team-b', { method: 'DELETE', token: reader })).status, 403);
    await page.screenshot({ path: join(shots, 'watchlist-reader.png'), fullPage: true });
    await context.close();
  });

  test('a daily quota that runs out before its reset is called out, with the time it runs out', async () => {
    // 01:00 UTC of today: the pace (3 calls in the last 6 hours) runs the day out before its reset at
    // midnight whatever the hour the suite runs (on the real clock it did not after about 12:00 UTC)
    const today = new Date();
    const clock = new FakeClock(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 1));
    const tight = await startTestServer({ clock, env: upstreamEnv(mock, { VTG_VT_LIMITS: 'minute=6000,hour=100000,day=10,month=1000000' }) });
    try {
      for (const d of ['a.example.com', 'b.example.com', 'c.example.com']) assert.equal((await call(tight.url, `/api/lookup?q=${d}`)).status, 200);
      const f = (await call(tight.url, '/api/quota/forecast')).body;
      const day = f.windows.find((w: { window: string }) => w.window === 'day');
      assert.ok(day.exhaustsAt, JSON.stringify(day));
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${tight.url}/`);
      assert.match((await page.locator('#forecast-line').textContent()) ?? '', /^At the recent pace \([\d.]+ calls per hour\) the daily quota runs out at (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC, before its reset at/);
      assert.match((await page.textContent('li[data-window="day"]')) ?? '', /daily: \d of 10 left; runs out .*, before its reset .*, with 0 to spare\./);
      await page.screenshot({ path: join(shots, 'forecast-runs-out.png'), fullPage: true });
      await context.close();
    } finally {
      await tight.close();
    }
  });
});
