/**
 * Relationship pages through the gateway: one upstream call per page, the same page again from the
 * cache (no call), a day later refreshed, and served stale when VirusTotal cannot be reached.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Clock, systemClock } from '../clock/index.js';
import { EICAR_SHA256 } from '../mock/index.js';
import { relationshipPage } from './relationships.js';
import { type Harness, openHarness } from './test-support/harness.js';

const DAY = 86_400_000;
let offset = 0;
/** Real sleeps (retries), but a wall clock the test can move forward. */
const clock: Clock = { now: () => Date.now() + offset, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
let h: Harness;

before(async () => {
  h = await openHarness({ clock });
});
after(async () => {
  await h.close();
});

let base = 0;
const calls = () => (h.mock.stats().byEndpoint['GET /files/{id}/{relationship}'] ?? 0) - base;
const page = { collection: 'files' as const, id: EICAR_SHA256, relationship: 'contacted_ips', limit: 3 };

test('the same page asked twice at once: both answered from one call (each stored it: it used to be a 500)', async () => {
  const same = { ...page, relationship: 'contacted_domains' };
  const [a, b] = await Promise.all([relationshipPage(h.gateway, same), relationshipPage(h.gateway, same)]);
  assert.equal(a.status, 200);
  assert.deepEqual(b.body, a.body);
  assert.equal(calls(), 1, 'the second joined the first call');
  base += calls();
});

test('a page costs one call, is cached for a day, and is served stale when upstream is down', async () => {
  const first = await relationshipPage(h.gateway, page);
  assert.equal(first.status, 200);
  assert.equal(first.source, 'upstream');
  assert.equal((first.body as { data: unknown[] }).data.length, 3);
  assert.equal(calls(), 1);

  const again = await relationshipPage(h.gateway, page);
  assert.equal(again.source, 'cache');
  assert.deepEqual(again.body, first.body);
  assert.equal(calls(), 1, 'the cached page spent nothing');

  const other = await relationshipPage(h.gateway, { ...page, limit: 4 });
  assert.equal(other.source, 'upstream', 'another page size is another page');
  assert.equal(calls(), 2);

  offset += DAY + 60_000;
  const nextDay = await relationshipPage(h.gateway, page);
  assert.equal(nextDay.source, 'upstream');
  assert.equal(calls(), 3);

  offset += DAY + 60_000;
  await h.mock.close();
  const down = await relationshipPage(h.gateway, page);
  assert.equal(down.source, 'stale');
  assert.ok(down.ageMs > DAY);
  assert.deepEqual(down.body, first.body);
  await assert.rejects(relationshipPage(h.gateway, { ...page, relationship: 'dropped_files' }), 'nothing kept: the failure shows');
});
