import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { Store } from '../store/index.js';
import { makeReport, testId } from '../store/test-support/reports.js';
import { makeTempDir } from '../store/test-support/temp-dir.js';
import { TieredCache, type TieredCacheOptions } from './index.js';

const tmp = makeTempDir('vtg-cache-');
after(tmp.remove);
const T0 = Date.UTC(2026, 0, 15, 12);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
let n = 0;

async function setup(options: Partial<TieredCacheOptions> = {}) {
  const clock = new FakeClock(T0);
  const store = await Store.open({ file: join(tmp.dir, `tiered-${++n}.sqlite`), clock });
  const cache = new TieredCache({ repository: store.cache, clock, ...options });
  return {
    clock,
    store,
    cache,
    async close() {
      await cache.close();
      await store.close();
    },
  };
}

const detected = (k: number | string, fetchedAt = T0) => makeReport({ n: k, detections: 12, firstSeenAt: T0 - 400 * DAY, fetchedAt });

test('a set report is served from memory, fresh, with its age', async () => {
  const t = await setup();
  try {
    const report = detected(1);
    const stored = await t.cache.set(report);
    assert.equal(stored.expiresAt, T0 + 30 * DAY, 'TTL from the policy');
    await t.clock.advance(5 * HOUR);
    const found = await t.cache.get('virustotal', 'file', report.id);
    assert.deepEqual(found && { fresh: found.fresh, tier: found.tier, ageMs: found.ageMs, report: found.entry.report }, {
      fresh: true,
      tier: 'memory',
      ageMs: 5 * HOUR,
      report,
    });
    assert.equal(await t.cache.get('virustotal', 'file', testId('other')), undefined);
  } finally {
    await t.close();
  }
});

test('a SQLite hit is promoted to memory without extending its expiry', async () => {
  const t = await setup();
  try {
    const report = makeReport({ n: 2, detections: 0, verdict: 'undetected', fetchedAt: T0 });
    await t.cache.set(report); // 0 detections: fresh for 1 day
    const second = new TieredCache({ repository: t.store.cache, clock: t.clock }); // empty memory, same SQLite
    try {
      await t.clock.advance(20 * HOUR);
      const first = await second.get('virustotal', 'file', report.id);
      assert.equal(first?.tier, 'sqlite');
      assert.equal(first?.fresh, true);
      const again = await second.get('virustotal', 'file', report.id);
      assert.equal(again?.tier, 'memory', 'promoted');
      assert.equal(again?.entry.expiresAt, T0 + DAY, 'same expiry as stored');
      await t.clock.advance(5 * HOUR);
      const later = await second.get('virustotal', 'file', report.id);
      assert.equal(later?.fresh, false, 'the promoted copy expires when the original does');
      assert.equal(later?.ageMs, 25 * HOUR);
    } finally {
      await second.close();
    }
  } finally {
    await t.close();
  }
});

test('not found is cached for 12 hours (negative cache), then returned as stale', async () => {
  const t = await setup();
  try {
    const report = makeReport({ n: 3, found: false, verdict: 'not_found', detections: undefined, fetchedAt: T0 });
    await t.cache.set(report);
    await t.clock.advance(11 * HOUR);
    assert.equal((await t.cache.get('virustotal', 'file', report.id))?.fresh, true);
    await t.clock.advance(2 * HOUR);
    const stale = await t.cache.get('virustotal', 'file', report.id);
    assert.equal(stale?.fresh, false);
    assert.equal(stale?.entry.report.found, false);
    assert.deepEqual((await t.cache.stats()).hits, { memory: 1, redis: 0, sqlite: 0 });
    assert.equal((await t.cache.stats()).misses, 1);
    assert.equal((await t.cache.stats()).stale, 1);
  } finally {
    await t.close();
  }
});

test('a newer answer replaces a stale one in every tier', async () => {
  const t = await setup();
  try {
    await t.cache.set(makeReport({ n: 4, detections: 0, verdict: 'undetected', fetchedAt: T0 }));
    await t.clock.advance(2 * DAY);
    const now = t.clock.now();
    await t.cache.set(detected(4, now), now);
    const found = await t.cache.get('virustotal', 'file', testId(4));
    assert.equal(found?.fresh, true);
    assert.equal(found?.entry.report.verdict, 'malicious');
    assert.equal((await t.store.cache.get('virustotal', 'file', testId(4)))?.expiresAt, now + 30 * DAY);
  } finally {
    await t.close();
  }
});

test('a late, older answer does not shadow a newer one', async () => {
  const t = await setup();
  try {
    await t.cache.set(detected(5, T0 + HOUR));
    const late = await t.cache.set(makeReport({ n: 5, verdict: 'harmless', detections: 0, fetchedAt: T0 }));
    assert.equal(late.report.verdict, 'malicious');
    assert.equal((await t.cache.get('virustotal', 'file', testId(5)))?.entry.report.verdict, 'malicious');
  } finally {
    await t.close();
  }
});

