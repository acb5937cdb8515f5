import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { Store } from '../index.js';
import { makeReport, testId } from '../test-support/reports.js';
import { makeTempDir } from '../test-support/temp-dir.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

const tmp = makeTempDir();
after(tmp.remove);
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
let n = 0;

async function openStore(clock = new FakeClock(T0)) {
  return { store: await openTestStore(`cache-${++n}`, { clock }), clock };
}

async function openSqliteStore(clock = new FakeClock(T0)) {
  return { store: await Store.open({ file: join(tmp.dir, `cache-file-${++n}.sqlite`), clock }), clock };
}

storeTest('put then get returns the report as stored, with its times; expired entries are still returned', async () => {
  const { store, clock } = await openStore();
  try {
    const report = makeReport({ n: 1, fetchedAt: T0, data: { attributes: { names: ['a.exe'] } } });
    await store.cache.put(report, T0 + HOUR);
    const entry = await store.cache.get('virustotal', 'file', report.id);
    assert.deepEqual(entry, { report, fetchedAt: T0, expiresAt: T0 + HOUR, hits: 0 });
    await clock.advance(2 * HOUR);
    const expired = await store.cache.get('virustotal', 'file', report.id);
    assert.ok(expired && expired.expiresAt < clock.now(), 'expired entry still readable');
    assert.deepEqual(expired.report, report);
    assert.equal(await store.cache.get('virustotal', 'url', report.id), undefined, 'kind is part of the key');
    assert.equal(await store.cache.get('urlhaus', 'file', report.id), undefined, 'provider is part of the key');
  } finally {
    await store.close();
  }
});

storeTest('expiresAtMany gives the expiry of each cached id of one provider and kind, past 500 ids too', async () => {
  const { store } = await openStore();
  try {
    const ids = Array.from({ length: 1203 }, (_, i) => testId(`many-${i}`));
    // every third id cached as a file (expiring at its own time), one as a URL, one with another provider
    for (let i = 0; i < ids.length; i += 3) await store.cache.put(makeReport({ id: ids[i], fetchedAt: T0 }), T0 + i * HOUR);
    await store.cache.put(makeReport({ id: ids[1], kind: 'url', fetchedAt: T0 }), T0 + DAY);
    await store.cache.put(makeReport({ id: ids[2], provider: 'urlhaus', fetchedAt: T0 }), T0 + DAY);
    const got = await store.cache.expiresAtMany('virustotal', 'file', ids);
    assert.equal(got.size, Math.ceil(ids.length / 3));
    for (let i = 0; i < ids.length; i++) assert.equal(got.get(ids[i] as string), i % 3 === 0 ? T0 + i * HOUR : undefined);
    assert.equal((await store.cache.expiresAtMany('virustotal', 'file', [])).size, 0);
    assert.deepEqual([...(await store.cache.expiresAtMany('virustotal', 'url', ids.slice(0, 3)))], [[ids[1], T0 + DAY]]);
  } finally {
    await store.close();
  }
});

storeTest('a newer report replaces the entry and keeps its hit count; an older one never replaces a newer one', async () => {
  const { store } = await openStore();
  try {
    const id = testId('replace');
    await store.cache.put(makeReport({ id, fetchedAt: T0, verdict: 'harmless', detections: 0 }), T0 + DAY);
    await store.cache.addUsage({}, [{ provider: 'virustotal', kind: 'file', id, n: 4 }]);
    assert.equal(await store.cache.put(makeReport({ id, fetchedAt: T0 + HOUR, verdict: 'malicious' }), T0 + 2 * DAY), true);
    const entry = await store.cache.get('virustotal', 'file', id);
    assert.equal(entry?.report.verdict, 'malicious');
    assert.equal(entry?.hits, 4);
    assert.equal(await store.cache.put(makeReport({ id, fetchedAt: T0 - HOUR, verdict: 'harmless' }), T0 + 3 * DAY), false);
    assert.equal((await store.cache.get('virustotal', 'file', id))?.report.verdict, 'malicious');
    assert.equal(await store.cache.count(), 1);
  } finally {
    await store.close();
  }
});

