// Drill: Redis is killed for 20 s while three instances serve: no client request fails (cached
// answers from each instance's memory and store, new ones from its local share of the quota), the
// key's 60/minute limit holds at the upstream, and everything is shared again once Redis is back,
// without restarting an instance.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPool } from '../common/index.js';
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { useDrill } from './test-support/drill.js';
import { getJson, until } from './test-support/harness.js';

const skip = redisUnavailableReason();
const DOMAINS = /\/api\/v3\/domains\//;
const drill = useDrill(skip, { profile: 'premium', limits: { minute: 60 } }, { limits: 'minute=60,hour=10000,day=100000,month=1000000' });


test('Redis killed for 20 s under load: 0 failed requests, the limit holds, shared again after its restart', { skip }, async () => {
  const warm = Array.from({ length: 30 }, (_, i) => `warm${i}.redis-drill.example`);
  await runPool(warm.length, 10, async (i) => {
    assert.equal((await getJson(`${drill.cluster.url()}/api/lookup/${warm[i]}?wait=true`)).status, 200);
  });
  // every instance knows the other two before Redis goes: its share is a third of the limit
  await until(async () => {
    const hs = await Promise.all(drill.cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
    return hs.every((h) => h.cluster.instances.length === 3);
  });

  const failures: unknown[] = [];
  let requests = 0;
  const ask = async (indicator: string) => {
    requests++;
    const r = await getJson(`${drill.cluster.url()}/api/lookup/${indicator}?wait=true`);
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

  await drill.cluster.redis.stop();
  const lostAt = Date.now();
  // new indicators while Redis is away: answered from each instance's local share
  for (let k = 0; k < 8; k++) {
    fresh.push(ask(`new${k}.redis-drill.example`));
    await new Promise((r) => setTimeout(r, 2000));
  }
  const degraded = (await getJson(`${drill.cluster.url()}/api/health`)).body;
  assert.equal(degraded.status, 'degraded');
  assert.equal(degraded.cluster.redis, 'down');
  await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - lostAt))));
  await drill.cluster.redis.start();

  // back without a restart: every instance sees Redis and the two others again
  await until(async () => {
    const hs = await Promise.all(drill.cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
    return hs.every((h) => h.cluster.redis === 'ready' && h.cluster.instances.length === 3);
  }, 30_000);
  loading = false;
  await Promise.all([...load, ...fresh]);
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
  assert.ok(requests > 100, `load was light: ${requests}`);

  assert.equal(drill.mock.stats().rejected429, 0);
  assert.ok(drill.rec.peak(DOMAINS) <= 60, `peak ${drill.rec.peak(DOMAINS)} upstream calls in a minute`);

  // shared again: one indicator asked on all three at once goes upstream once
  const before = drill.rec.countBy(DOMAINS).get('/api/v3/domains/after.redis-drill.example') ?? 0;
  const again = await Promise.all(drill.cluster.instances.map((i) => getJson(`${i.url}/api/lookup/after.redis-drill.example?wait=true`)));
  assert.deepEqual(again.map((a) => a.status), [200, 200, 200]);
  assert.equal((drill.rec.countBy(DOMAINS).get('/api/v3/domains/after.redis-drill.example') ?? 0) - before, 1);
});