test('hit and miss counters and per-entry hits are persisted and survive a restart', async () => {
  const file = join(tmp.dir, 'counters.sqlite');
  const clock = new FakeClock(T0);
  const store = await Store.open({ file, clock });
  const cache = new TieredCache({ repository: store.cache, clock, flushIntervalMs: 0 });
  const report = detected(6);
  await cache.set(report);
  await cache.get('virustotal', 'file', report.id);
  await cache.get('virustotal', 'file', report.id);
  await cache.get('virustotal', 'file', testId('absent'));
  await cache.close();
  await store.close();

  const reopened = await Store.open({ file, clock });
  const cache2 = new TieredCache({ repository: reopened.cache, clock, limits: { maxBytes: 1, maxAgeMs: 2, maxPerKind: 3 } });
  try {
    await cache2.get('virustotal', 'file', report.id); // sqlite hit in the new process
    const info = await cache2.info();
    assert.equal(info.hits, 3);
    assert.equal(info.misses, 1);
    assert.equal(info.hitRatio, 0.75);
    assert.deepEqual(info.counters, { 'hits.memory': 2, 'hits.sqlite': 1, misses: 1 });
    assert.equal(info.entries.file, 1);
    assert.deepEqual(info.limits, { maxBytes: 1, maxAgeMs: 2, maxPerKind: 3 });
    assert.equal(info.redis, 'disabled');
    assert.equal((await reopened.cache.get('virustotal', 'file', report.id))?.hits, 3);
  } finally {
    await cache2.close();
    await reopened.close();
  }
});

test('delete removes entries from memory as well as from SQLite', async () => {
  const t = await setup();
  try {
    await t.cache.set(detected('a'));
    await t.cache.set(makeReport({ n: 'b', kind: 'url', detections: 3 }));
    assert.equal(await t.cache.delete({ kind: 'file' }), 1);
    assert.equal(await t.cache.get('virustotal', 'file', testId('a')), undefined);
    assert.equal((await t.cache.get('virustotal', 'url', testId('b')))?.tier, 'memory');
    assert.equal(await t.cache.delete(), 1);
    assert.equal(await t.cache.get('virustotal', 'url', testId('b')), undefined);
    assert.equal((await t.cache.list({ limit: 10 })).items.length, 0);
  } finally {
    await t.close();
  }
});

test('setMany stores many reports in one go; with the memory tier off every hit comes from SQLite', async () => {
  const t = await setup({ memoryEntries: 0 });
  try {
    const reports = Array.from({ length: 300 }, (_, i) => detected(`many-${i}`));
    assert.equal(await t.cache.setMany(reports), 300);
    const hit = await t.cache.get('virustotal', 'file', testId('many-299'));
    assert.equal(hit?.tier, 'sqlite');
    assert.equal((await t.cache.stats()).memory.maxEntries, 0);
    assert.equal((await t.cache.info()).entries.file, 300);
  } finally {
    await t.close();
  }
});

test('getFreshInMemory answers a fresh memory entry at once, counted as a memory hit; anything else is left to get', async () => {
  const t = await setup();
  try {
    const report = detected(40);
    await t.cache.set(report);
    await t.clock.advance(2 * HOUR);
    const hit = t.cache.getFreshInMemory('virustotal', 'file', report.id);
    assert.deepEqual(hit && { fresh: hit.fresh, tier: hit.tier, ageMs: hit.ageMs, report: hit.entry.report }, { fresh: true, tier: 'memory', ageMs: 2 * HOUR, report });
    // older than the caller accepts, not in memory, or expired: undefined, and no hit or miss is counted
    assert.equal(t.cache.getFreshInMemory('virustotal', 'file', report.id, HOUR), undefined);
    assert.equal(t.cache.getFreshInMemory('virustotal', 'file', testId('absent')), undefined);
    assert.deepEqual({ hits: t.cache.stats().hits.memory, misses: t.cache.stats().misses }, { hits: 1, misses: 0 });
    const cold = new TieredCache({ repository: t.store.cache, clock: t.clock });
    try {
      assert.equal(cold.getFreshInMemory('virustotal', 'file', report.id), undefined, 'only the memory tier is read');
      assert.equal((await cold.get('virustotal', 'file', report.id))?.tier, 'sqlite');
    } finally {
      await cold.close();
    }
    await t.clock.advance(40 * DAY);
    assert.equal(t.cache.getFreshInMemory('virustotal', 'file', report.id), undefined, 'expired');
    assert.equal((await t.cache.get('virustotal', 'file', report.id))?.fresh, false, 'get still offers the stale entry');
  } finally {
    await t.close();
  }
});

test('freshIds names the ids get would find fresh, from memory or SQLite, and counts nothing', async () => {
  const t = await setup();
  try {
    const long = detected('fresh-long'); // detected: fresh for 30 days
    const short = makeReport({ n: 'fresh-short', detections: 0, verdict: 'undetected', fetchedAt: T0 }); // 1 day
    await t.cache.setMany([long, short]);
    const other = makeReport({ n: 'other-kind', kind: 'url', detections: 12, fetchedAt: T0 });
    await t.cache.set(other);
    // a second cache on the same SQLite: nothing in its memory, so its answers come from the query
    const second = new TieredCache({ repository: t.store.cache, clock: t.clock });
    try {
      await t.clock.advance(2 * DAY);
      const ids = [long.id, short.id, other.id, testId('never-cached')];
      const expected = new Set<string>();
      for (const id of ids) if ((await t.cache.get('virustotal', 'file', id))?.fresh) expected.add(id);
      assert.deepEqual([...expected], [long.id]);
      assert.deepEqual([...(await t.cache.freshIds('virustotal', 'file', ids))], [long.id], 'memory tier');
      const before = second.stats();
      assert.deepEqual([...(await second.freshIds('virustotal', 'file', ids))], [long.id], 'SQLite tier');
      assert.deepEqual(second.stats(), before, 'nothing counted');
      assert.deepEqual([...(await second.freshIds('virustotal', 'url', [other.id]))], [other.id]);
      assert.equal((await second.freshIds('virustotal', 'file', [])).size, 0);
    } finally {
      await second.close();
    }
  } finally {
    await t.close();
  }
});
