// Drill: Redis is killed for 20 s while three instances serve: no client request fails (cached
// answers from each instance's memory and store, new ones from its local share of the quota), the
// key's 60/minute limit holds at the upstream, and everything is shared again once Redis is back,
// without restarting an instance.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runPool } from '../common/index.js';
import { type MockServer, startMock } from '../mock/index.js';
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { getJson, TestCluster, until } from './test-support/harness.js';
import { UpstreamRecorder } from './test-support/recorder.js';

const skip = redisUnavailableReason();
const DOMAINS = /\/api\/v3\/domains\//;
let mock: MockServer;
let rec: UpstreamRecorder;
let cluster: TestCluster;

before(async () => {
  if (skip) return;
  mock = await startMock({ profile: 'premium', limits: { minute: 60 } });
  rec = await UpstreamRecorder.start(mock.url);
  cluster = await TestCluster.start({ upstream: rec, limits: 'minute=60,hour=10000,day=100000,month=1000000' });
});
after(async () => {
  await cluster?.close();
  await rec?.close();
  await mock?.close();
});

test('Redis killed for 20 s under load: 0 failed requests, the limit holds, shared again after its restart', { skip }, async () => {
  const warm = Array.from({ length: 30 }, (_, i) => `warm${i}.redis-drill.example`);
  await runPool(warm.length, 10, async (i) => {
    assert.equal((await getJson(`${cluster.url()}/api/lookup/${warm[i]}?wait=true`)).status, 200);
  });
  // every instance knows the other two before Redis goes: its share is a third of the limit
  await until(async () => {
    const hs = await Promise.all(cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
    return hs.every((h) => h.cluster.instances.length === 3);
  });

  const failures: unknown[] = [];
  let requests = 0;
  const ask = async (indicator: string) => {
    requests++;
    const r = await getJson(`${cluster.url()}/api/lookup/${indicator}?wait=true`);
    if (r.status !== 200) failures.push({ indicator, status: r.status, body: r.body });
  };
  let loading = true;
  const load = Array.from({ length: 4 }, async (_, w) => {
    for (let k = 0; loading; k++) {
      await ask(warm[(k * 4 + w) % warm.length] as string);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  const fresh: Promise<void>[] = [];
  await new Promise((r) => setTimeout(r, 2000));

  await cluster.redis.stop();
  const lostAt = Date.now();
  // new indicators while Redis is away: answered from each instance's local share
  for (let k = 0; k < 8; k++) {
    fresh.push(ask(`new${k}.redis-drill.example`));
    await new Promise((r) => setTimeout(r, 2000));
  }
  const degraded = (await getJson(`${cluster.url()}/api/health`)).body;
  assert.equal(degraded.status, 'degraded');
  assert.equal(degraded.cluster.redis, 'down');
  await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - lostAt))));
  await cluster.redis.start();

  // back without a restart: every instance sees Redis and the two others again
  await until(async () => {
    const hs = await Promise.all(cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
    return hs.every((h) => h.cluster.redis === 'ready' && h.cluster.instances.length === 3);
  }, 30_000);
  loading = false;
  await Promise.all([...load, ...fresh]);
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
  assert.ok(requests > 100, `load was light: ${requests}`);

  assert.equal(mock.stats().rejected429, 0);
  assert.ok(rec.peak(DOMAINS) <= 60, `peak ${rec.peak(DOMAINS)} upstream calls in a minute`);

  // shared again: one indicator asked on all three at once goes upstream once
  const before = rec.countBy(DOMAINS).get('/api/v3/domains/after.redis-drill.example') ?? 0;
  const again = await Promise.all(cluster.instances.map((i) => getJson(`${i.url}/api/lookup/after.redis-drill.example?wait=true`)));
  assert.deepEqual(again.map((a) => a.status), [200, 200, 200]);
  assert.equal((rec.countBy(DOMAINS).get('/api/v3/domains/after.redis-drill.example') ?? 0) - before, 1);
});
