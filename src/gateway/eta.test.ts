// Every ETA comes from one governor estimate at the work's priority: the dry-run estimate and a
// batch's status both count every window and the interactive reserve, on the fake clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { openHarness } from './test-support/harness.js';

const DAY = 86_400_000;
const PUBLIC = { VTG_VT_LIMITS: 'minute=4,day=500,month=15500,burst=1' };

/** `n` distinct domains nobody looked up yet. */
const domains = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `eta-${tag}-${i}.example`);

test('batch --dry-run: 19,877 uncached calls on a public key take ~50 days at batch priority (~39 at interactive)', async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  const h = await openHarness({ env: PUBLIC, clock, background: false });
  t.after(() => h.close());
  const inputs = domains(19_877, 'dry');
  const batch = await h.gateway.estimate(inputs);
  assert.equal(batch.upstream, 19_877);
  assert.equal(batch.priority, 'batch');
  assert.equal(batch.reserve, 0.2);
  assert.ok(batch.etaMs > 49 * DAY && batch.etaMs < 50 * DAY, `${batch.etaMs / DAY} days`);
  const interactive = await h.gateway.estimate(inputs, { priority: 'interactive' });
  assert.equal(interactive.reserve, 0);
  assert.ok(interactive.etaMs > 39 * DAY && interactive.etaMs < 40 * DAY, `${interactive.etaMs / DAY} days`);
});

test("a batch's status ETA is the governor's for the calls still to make, not the pace of its cache hits", async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  const h = await openHarness({ env: PUBLIC, clock, background: false });
  t.after(() => h.close());
  const job = await h.gateway.createBatch(domains(600, 'status'));
  // before anything ran: 600 calls at 4 a minute, 400 a day at batch priority: past the first day
  const before = await h.gateway.batch(job.id);
  assert.ok(before?.etaMs !== null && (before?.etaMs ?? 0) > DAY && (before?.etaMs ?? 0) < 2 * DAY, `${before?.etaMs}`);
  await h.gateway.cancelBatch(job.id);
  assert.equal((await h.gateway.batch(job.id))?.etaMs, 0, 'a finished job has nothing left');
});
