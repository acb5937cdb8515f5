/**
 * Harvest candidates, in order: due watchlist items, then indicators seen in the last week in a
 * Cowrie run or a batch (once their answer is more than a day old), then other cached answers. On the
 * fake clock, counted in upstream calls at the simulator.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import type { Gateway } from './gateway.js';
import { billableCalls, openHarness } from './test-support/harness.js';

const DAY = 86_400_000;
const hashes = (n: number, salt: string) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`${salt}-${i}`).toString('hex').padEnd(64, '0').slice(0, 64));

/** A Cowrie session that downloaded these files, as the pipeline records it. */
function cowrieSession(files: string[], at: number): Parameters<Gateway['recordCowrieSession']>[0] {
  return {
    session: 'a1b2c3d4e5f6',
    srcIp: '45.148.10.95',
    srcPort: 40000,
    dstIp: null,
    dstPort: 22,
    protocol: 'ssh',
    sensor: 'test',
    startAt: at,
    endAt: at + 5000,
    durationMs: 5000,
    clientVersion: null,
    logins: [],
    commands: [],
    downloads: files.map((sha256) => ({ sha256, at })),
    uploads: [],
    events: 3,
    closed: true,
  };
}

test('watchlisted first, then what Cowrie runs and batches saw this week, then the rest of the cache', async () => {
  const start = Date.UTC(2026, 2, 10, 12);
  const clock = new FakeClock(start);
  const h = await openHarness({ clock, background: false });
  after(() => h.close());
  const all = hashes(30, 'recent');
  const cowrie = all.slice(0, 5);
  const batch = all.slice(5, 10);
  const watched = all.slice(10, 12);
  assert.ok((await h.gateway.lookupMany(all)).every((o) => o.ok));
  assert.equal(billableCalls(h.mock), 30);
  await h.gateway.recordCowrieSession(cowrieSession(cowrie, start), '2026-03-10');
  const job = await h.gateway.createBatch(batch);
  await h.gateway.runBatch(job.id);
  await h.gateway.watchlists.add('campaign', watched);
  assert.equal(billableCalls(h.mock), 30, 'the batch was answered from the cache');

  // the same day: the run and the batch just looked these up, so they are no better than the rest
  const sameDay = await h.gateway.refresh({ budget: 12, dryRun: true });
  assert.ok(sameDay.planned.every((c) => c.source !== 'recent'));

  await clock.advance(2 * DAY);
  const plan = await h.gateway.refresh({ budget: 12, dryRun: true });
  assert.deepEqual(
    plan.planned.slice(0, 2).map((c) => [c.source, c.id].join(' ')).sort(),
    watched.map((id) => `watchlist ${id}`).sort(),
  );
  const recent = plan.planned.slice(2);
  assert.deepEqual(recent.map((c) => c.id).sort(), [...cowrie, ...batch].sort());
  for (const c of recent) {
    assert.equal(c.source, 'recent');
    assert.match(c.reason, cowrie.includes(c.id) ? /^seen in Cowrie run 2026-03-10 \(3 d ago\)/ : new RegExp(`^seen in batch ${job.id.slice(0, 8)} \\(2 d ago\\)`));
  }

  const run = await h.gateway.refresh({ budget: 13 });
  assert.equal(billableCalls(h.mock) - 30, 13, 'exactly the budget');
  assert.deepEqual(
    run.refreshed.slice(0, 12).map((r) => r.id).sort(),
    [...watched, ...cowrie, ...batch].sort(),
  );
  const last = run.refreshed[12];
  assert.equal(last?.source, 'cache', 'then an answer no run or batch saw');
  assert.ok(!cowrie.includes(last.id) && !batch.includes(last.id));

  // a week and more after the run and the batch, their indicators are ordinary cache entries again
  await clock.advance(8 * DAY);
  const later = await h.gateway.refresh({ budget: 30, dryRun: true });
  assert.ok(later.planned.every((c) => c.source !== 'recent'));
});
