// Drill: 300 lookups spread over three `vtg serve` instances on one key (60/minute), each of 50
// indicators asked six times at once on different instances: one upstream call per indicator, no
// 429 from upstream, the same answer everywhere; health names each instance, stats sum the cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPool } from '../common/index.js';
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { useDrill } from './test-support/drill.js';
import { getJson, until } from './test-support/harness.js';

const skip = redisUnavailableReason();
const drill = useDrill(skip, { profile: 'premium', limits: { minute: 60 } }, { limits: 'minute=60,hour=10000,day=100000,month=1000000' });


test('300 duplicated lookups over three instances: one upstream call per distinct indicator, no 429', { skip }, async () => {
  const domains = Array.from({ length: 50 }, (_, i) => `d${i}.cluster-drill.example`);
  // each domain asked six times, the six spread over the three instances and sent together
  const asks = domains.flatMap((name) => Array.from({ length: 6 }, (_, k) => ({ d: name, on: drill.cluster.instances[k % 3]?.url as string })));
  // 48 at a time (the service admits 64 per client): eight indicators in flight, each on every instance
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers
  const answers: Array<{ status: number; body: any }> = new Array(asks.length);
  await runPool(asks.length, 48, async (i) => {
    const a = asks[i] as (typeof asks)[number];
    answers[i] = await getJson(`${a.on}/api/lookup/${a.d}?wait=true`);
  });
  const failed = answers.filter((a) => a.status !== 200);
  assert.equal(failed.length, 0, JSON.stringify(failed.slice(0, 3)));

  const calls = drill.rec.countBy(/\/api\/v3\/domains\//);
  assert.equal(calls.size, 50, 'every distinct indicator went upstream');
  const twice = [...calls].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no indicator was fetched twice');
  assert.equal(drill.mock.stats().rejected429, 0);

  // one verdict per indicator, whichever instance answered
  const verdicts = new Map<string, Set<string>>();
  answers.forEach((a, i) => {
    const d = asks[i]?.d as string;
    const set = verdicts.get(d) ?? new Set();
    set.add(String(a.body.report?.verdict));
    verdicts.set(d, set);
  });
  for (const [d, set] of verdicts) assert.equal(set.size, 1, `${d}: ${[...set]}`);

  // health names the instance and Redis; stats sum the live instances
  const ids = await Promise.all(drill.cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
  assert.deepEqual(ids.map((h) => h.instance.id), ['node-1', 'node-2', 'node-3']);
  for (const h of ids) assert.equal(h.cluster.redis, 'ready');
  // harvest, rotation and reconciliation run on exactly one of them
  assert.equal(ids.filter((h) => h.cluster.roles.includes('background')).length, 1);
  const stats = await until(async () => {
    const s = (await getJson(`${drill.cluster.url()}/api/stats`)).body;
    // heartbeats carry each instance's counters as they were: wait until every answer is counted
    return s.cluster?.instances === 3 && s.cluster.lookups === 300 && s.cluster.upstreamCalls + s.cluster.upstreamCallsSaved === 300 ? s : undefined;
  });
  assert.equal(stats.cluster.scope, 'cluster');
  assert.equal(stats.cluster.upstreamCalls, 50);
  assert.equal(stats.cluster.upstreamCallsSaved, 250);
  assert.ok(stats.cluster.clusterJoins > 0, 'some lookups waited for another instance rather than calling upstream');
  // each instance sums the others' last heartbeats: node-2's view settles a heartbeat later
  const metrics = await until(async () => {
    const text = await (await fetch(`${drill.cluster.instances[1]?.url}/metrics`)).text();
    return /^vtg_cluster_upstream_calls 50$/m.test(text) ? text : undefined;
  }, 15_000);
  assert.match(metrics, /^vtg_instance_info\{instance="node-2"\} 1$/m);
  assert.match(metrics, /^vtg_cluster_instances 3$/m);
  assert.match(metrics, /^vtg_cluster_upstream_calls 50$/m);
  const quota = (await getJson(`${drill.cluster.url()}/api/quota`)).body;
  assert.equal(quota.scope, 'cluster');
  assert.equal(quota.windows.find((w: { window: string }) => w.window === 'minute')?.used, 50);
});

test('SIGTERM: an instance on Redis closes and exits 0 (it used to hang on the Redis cache tier)', { skip }, async () => {
  assert.equal(await drill.cluster.kill(2, 'SIGTERM'), 0);
});
