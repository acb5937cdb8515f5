/**
 * The key pool drill (see key-pool.test.ts and key-pool-redis.test.ts): a pool of two VirusTotal keys at 4/minute each,
 * over real HTTP (client -> gateway -> simulator) on a fake clock shared by the gateway and the simulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { startTestServer, type TestServer } from '../../http/test-support/harness.js';
import { type MockServer, startMock } from '../../mock/index.js';
import { keyLabel as mockLabel } from '../../mock/key-label.js';
import { startRedisServer, type TestRedisServer } from '../../test-support/redis-server.js';
import { getJson } from './harness.js';

const KEY_A = 'POOL-KEY-A-3f9c1e5b2d4680a1b2c3d4e5f6071829aabbccdd';
const KEY_B = 'POOL-KEY-B-8e2d4c6a0b1f3e5d7c9b1a3f5e7d9c1b2a4f6e8d';

/** Registers the drill's tests: on the in-process governor, or with Redis (the Redis governor and the cluster). */
export function keyPoolDrill(options: { redis: boolean; skip?: string | false }): void {
  describe(`key pool drill (${options.redis ? 'Redis governor, cluster mode' : 'in-process governor'})`, { skip: options.skip ?? false }, () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12, 0, 0));
    let mock: MockServer;
    let gw: TestServer;

    let redis: TestRedisServer | undefined;
    before(async () => {
      if (options.skip) return;
      if (options.redis) redis = await startRedisServer();
      mock = await startMock({ profile: 'public', clock, keys: [KEY_A, KEY_B], keyLimits: { [KEY_A]: { minute: 4 }, [KEY_B]: { minute: 4 } }, notFoundShare: 0 });
      gw = await startTestServer({
        clock,
        env: { VT_API_KEYS: `team-a=${KEY_A},team-b=${KEY_B}`, VTG_VIRUSTOTAL_URL: mock.url, VTG_KEY_POLICY: 'primary-first', ...(redis ? { REDIS_URL: redis.url } : {}) },
      });
    });

    after(async () => {
      await gw?.close();
      await mock?.close();
      await redis?.stop();
    });

    type Answer = Awaited<ReturnType<typeof getJson>>;
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers
    type Json = any;

    function lookupAll(names: string[]): Promise<Answer[]> {
      return whileAdvancing(names.map((n) => `${gw.url}/api/lookup/${n}?wait=true`));
    }

    /** Asks every URL at once and moves fake time 250 ms per few real ms until all are answered. */
    async function whileAdvancing(urls: string[]): Promise<Answer[]> {
      const answers: Array<Answer | undefined> = urls.map(() => undefined);
      const asked = urls.map((url, i) =>
        getJson(url).then((a) => {
          answers[i] = a;
        }),
      );
      for (let step = 0; step < 2000 && answers.some((a) => a === undefined); step++) {
        await clock.advance(250);
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(asked);
      return answers as Answer[];
    }

    /** Domain lookups the simulator received since `mark()` (by position in its log, not by time). */
    const mark = () => mock.stats().requests.length;
    const upstream = (from: number) => mock.stats().requests.slice(from).filter((r) => r.endpoint.startsWith('GET /domains'));

    test('two keys at 4/min each serve 8 lookups in one minute with no 429; each key stays within its own limit', async () => {
      const start = clock.now();
      const seen = mark();
      const answers = await lookupAll(Array.from({ length: 8 }, (_, i) => `pool-${i}.keypool-drill.example`));
      assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
      assert.ok(clock.now() - start < 60_000, `8 calls took ${clock.now() - start} ms of fake time (one key alone needs two minutes)`);
      const calls = upstream(seen);
      assert.equal(calls.length, 8);
      assert.equal(mock.stats().rejected429, 0);
      const byKey = (label: string) => calls.filter((r) => r.key === label && r.status === 200).length;
      assert.equal(byKey(mockLabel(KEY_A)), 4);
      assert.equal(byKey(mockLabel(KEY_B)), 4);

      const quota = (await getJson(`${gw.url}/api/quota`)).body;
      assert.deepEqual(quota.keys.map((k: Json) => [k.label, k.revoked, k.windows.find((w: Json) => w.window === 'minute').used]), [
        ['team-a', false, 4],
        ['team-b', false, 4],
      ]);
      assert.equal(quota.windows.find((w: Json) => w.window === 'minute').limit, 8);
      // each key reconciled with its own counters, on its own key
      assert.ok(quota.keys.every((k: Json) => k.lastReconciledAt !== null));
      const reads = mock.stats().requests.filter((r) => r.endpoint.includes('overall_quotas') && r.status === 200);
      for (const key of [KEY_A, KEY_B]) assert.ok(reads.some((r) => r.key === mockLabel(key)), `overall_quotas read with ${mockLabel(key)}`);
    });

    test('revoking one key (the simulator answers 401) moves all work to the other, and the gateway says so by label', async () => {
      await clock.advance(61_000);
      mock.revokeKey(KEY_A);
      const seen = mark();
      // the VT-compatible surface first (a raw passthrough): its refused call moves to team-b too
      const [raw] = await whileAdvancing([`${gw.url}/api/v3/domains/raw.keypool-drill.example/subdomains`]);
      assert.equal(raw?.status, 200, JSON.stringify(raw));
      const answers = await lookupAll(Array.from({ length: 4 }, (_, i) => `after-${i}.keypool-drill.example`));
      assert.deepEqual(answers.map((a) => a.status), Array(4).fill(200), JSON.stringify(answers.find((a) => a.status !== 200)));
      const calls = upstream(seen);
      // one call (the raw one) met the revoked key; it and every other went out on team-b
      assert.deepEqual(calls.filter((r) => r.key === mockLabel(KEY_A)).map((r) => r.status), [401]);
      assert.deepEqual(calls.filter((r) => r.key === mockLabel(KEY_B)).map((r) => r.status), [200, 200, 200, 200, 200]);
      assert.equal(mock.stats().rejected429, 0);

      // more work goes to team-b only: the revoked key is never tried again
      const later = mark();
      assert.deepEqual((await lookupAll(['later.keypool-drill.example'])).map((a) => a.status), [200]);
      assert.deepEqual(upstream(later).map((r) => [r.key, r.status]), [[mockLabel(KEY_B), 200]]);

      const quota = (await getJson(`${gw.url}/api/quota`)).body;
      assert.equal(quota.keyHealthy, true, 'the pool still serves');
      const a = quota.keys.find((k: Json) => k.label === 'team-a');
      assert.equal(a.revoked, true);
      assert.equal(a.status, 'unhealthy');
      const health = (await getJson(`${gw.url}/api/health`)).body;
      assert.equal(health.status, 'degraded');
      const vt = health.providers.find((p: Json) => p.name === 'virustotal');
      assert.deepEqual(vt.quota.keys.map((k: Json) => [k.label, k.revoked]), [['team-a', true], ['team-b', false]]);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /^vtg_pool_key_healthy\{provider="virustotal",key="team-a"\} 0$/m);
      assert.match(metrics, /^vtg_pool_key_healthy\{provider="virustotal",key="team-b"\} 1$/m);
      assert.match(metrics, /^vtg_upstream_key_refusals_total\{provider="virustotal",key="team-a"\} 1$/m);
      assert.match(metrics, /^vtg_pool_key_quota_used\{provider="virustotal",key="team-b",window="day"\} 10$/m, 'team-b: 4 in the first minute, 1 + 4 + 1 after the revocation');
      const warned = gw.logs.filter((l) => l.includes('upstream key refused'));
      assert.equal(warned.length, 1, gw.logs.join('\n'));
      assert.equal(JSON.parse(warned[0] as string).key, 'team-a');

      // the keys themselves appear nowhere: responses, metrics, logs
      const texts = [JSON.stringify(quota), JSON.stringify(health), metrics, ...gw.logs, JSON.stringify(answers), JSON.stringify(mock.stats())];
      for (const secret of [KEY_A, KEY_B]) for (const t of texts) assert.ok(!t.includes(secret), 'a key leaked');
    });

    test('when the last key is refused too, lookups fail as before (UpstreamAuthError) and /api/quota says unhealthy', async () => {
      await clock.advance(61_000);
      mock.revokeKey(KEY_B);
      const [answer] = await lookupAll(['last.keypool-drill.example']);
      assert.equal(answer?.status, 502, JSON.stringify(answer));
      assert.equal(answer?.body.error.code, 'UpstreamAuthError');
      const quota = (await getJson(`${gw.url}/api/quota`)).body;
      assert.equal(quota.keyHealthy, false);
      assert.equal(quota.status, 'unhealthy');
      for (const t of [JSON.stringify(answer), JSON.stringify(quota), ...gw.logs]) for (const s of [KEY_A, KEY_B]) assert.ok(!t.includes(s));
    });
  });
}
