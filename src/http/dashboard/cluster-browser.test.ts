// The dashboard's cluster panel in Chromium: two gateways on one real redis-server (as two instances
// are); the overview of one names it, counts both alive, says Redis is up and the quota gauges are
// cluster-wide, and sums both instances' lookups. Outside cluster mode there is no panel
// (browser.test.ts). Skips with a note without chromium or redis-server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { MockServer } from '../../mock/index.js';
import { redisUnavailableReason, startRedisServer, type TestRedisServer } from '../../test-support/redis-server.js';
import { launchChromium, screenshotDir, signedIn, skipWithoutChromium } from '../test-support/browser.js';
import { call, firstAdminToken, startTestServer, type TestServer } from '../test-support/harness.js';
import { startUpstream, upstreamEnv } from '../test-support/upstream.js';

const skip = skipWithoutChromium || redisUnavailableReason() || false;

describe('the dashboard in cluster mode', { skip }, () => {
  let mock: MockServer;
  let redis: TestRedisServer;
  let a: TestServer;
  let b: TestServer;
  let browser: Browser;
  let shots = '';

  before(async () => {
    shots = await screenshotDir('cluster');
    mock = await startUpstream();
    redis = await startRedisServer();
    const env = (id: string) => upstreamEnv(mock, { REDIS_URL: redis.url, VTG_INSTANCE_ID: id, VTG_CLUSTER_LEASE: '2' });
    a = await startTestServer({ env: env('dash-a') });
    b = await startTestServer({ env: env('dash-b') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
    await redis?.stop();
    await mock?.close();
  });

  test('the overview shows the instances alive, this one, Redis, the quota scope and the cluster-wide sums', async () => {
    // lookups on the other instance only: the panel's sums include them, this instance's own figures do not
    for (const d of ['one', 'two', 'three']) assert.equal((await call(b.url, `/api/domains/${d}.cluster-dash.example`)).status, 200);
    const { context, page } = await signedIn(browser, a.url, await firstAdminToken(a.url));
    await page.waitForSelector('#cluster');
    assert.equal(await page.textContent('#cluster-instance-id'), 'dash-a');
    assert.equal(await page.textContent('#cluster-redis'), 'Redis ready');
    // b's heartbeat carries its counters; the overview event redraws every 2 s
    await page.waitForFunction("document.querySelector('#cluster-instances')?.textContent === '2' && Number(document.querySelector('#cluster-lookups')?.textContent) >= 3", undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#cluster')) ?? '', /dash-b/);
    assert.equal(await page.getAttribute('#cluster-quota-scope', 'data-scope'), 'cluster');
    assert.match((await page.textContent('#cluster-quota-scope')) ?? '', /cluster-wide/);
    assert.match((await page.textContent('section[aria-label="VirusTotal quota"] .quota-scope')) ?? '', /cluster-wide/);
    assert.match((await page.textContent('#since-start')) ?? '', /This instance \(dash-a\)/);
    for (const id of ['cluster-hit-ratio', 'cluster-calls-saved', 'cluster-upstream-calls', 'cluster-joins', 'cluster-429', 'cluster-errors']) {
      assert.equal(await page.locator(`#${id}`).count(), 1, id);
    }
    assert.ok(Number(await page.textContent('#cluster-upstream-calls')) >= 3, "b's upstream calls are in the sums");
    await page.screenshot({ path: join(shots, 'cluster-overview.png'), fullPage: true });
    await context.close();
  });
});