storeTest('delete clears everything, one kind, one provider or one indicator', async () => {
  const { store } = await openStore();
  try {
    const put = async (provider: 'virustotal' | 'urlhaus', kind: 'file' | 'url', k: number) =>
      await store.cache.put(makeReport({ provider, kind, n: `${provider}-${kind}-${k}` }), T0 + DAY);
    for (let k = 0; k < 3; k++) {
      await put('virustotal', 'file', k);
      await put('virustotal', 'url', k);
      await put('urlhaus', 'url', k);
    }
    assert.equal(await store.cache.delete({ id: testId('virustotal-file-0') }), 1);
    assert.equal(await store.cache.delete({ kind: 'file' }), 2);
    assert.equal(await store.cache.delete({ provider: 'urlhaus' }), 3);
    assert.equal(await store.cache.count(), 3);
    assert.equal(await store.cache.delete(), 3);
    assert.equal(await store.cache.count(), 0);
  } finally {
    await store.close();
  }
});

storeTest('list pages newest first with a cursor, and filters by kind and provider', async () => {
  const { store } = await openStore();
  try {
    const writes = [];
    for (let i = 0; i < 25; i++) {
      writes.push({ report: makeReport({ n: i, kind: i % 5 === 0 ? 'url' : 'file', fetchedAt: T0 + (i % 10) * 1000 }), expiresAt: T0 + DAY });
    }
    assert.equal(await store.cache.putMany(writes), 25);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.cache.list({ limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.report.id));
      const times = page.items.map((e) => e.fetchedAt);
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first within a page');
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 25, 'every entry exactly once across pages');
    const urls = await store.cache.list({ limit: 100, kind: 'url' });
    assert.equal(urls.items.length, 5);
    assert.equal(urls.nextCursor, null);
    assert.equal((await store.cache.list({ limit: 100, provider: 'spur' })).items.length, 0);
    await assert.rejects(async () => await store.cache.list({ limit: 10, cursor: 'not-a-cursor' }), /cursor/);
  } finally {
    await store.close();
  }
});

storeTest('info reports counts per kind and provider, ages, expired entries and the persisted hit ratio', async () => {
  const { store } = await openStore();
  try {
    await store.cache.put(makeReport({ n: 1, fetchedAt: T0 - DAY }), T0 - HOUR);
    await store.cache.put(makeReport({ n: 2, kind: 'ip', provider: 'dshield', fetchedAt: T0 }), T0 + DAY);
    await store.cache.addUsage({ 'hits.memory': 3, 'hits.sqlite': 1, misses: 4 });
    const info = await store.cache.info({ maxBytes: 1, maxAgeMs: 2, maxPerKind: 3 });
    assert.deepEqual(info.entries, { file: 1, url: 0, domain: 0, ip: 1 });
    assert.deepEqual(info.byProvider, { virustotal: 1, dshield: 1 });
    assert.equal(info.expired, 1);
    assert.equal(info.oldestFetchedAt, T0 - DAY);
    assert.equal(info.newestFetchedAt, T0);
    assert.equal(info.hits, 4);
    assert.equal(info.misses, 4);
    assert.equal(info.hitRatio, 0.5);
    assert.equal(info.path, store.path);
    assert.ok(info.sizeBytes > 0);
    assert.deepEqual(info.limits, { maxBytes: 1, maxAgeMs: 2, maxPerKind: 3 });
  } finally {
    await store.close();
  }
});

storeTest('counters survive a reopen', async () => {
  const name = `counters-${++n}`;
  const a = await openTestStore(name);
  await a.cache.addUsage({ 'hits.redis': 2, misses: 1 });
  await a.close();
  const b = await openTestStore(name);
  try {
    await b.cache.addUsage({ misses: 1 });
    assert.deepEqual(await b.cache.counters(), { 'hits.redis': 2, misses: 2 });
  } finally {
    await b.close();
  }
});

