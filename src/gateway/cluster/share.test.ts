// While Redis is away each instance serves from its share of the quota: 1/N of every limit for the
// N instances it last saw alive, so together they never exceed the key's limit (the governor's
// fixed default of one half let three instances spend 1.5 times it).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import type { RedisGovernorEvent } from '../../governor/index.js';
import { RedisGovernor } from '../../governor/redis.js';
import { redisUnavailableReason, startRedisServer } from '../../test-support/redis-server.js';
import { Cluster } from './index.js';

const skip = redisUnavailableReason();
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test('three instances: each falls back to a third of the limit when Redis goes', { skip }, async () => {
  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  const members = await Promise.all(
    ['x', 'y', 'z'].map((id) => Cluster.open({ url: redis.url, instanceId: id, leaseMs: 3000, startedAt: 0, counters: () => ({ lookups: 1 }) })),
  );
  for (const m of members) cleanups.push(() => m.close());
  // a second heartbeat round: the first instances to beat saw only themselves
  for (const m of members) await m.beat();
  for (const m of members) assert.equal(m.share, 1 / 3, m.instanceId);
  assert.deepEqual(members[0]?.status().instances.map((i) => i.id), ['x', 'y', 'z']);
  assert.equal(members[0]?.totals().lookups, 3, 'the cluster figures sum the live instances');

  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  const events: RedisGovernorEvent[] = [];
  const share = members[0] as Cluster;
  const g = new RedisGovernor({ redis: redis.url, clock, prefix: 'share:', localShare: () => share.share, onEvent: (e) => events.push(e) });
  cleanups.push(() => g.close());
  g.configure('k', { minute: 60, day: 900 });
  await g.acquire('k');
  await redis.stop();
  await g.tryAcquire('k');
  const end = Date.now() + 10_000;
  while (!events.some((e) => e.type === 'fallback') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const s = await g.summary('k');
  assert.equal(s.backend, 'local-fallback');
  assert.equal(s.windows.find((w) => w.window === 'minute')?.limit, 20);
  assert.equal(s.windows.find((w) => w.window === 'day')?.limit, 300);
  // and the last view survives the outage: the share does not jump back to the whole limit
  assert.equal(share.share, 1 / 3);
});
