import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import type { Change } from '../store/index.js';
import { billableCalls, openHarness } from './test-support/harness.js';

const hashes = (n: number, salt: string) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`${salt}-${i}`).toString('hex').padEnd(64, '0').slice(0, 64));

test('refresh --budget 10 after 30 lookups, 5 of them on a watchlist: exactly 10 upstream calls, the 5 watchlisted first', async () => {
  const clock = new FakeClock(Date.UTC(2026, 2, 10, 12));
  const h = await openHarness({ clock, background: false });
  after(() => h.close());
  const inputs = hashes(30, 'harvest');
  const first = await h.gateway.lookupMany(inputs);
  assert.ok(first.every((o) => o.ok));
  assert.equal(billableCalls(h.mock), 30);
  const watched = [inputs[3], inputs[11], inputs[17], inputs[22], inputs[29]] as string[];
  const added = await h.gateway.watchlists.add('iocs', watched);
  assert.equal(added.added, 5);
  await clock.advance(3600_000);

  const dry = await h.gateway.refresh({ budget: 10, dryRun: true });
  assert.equal(dry.planned.length, 10);
  assert.equal(billableCalls(h.mock), 30, 'a dry run makes no call');

  const run = await h.gateway.refresh({ budget: 10 });
  assert.equal(billableCalls(h.mock) - 30, 10, 'exactly the budget');
  assert.equal(run.calls, 10);
  assert.deepEqual(
    run.refreshed.slice(0, 5).map((r) => r.id).sort(),
    [...watched].sort(),
  );
  assert.ok(run.refreshed.slice(0, 5).every((r) => r.source === 'watchlist' && r.watchlists?.includes('iocs')));
  assert.ok(run.refreshed.slice(5).every((r) => r.source === 'cache' && !watched.includes(r.id)));
  assert.ok(run.refreshed.every((r) => r.reason.length > 0 && r.score > 0));

  // checked now: not due again until tomorrow, so the next plan starts with cached entries
  const next = await h.gateway.refresh({ budget: 3, dryRun: true });
  assert.ok(next.planned.every((c) => c.source === 'cache'));
  await clock.advance(24 * 3600_000);
  const tomorrow = await h.gateway.refresh({ budget: 5, dryRun: true });
  assert.ok(tomorrow.planned.every((c) => c.source === 'watchlist'));
});

test('watchlists: add (bad lines reported), list, show, remove; a verdict change names its watchlists', async () => {
  const clock = new FakeClock(Date.UTC(2026, 2, 10, 12));
  const h = await openHarness({ clock, background: false });
  after(() => h.close());
  const w = h.gateway.watchlists;
  const r = await w.add('team-a', ['example.org', 'not an indicator!!', '8.8.8.8', 'example.org'], { everyMs: 12 * 3600_000 });
  assert.equal(r.added, 2);
  assert.equal(r.invalid.length, 1);
  assert.equal(r.watchlist.everyMs, 12 * 3600_000);
  assert.equal((await w.add('team-a', ['8.8.8.8'])).existing, 1);
  assert.deepEqual(
    (await w.list()).map((l) => [l.name, l.items]),
    [['team-a', 2]],
  );
  assert.equal((await w.show('team-a'))?.items.length, 2);
  await assert.rejects(async () => await w.add('bad name', ['8.8.8.8']), RangeError);

  const seen: Change[] = [];
  h.gateway.events.on('verdict.changed', (c) => seen.push(c));
  await h.gateway.lookup('8.8.8.8');
  h.mock.setVerdict('ip', '8.8.8.8', { malicious: 9, undetected: 50, harmless: 0, suspicious: 0 });
  await clock.advance(1000);
  await h.gateway.lookup('8.8.8.8', { maxAgeMs: 0 });
  assert.deepEqual(seen[0]?.watchlists, ['team-a']);

  assert.equal(await w.remove('team-a'), true);
  assert.equal(await w.remove('team-a'), false);
  assert.equal(await w.show('team-a'), undefined);
});

test('cache warm spends only the calls the day can spare, at background priority', async () => {
  const clock = new FakeClock(Date.UTC(2026, 2, 10, 12));
  const h = await openHarness({ clock, background: false, env: { VTG_VT_LIMITS: 'minute=100000,day=50,month=100000,burst=1000', VTG_HARVEST_MARGIN: '10' } });
  after(() => h.close());
  const list = hashes(40, 'warm');
  // 50 a day - 10 reserve (20 %) - 10 margin = 30 to spare
  const r = await h.gateway.cacheWarm(list);
  assert.equal(r.spare, 30);
  assert.equal(r.fetched, 30);
  assert.equal(r.skipped, 10);
  assert.equal(billableCalls(h.mock), 30);
  // the pace of those 30 calls leaves nothing to spare before midnight
  const again = await h.gateway.cacheWarm(list);
  assert.equal(again.cached, 30);
  assert.equal(again.calls, 0);
  assert.equal(billableCalls(h.mock), 30);
});