storeTest('prune removes entries past the age limit, then the oldest beyond the count per provider and kind', async () => {
  const { store } = await openStore();
  try {
    const writes = [];
    for (let i = 0; i < 30; i++) writes.push({ report: makeReport({ n: `old-${i}`, fetchedAt: T0 - 40 * DAY + i }), expiresAt: T0 });
    for (let i = 0; i < 30; i++) writes.push({ report: makeReport({ n: `new-${i}`, fetchedAt: T0 - DAY + i }), expiresAt: T0 + DAY });
    for (let i = 0; i < 5; i++) writes.push({ report: makeReport({ n: `ip-${i}`, kind: 'ip', fetchedAt: T0 - DAY }), expiresAt: T0 + DAY });
    await store.cache.putMany(writes);
    const result = await store.cache.prune({ maxBytes: 1e9, maxAgeMs: 30 * DAY, maxPerKind: 20 }, { chunkSize: 7 });
    assert.deepEqual(result.removed, { age: 30, count: 10, size: 0, total: 40 });
    assert.deepEqual((await store.cache.info()).entries, { file: 20, url: 0, domain: 0, ip: 5 });
    assert.equal(await store.cache.get('virustotal', 'file', testId('new-9')), undefined, 'oldest of the recent ones went');
    assert.ok(await store.cache.get('virustotal', 'file', testId('new-10')), 'the 20 newest stay');
    assert.ok(await store.cache.get('virustotal', 'file', testId('new-29')));
  } finally {
    await store.close();
  }
});

test('prune by size removes the oldest entries until the file fits, and gives the space back to the file system', async () => {
  const { store } = await openSqliteStore();
  try {
    const writes = [];
    for (let i = 0; i < 3000; i++) writes.push({ report: makeReport({ n: i, padBytes: 3000, fetchedAt: T0 - 3000 + i }), expiresAt: T0 + DAY });
    await store.cache.putMany(writes);
    const maxBytes = 2 * 1024 * 1024;
    assert.ok(store.fileSize() > 3 * maxBytes, 'starts well above the limit');
    const result = await store.cache.prune({ maxBytes, maxAgeMs: 365 * DAY, maxPerKind: 1e6 });
    assert.ok(result.removed.size > 0);
    assert.equal(result.overSizeLimit, false);
    assert.ok(result.reclaimedPages > 0);
    assert.ok(store.fileSize() <= maxBytes, `file ${store.fileSize()} fits ${maxBytes}`);
    assert.equal(result.sizeAfter, store.fileSize());
    assert.ok(await store.cache.get('virustotal', 'file', testId(2999)), 'newest kept');
    assert.equal(await store.cache.get('virustotal', 'file', testId(0)), undefined, 'oldest removed');
    assert.deepEqual(await store.integrityCheck(), ['ok']);
  } finally {
    await store.close();
  }
});

test('prune says so when other tables alone exceed the size limit, after emptying the cache', async () => {
  const { store } = await openSqliteStore();
  try {
    for (let i = 0; i < 50; i++) await store.kv.set(`big-${i}`, 'x'.repeat(20_000));
    await store.cache.put(makeReport({ n: 1 }), T0 + DAY);
    const result = await store.cache.prune({ maxBytes: 64 * 1024, maxAgeMs: 365 * DAY, maxPerKind: 100 });
    assert.equal(result.overSizeLimit, true);
    assert.equal(await store.cache.count(), 0);
    assert.equal((await store.kv.get('big-0'))?.length, 20_000, 'other data is never touched');
  } finally {
    await store.close();
  }
});

storeTest('prune by size removes the oldest entries until what the rows use fits the limit', async () => {
  const { store } = await openStore();
  try {
    const empty = await store.cache.usedBytes(); // SQLite: the other tables' pages
    await store.cache.putMany(Array.from({ length: 300 }, (_, i) => ({ report: makeReport({ n: i, padBytes: 3000, fetchedAt: T0 - 300 + i }), expiresAt: T0 + DAY })));
    const maxBytes = empty + Math.floor(((await store.cache.usedBytes()) - empty) / 2);
    const result = await store.cache.prune({ maxBytes, maxAgeMs: 365 * DAY, maxPerKind: 1e6 });
    assert.ok(result.removed.size > 0 && result.removed.size < 300, `removed ${result.removed.size}`);
    assert.equal(result.overSizeLimit, false);
    assert.ok((await store.cache.usedBytes()) <= maxBytes);
    assert.ok(await store.cache.get('virustotal', 'file', testId(299)), 'newest kept');
    assert.equal(await store.cache.get('virustotal', 'file', testId(0)), undefined, 'oldest removed');
  } finally {
    await store.close();
  }
});
