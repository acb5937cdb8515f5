import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Store } from '../store/index.js';
import { makeReport, testId } from '../store/test-support/reports.js';
import { makeTempDir } from '../store/test-support/temp-dir.js';
import { TieredCache } from './index.js';
import { RedisCacheTier } from './redis-tier.js';
import { redisUnavailableReason, TestRedisServer } from '../test-support/redis-server.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const skip = redisUnavailableReason();

/** Polls `check` every 50 ms for at most `limitMs`. */
async function waitFor(check: () => boolean, limitMs = 10_000): Promise<boolean> {
  for (let waited = 0; waited <= limitMs; waited += 50) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('Redis cache tier (real redis-server on 127.0.0.1)', { skip }, () => {
  const tmp = makeTempDir('vtg-redis-');
  let server: TestRedisServer;
  let raw: Redis;
  const closers: Array<() => unknown> = [];

  before(async () => {
    server = await TestRedisServer.start();
    raw = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    raw.on('error', () => {});
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    raw?.disconnect();
    await server?.stop();
    tmp.remove();
  });

  function tier(options: { ttlMs?: number } = {}) {
    const t = new RedisCacheTier({ url: server.url, ...options });
    closers.push(() => t.close());
    return t;
  }

  async function tiered(name: string, redis: RedisCacheTier, memoryEntries = 100) {
    const store = await Store.open({ file: join(tmp.dir, `${name}.sqlite`) });
    const cache = new TieredCache({ repository: store.cache, redis, memoryEntries });
    closers.push(() => store.close());
    closers.push(() => cache.close());
    return { store, cache };
  }

  async function connected(t: RedisCacheTier) {
    assert.ok(await waitFor(() => t.state() === 'ready'), 'tier connects');
  }

  test('entries are stored as vtg:cache:<provider>:<kind>:<id> JSON with a PX no longer than the entry has left', async () => {
    const t = tier({ ttlMs: HOUR });
    await connected(t);
    const now = Date.now();
    const long = { report: makeReport({ n: 'long', fetchedAt: now }), fetchedAt: now, expiresAt: now + 30 * DAY, hits: 0 };
    const short = { report: makeReport({ n: 'short', fetchedAt: now }), fetchedAt: now, expiresAt: now + 10 * 60_000, hits: 0 };
    assert.equal(await t.set(long), true);
    assert.equal(await t.set(short), true);
    assert.equal(await t.set({ ...short, report: makeReport({ n: 'gone' }), expiresAt: now - 1 }), false, 'expired: not stored');

    const key = `vtg:cache:virustotal:file:${testId('long')}`;
    assert.deepEqual(JSON.parse((await raw.get(key)) ?? 'null'), long);
    const longTtl = await raw.pttl(key);
    assert.ok(longTtl > 0 && longTtl <= HOUR, `capped by ttlMs: ${longTtl}`);
    const shortTtl = await raw.pttl(`vtg:cache:virustotal:file:${testId('short')}`);
    assert.ok(shortTtl > 0 && shortTtl <= 10 * 60_000, `capped by the entry's expiry: ${shortTtl}`);
    assert.deepEqual(await t.get('virustotal', 'file', testId('long')), long);
    assert.equal(await t.get('virustotal', 'file', testId('gone')), undefined);
  });

  test('a SQLite hit is promoted to Redis with its remaining lifetime, not a fresh TTL', async () => {
    const t = tier();
    await connected(t);
    const { cache, store } = await tiered('promote', t, 0);
    const fetchedAt = Date.now() - 23 * HOUR;
    const report = makeReport({ n: 'promote', detections: 0, verdict: 'undetected', fetchedAt });
    await store.cache.put(report, fetchedAt + DAY); // 1 hour left, written by another process
    const hit = await cache.get('virustotal', 'file', report.id);
    assert.equal(hit?.tier, 'sqlite');
    const key = `vtg:cache:virustotal:file:${report.id}`;
    const pttl = await raw.pttl(key);
    assert.ok(pttl > 0 && pttl <= HOUR, `promoted with at most the hour left: ${pttl}`);
    assert.equal(JSON.parse((await raw.get(key)) ?? 'null').expiresAt, fetchedAt + DAY);
    assert.equal((await cache.get('virustotal', 'file', report.id))?.tier, 'redis');
  });

  test('freshIds finds an answer held only by Redis, and one held only by SQLite', async () => {
    const t = tier();
    await connected(t);
    const { cache, store } = await tiered('fresh-ids', t, 0);
    const now = Date.now();
    const shared = makeReport({ n: 'fresh-redis', fetchedAt: now });
    await t.set({ report: shared, fetchedAt: now, expiresAt: now + HOUR, hits: 0 }); // another instance's answer
    const stored = makeReport({ n: 'fresh-sqlite', fetchedAt: now });
    await store.cache.put(stored, now + HOUR);
    const expired = makeReport({ n: 'fresh-expired', fetchedAt: now - DAY });
    await store.cache.put(expired, now - HOUR);
    const fresh = await cache.freshIds('virustotal', 'file', [shared.id, stored.id, expired.id, testId('fresh-none')]);
    assert.deepEqual([...fresh].sort(), [shared.id, stored.id].sort());
  });

  test('delete by kind or provider removes matching keys only', async () => {
    const t = tier();
    await connected(t);
    const now = Date.now();
    const put = (provider: 'virustotal' | 'urlhaus', kind: 'file' | 'url', k: string) =>
      t.set({ report: makeReport({ provider, kind, n: k, fetchedAt: now }), fetchedAt: now, expiresAt: now + HOUR, hits: 0 });
    await raw.flushdb();
    await put('virustotal', 'file', 'd1');
    await put('virustotal', 'url', 'd2');
    await put('urlhaus', 'url', 'd3');
    assert.equal(await t.delete({ provider: 'urlhaus' }), 1);
    assert.equal(await t.delete({ kind: 'file' }), 1);
    assert.deepEqual(await raw.keys('vtg:cache:*'), [`vtg:cache:virustotal:url:${testId('d2')}`]);
    assert.equal(await t.delete({ provider: 'virustotal', kind: 'url', id: testId('d2') }), 1);
    assert.deepEqual(await raw.keys('vtg:cache:*'), []);
  });

  test('with Redis down, get and set work through SQLite with no error; when it is back, it is used again', async () => {
    const tierA = tier();
    const tierB = tier();
    await connected(tierA);
    await connected(tierB);
    // Two gateway instances that share only Redis (different SQLite files, memory tier off).
    const a = await tiered('instance-a', tierA, 0);
    const b = await tiered('instance-b', tierB, 0);

    const shared = makeReport({ n: 'shared-1', detections: 9, fetchedAt: Date.now() });
    await a.cache.set(shared);
    assert.equal((await b.cache.get('virustotal', 'file', shared.id))?.tier, 'redis', 'B sees what A fetched');

    await server.stop();
    assert.ok(await waitFor(() => tierA.state() === 'down'), 'A notices the outage');
    const duringOutage = makeReport({ n: 'outage', detections: 9, fetchedAt: Date.now() });
    await a.cache.set(duringOutage);
    const local = await a.cache.get('virustotal', 'file', duringOutage.id);
    assert.equal(local?.tier, 'sqlite');
    assert.equal(local?.fresh, true);
    assert.equal(await b.cache.get('virustotal', 'file', duringOutage.id), undefined, 'a miss, not an error');
    assert.equal((await a.cache.stats()).redis.state, 'down', 'the outage is visible in stats');

    await server.start();
    assert.ok(await waitFor(() => tierA.state() === 'ready' && tierB.state() === 'ready'), 'both reconnect');
    const afterOutage = makeReport({ n: 'shared-2', detections: 9, fetchedAt: Date.now() });
    await a.cache.set(afterOutage);
    const seen = await b.cache.get('virustotal', 'file', afterOutage.id);
    assert.equal(seen?.tier, 'redis', 'Redis is used again');
    assert.equal(seen?.entry.report.id, afterOutage.id);
  });

  test('a Redis that stops answering costs one command timeout, then is skipped until it answers again', async () => {
    const t = new RedisCacheTier({ url: server.url, commandTimeoutMs: 1500, suspendMs: 2000 });
    closers.push(() => t.close());
    await connected(t);
    const { cache } = await tiered('frozen', t, 0);
    const report = makeReport({ n: 'frozen', detections: 4, fetchedAt: Date.now() });
    await cache.set(report);
    server.freeze(true);
    try {
      const hit = await cache.get('virustotal', 'file', report.id);
      assert.equal(hit?.tier, 'sqlite', 'answered from SQLite after the timeout');
      assert.equal(t.state(), 'down');
      assert.match(t.lastError ?? '', /timed out/i);
    } finally {
      server.freeze(false);
    }
    assert.ok(await waitFor(() => t.state() === 'ready'), 'used again once it answers');
    assert.equal(await t.set({ report, fetchedAt: report.fetchedAt, expiresAt: Date.now() + HOUR, hits: 0 }), true);
  });

  test('an unreachable Redis from the start never fails a lookup', async () => {
    const t = new RedisCacheTier({ host: '127.0.0.1', port: 1, connectTimeoutMs: 200 });
    closers.push(() => t.close());
    const { cache } = await tiered('never-up', t);
    const report = makeReport({ n: 'never', detections: 4, fetchedAt: Date.now() });
    await cache.set(report);
    assert.equal((await cache.get('virustotal', 'file', report.id))?.tier, 'memory');
    assert.equal(t.state(), 'down');
    await t.close();
    assert.equal(t.state(), 'disabled');
  });
});
