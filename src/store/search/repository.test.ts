import assert from 'node:assert/strict';
import { FakeClock } from '../../clock/index.js';
import { observationOf, } from '../index.js';
import { makeReport, testId } from '../test-support/reports.js';
import { collect } from '../test-support/collect.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3600_000;
let n = 0;

async function openStore() {
  return await openTestStore(`search-${++n}`, { clock: new FakeClock(T0) });
}

const md5 = 'a'.repeat(32);
const sha1 = 'b'.repeat(40);
const sha256 = 'c'.repeat(64);

storeTest('files fold onto their sha256; filters, sort, cursor and count', async () => {
  const store = await openStore();
  try {
    const file = makeReport({ id: md5, indicator: md5, fetchedAt: T0, threatLabel: 'trojan.mirai/linux', detections: 30, data: { attributes: { md5, sha1, sha256, names: ['bins.sh', 'x86'], meaningful_name: 'mirai.x86', tags: ['elf', 'upx'] } } });
    await store.cache.put(file, T0 + HOUR);
    await store.cache.put({ ...file, id: sha256, indicator: sha256 }, T0 + HOUR);
    await store.history.observe(observationOf(file));
    for (let i = 0; i < 5; i++) {
      await store.cache.put(makeReport({ n: i, kind: 'domain', id: `d${i}.example`, indicator: `d${i}.example`, verdict: i % 2 ? 'harmless' : 'malicious', detections: i, threatLabel: i % 2 ? null : 'phishing', fetchedAt: T0 + i * 1000, data: {} }), T0 + HOUR);
    }
    await store.cache.put(makeReport({ provider: 'urlhaus', kind: 'domain', id: 'd1.example', indicator: 'd1.example', verdict: 'malicious', detections: 1, threatLabel: 'malware_download', fetchedAt: T0, data: {} }), T0 + HOUR);
    assert.ok(await store.search.sync() > 0);
    assert.equal(await store.search.sync(), 0, 'nothing new the second time');

    const files = await store.search.search({ kind: 'file' });
    assert.equal(files.total, 1, 'md5 and sha256 rows fold into one');
    const f = files.items[0]!;
    assert.equal(f.id, sha256);
    assert.deepEqual(f.hashes, { md5, sha1, sha256 });
    assert.deepEqual(f.names, ['mirai.x86', 'bins.sh', 'x86']);
    assert.deepEqual(f.tags, ['elf', 'upx']);
    assert.equal(f.observations, 1);
    assert.equal(f.permalink, `https://www.virustotal.com/gui/file/${sha256}`);
    assert.equal((await store.search.get('file', md5))?.id, sha256, 'lookup by md5 finds the sha256 row');

    assert.equal((await store.search.search({ q: 'bins' })).total, 1, 'free text over names');
    assert.equal((await store.search.search({ q: 'd3.ex' })).total, 1, 'free text over values');
    assert.equal((await store.search.search({ label: 'MIRAI' })).total, 1, 'label substring, case-insensitive');
    assert.equal((await store.search.search({ tag: 'upx' })).total, 1);
    assert.equal((await store.search.search({ tag: 'up' })).total, 0, 'tags match exactly');
    assert.equal((await store.search.search({ provider: 'urlhaus' })).total, 1);
    const d1 = (await store.search.get('domain', 'd1.example'))!;
    assert.equal(d1.verdict, 'malicious', 'most severe verdict across providers');
    assert.equal(d1.providers.length, 2);
    assert.equal((await store.search.search({ kind: 'domain', verdict: 'malicious' })).total, 4, 'd1 is malicious by URLhaus');
    assert.equal((await store.search.search({ minDetections: 3 })).total, 3);
    assert.equal((await store.search.search({ since: T0 + 2000, kind: 'domain' })).total, 3);
    assert.equal((await store.search.search({ until: T0 + 1000, kind: 'domain' })).total, 2);
    assert.equal((await store.search.search({ q: "%" })).total, 0, 'LIKE wildcards are literal');

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const p = await store.search.search({ kind: 'domain', sort: 'last_seen', limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(p.total, 5);
      seen.push(...p.items.map((i) => i.indicator));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    assert.deepEqual(seen, ['d4.example', 'd3.example', 'd2.example', 'd1.example', 'd0.example']);
    assert.deepEqual((await collect(store.search.iterate({ kind: 'domain', sort: 'indicator' }, 2))).map((r) => r.indicator), ['d0.example', 'd1.example', 'd2.example', 'd3.example', 'd4.example']);
    assert.deepEqual((await store.search.search({ sort: 'detections', limit: 1 })).items.map((i) => i.id), [sha256]);
    await assert.rejects(async () => await store.search.search({ cursor: 'junk' }), RangeError);
  } finally {
    await store.close();
  }
});

storeTest('feed cursor returns only what changed; history-only indicators are indexed; sources and edges', async () => {
  const store = await openStore();
  try {
    await store.cache.put(makeReport({ n: 1, fetchedAt: T0 }), T0 + HOUR);
    await store.search.sync();
    const cursor = (await store.search.search()).feedCursor;
    assert.equal((await store.search.search({ after: cursor })).total, 0);
    await store.history.observe(observationOf(makeReport({ n: 2, fetchedAt: T0 + 5, verdict: 'undetected', detections: 0, threatLabel: null })));
    await store.search.sync();
    const changed = await store.search.search({ after: cursor });
    assert.deepEqual(changed.items.map((i) => i.id), [testId(2)]);
    assert.equal(changed.items[0]!.verdict, 'undetected');

    await store.search.putSource('cowrie:run-1', [{ kind: 'file', id: testId(2) }], T0);
    assert.deepEqual((await store.search.search({ source: 'cowrie:run-1' })).items.map((i) => i.id), [testId(2)]);
    await store.search.putEdge({ src: { kind: 'ip', id: '203.0.113.5', value: '203.0.113.5' }, dst: { kind: 'file', id: testId(2), value: testId(2) }, relation: 'cowrie_download', evidence: { session: 's1' }, at: T0 });
    const edges = await store.search.edges('file', testId(2));
    assert.equal(edges.length, 1);
    assert.deepEqual(edges[0]!.evidence, { session: 's1' });
  } finally {
    await store.close();
  }
});

storeTest('a common tag (probed per row) pages like a rare one (joined)', async () => {
  const store = await openStore();
  try {
    const writes = [];
    for (let i = 0; i < 2100; i++) {
      const id = testId(`tag-${i}`);
      const tags = i % 700 === 0 ? ['common', 'rare'] : ['common'];
      writes.push({ report: makeReport({ id, indicator: id, fetchedAt: T0 + i, data: { attributes: { sha256: id, tags } } }), expiresAt: T0 + HOUR });
    }
    await store.cache.putMany(writes);
    await store.search.sync();
    const newest = (n: number) => Array.from({ length: n }, (_, k) => testId(`tag-${2099 - k}`));
    const first = await store.search.search({ tag: 'common', limit: 5 });
    assert.equal(first.total, 2100);
    assert.deepEqual(first.items.map((i) => i.id), newest(5));
    const second = await store.search.search({ tag: 'common', limit: 5, cursor: first.nextCursor! });
    assert.deepEqual(second.items.map((i) => i.id), newest(10).slice(5));
    const rare = await store.search.search({ tag: 'rare' });
    assert.deepEqual(rare.items.map((i) => i.id), [1400, 700, 0].map((i) => testId(`tag-${i}`)));
  } finally {
    await store.close();
  }
});
