// The synchronous memory-tier answer of the lookup service: the same answer and counts as `lookup`.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseIndicator } from '../indicators/index.js';
import { EICAR_MD5, EICAR_SHA256 } from '../mock/index.js';
import { billableCalls, openHarness } from './test-support/harness.js';

test('lookupInMemory gives the answer lookup gives for a fresh memory entry, counted as a cache hit; otherwise undefined', async () => {
  const h = await openHarness();
  after(() => h.close());
  const sha = parseIndicator(EICAR_SHA256);
  assert.equal(h.gateway.lookups.lookupInMemory(sha), undefined, 'nothing cached yet');
  await h.gateway.lookup(sha);
  const hits = h.gateway.stats().cacheHits;
  const now = h.gateway.lookups.lookupInMemory(sha);
  const later = await h.gateway.lookup(sha);
  assert.ok(now);
  assert.deepEqual({ ...now, ageMs: 0 }, { ...later, ageMs: 0 });
  assert.equal(now.source, 'cache');
  assert.equal(h.gateway.stats().cacheHits, hits + 2);
  // under another hash it names the indicator as asked
  const md5 = h.gateway.lookups.lookupInMemory(parseIndicator(EICAR_MD5));
  assert.deepEqual(md5 && { source: md5.source, id: md5.report.id, indicator: md5.report.indicator }, { source: 'cache', id: EICAR_MD5, indicator: EICAR_MD5 });
  // a caller who wants a younger answer, or another provider, goes on to lookup
  assert.equal(h.gateway.lookups.lookupInMemory(sha, { maxAgeMs: -1 }), undefined);
  assert.equal(h.gateway.lookups.lookupInMemory(sha, { provider: 'urlhaus' }), undefined);
  assert.equal(billableCalls(h.mock), 1);
});
