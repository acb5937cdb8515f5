// When VirusTotal misbehaves: wait=false fails fast, an answer the gateway has is served stale rather
// than a 5xx, upstream statuses never leak through as the gateway's own, and a refused key is said so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EICAR_SHA256, startMock } from '../mock/index.js';
import { call, withUpstreamServer } from './test-support/harness.js';

const FAST_MS = 15_000; // "a few seconds", with room for a busy machine (it took 120 s before)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

describe('upstream faults', () => {
  const up = withUpstreamServer();

  /** Caches `indicator`, then lets it age past one second so that `?maxAge=1` finds it expired. */
  async function cachedAndAged(indicator: string): Promise<void> {
    up.mock.setFaults({});
    const first = await call(up.server.url, `/api/lookup/${indicator}`);
    assert.equal(first.status, 200, first.text);
    await sleep(1200);
  }

  test('wait=false with every upstream request hanging: an expired entry is served stale within seconds', async () => {
    await cachedAndAged('hang-stale.example.com');
    up.mock.setFaults({ timeoutRate: 1 });
    const { value: r, ms } = await timed(() => call(up.server.url, '/api/lookup/hang-stale.example.com?maxAge=1&wait=false'));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.stale, true);
    assert.ok(ms < FAST_MS, `took ${ms} ms`);
    up.mock.setFaults({});
  });

  for (const [name, faults] of [
    ['upstream 500', { errorRate: 1, errorStatus: 500 as const }],
    ['upstream 503', { errorRate: 1, errorStatus: 503 as const }],
    ['dropped connections', { dropRate: 1 }],
  ] as const) {
    test(`an expired entry with ${name}: the stale answer, marked stale`, async () => {
      const indicator = `stale-${name.replace(/\W+/g, '-')}.example.com`;
      await cachedAndAged(indicator);
      up.mock.setFaults(faults);
      const { value: r, ms } = await timed(() => call(up.server.url, `/api/lookup/${indicator}?maxAge=1`));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.stale, true);
      assert.ok(ms < FAST_MS, `took ${ms} ms`);
      up.mock.setFaults({});
    });

    test(`nothing cached with ${name}: a 502/503 with the gateway's own code, never the upstream's status`, async () => {
      up.mock.setFaults(faults);
      const r = await call(up.server.url, `/api/lookup/nothing-${name.replace(/\W+/g, '-')}.example.com`);
      assert.ok(r.status === 502 || r.status === 503, `${r.status} ${r.text}`);
      assert.match(r.body.error.code, /^Upstream/);
      const v3 = await call(up.server.url, `/api/v3/domains/nothing-v3-${name.replace(/\W+/g, '-')}.example.com`);
      assert.ok(v3.status === 502 || v3.status === 503, `${v3.status} ${v3.text}`);
      up.mock.setFaults({});
    });
  }
});

describe('a 429 storm (its own server: the storm pauses the key)', () => {
  const up = withUpstreamServer();

  test('wait=false in a 429 storm: a new indicator gets a 429 or 503 within seconds', async () => {
    up.mock.setFaults({ quotaStorm: true });
    const { value: r, ms } = await timed(() => call(up.server.url, '/api/lookup/storm-new.example.com?wait=false'));
    assert.ok(r.status === 429 || r.status === 503, `${r.status} ${r.text}`);
    assert.ok(ms < FAST_MS, `took ${ms} ms`);
    assert.ok(Number(r.headers.get('retry-after')) > 0, 'says when to retry');
  });
});

describe('a key the upstream refuses', () => {
  // the simulator accepts only another key: ours gets 401 WrongCredentialsError
  const up = withUpstreamServer({ mock: () => startMock({ profile: 'premium', keys: ['some-other-key-0000'] }) });

  test('every lookup is 502 UpstreamAuthError (a VT WrongCredentialsError body on /api/v3), and quota and health say unhealthy', async () => {
    for (const indicator of ['refused-1.example.com', 'refused-2.example.com', 'refused-1.example.com']) {
      const r = await call(up.server.url, `/api/lookup/${indicator}`);
      assert.equal(r.status, 502, r.text);
      assert.equal(r.body.error.code, 'UpstreamAuthError');
      assert.doesNotMatch(r.text, /Infinity|NaN/);
    }
    const v3 = await call(up.server.url, `/api/v3/files/${EICAR_SHA256}`, { token: 'ignored-in-open-mode' });
    assert.equal(v3.status, 502, v3.text);
    assert.equal(v3.body.error.code, 'WrongCredentialsError');
    const quota = await call(up.server.url, '/api/quota');
    assert.equal(quota.body.keyHealthy, false);
    assert.equal(quota.body.status, 'unhealthy');
    const health = await call(up.server.url, '/api/health');
    assert.equal(health.body.status, 'unhealthy');
  });
});
