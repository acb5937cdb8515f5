import assert from 'node:assert/strict';
import { test } from 'node:test';
// The behaviour both governors share is in contract.test-support.ts (memory.contract.test.ts runs it here).
import { type Clock, FakeClock } from '../clock/index.js';
import { MemoryGovernor, keyLabel, statusFor } from './index.js';
import type { QuotaLimits } from './index.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const K = 'vt:test';

function setup(limits: QuotaLimits, start = T0) {
  const clock = new FakeClock(start);
  const gov = new MemoryGovernor({ clock });
  gov.configure(K, limits);
  return { clock, gov };
}

/** Starts `n` acquires and records the fake time each was granted at. */
function acquireMany(gov: MemoryGovernor, clock: Clock, n: number, opts = {}) {
  const times: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, () => gov.acquire(K, opts).then(() => void times.push(clock.now()))),
  );
  return { times, all };
}

function maxInSpan(times: number[], span: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= span) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

test('sliding minute holds across a calendar-minute boundary (4 at :50, none more until :50 next minute)', async () => {
  const start = Date.UTC(2026, 0, 15, 12, 0, 50);
  const { clock, gov } = setup({ minute: 4 }, start);
  const first = acquireMany(gov, clock, 4);
  await clock.advance(0);
  await first.all;
  await clock.advance(20_000); // 12:01:10, a new calendar minute
  const second = acquireMany(gov, clock, 4);
  await clock.advance(0);
  assert.equal(second.times.length, 0, 'no grant 20 s later just because the calendar minute changed');
  await clock.runWhile(() => second.times.length === 4, 120_000);
  assert.deepEqual(second.times, [start + 60_000, start + 60_000, start + 60_000, start + 60_000]);
  assert.equal(maxInSpan([...first.times, ...second.times], 60_000), 4);
});

test('acquire waits with one sleep per refusal, never a busy loop', async () => {
  const fake = new FakeClock(Date.UTC(2026, 0, 15, 20, 0, 0));
  let sleeps = 0;
  const clock: Clock = {
    now: () => fake.now(),
    sleep: (ms, s) => {
      sleeps++;
      return fake.sleep(ms, s);
    },
  };
  const gov = new MemoryGovernor({ clock });
  gov.configure(K, { day: 1 });
  await gov.acquire(K);
  let granted = false;
  const p = gov.acquire(K).then(() => (granted = true));
  await fake.runWhile(() => granted, 86_400_000);
  await p;
  assert.equal(fake.now(), Date.UTC(2026, 0, 16));
  assert.equal(sleeps, 1);
});

test('waiters are served first in, first out', async () => {
  const { clock, gov } = setup({ ratePerSec: 1, burst: 1 });
  const order: number[] = [];
  const ps = [0, 1, 2, 3].map((i) => gov.acquire(K).then(() => order.push(i)));
  await clock.runWhile(() => order.length === 4, 10_000);
  await Promise.all(ps);
  assert.deepEqual(order, [0, 1, 2, 3]);
});

test('an aborted waiter rejects at once and gives its place to the next', async () => {
  const { clock, gov } = setup({ ratePerSec: 1, burst: 1 });
  await gov.acquire(K);
  const ac = new AbortController();
  const aborted = gov.acquire(K, { signal: ac.signal });
  let nextAt = 0;
  const next = gov.acquire(K).then(() => (nextAt = clock.now()));
  ac.abort(new Error('caller left'));
  await assert.rejects(aborted, /caller left/);
  await clock.runWhile(() => nextAt > 0, 10_000);
  await next;
  assert.equal(nextAt, T0 + 1000);
  const s = await gov.summary(K);
  assert.equal(s.ledger.lookup, 2, 'the aborted caller was not counted');
});

test('statusFor thresholds and keyLabel never reveal the secret', () => {
  assert.equal(statusFor(0), 'healthy');
  assert.equal(statusFor(79.9), 'healthy');
  assert.equal(statusFor(80), 'warning');
  assert.equal(statusFor(94.9), 'warning');
  assert.equal(statusFor(95), 'critical');
  const secret = 'a'.repeat(64);
  const label = keyLabel(secret);
  assert.match(label, /^vt:[0-9a-f]{12}$/);
  assert.equal(keyLabel(secret), label);
  assert.notEqual(keyLabel('b'.repeat(64)), label);
  assert.ok(!label.includes('aaaa'));
});

test('eta honours the interactive reserve: 19,877 calls on a public key take about 50 days at batch priority, not 38', async () => {
  const { gov } = setup({ minute: 4, day: 500, month: 15_500, burst: 1 }, Date.UTC(2026, 0, 1, 0, 0, 0));
  const DAY = 86_400_000;
  // all quota: January's 15,500 (500 a day), then 4,377 more at 500 a day: 39 days and some
  const all = await gov.eta(K, 19_877);
  assert.ok(all > 39 * DAY && all < 40 * DAY, `${all / DAY} days`);
  // batch priority keeps 20%: 400 a day, 12,400 in January, 7,477 more in February: 49 days and some
  const batch = await gov.eta(K, 19_877, { reserve: 0.2 });
  assert.ok(batch > 49 * DAY && batch < 50 * DAY, `${batch / DAY} days`);
  // the minute window paces a short run: 8 calls at 4 a minute (burst 1) end in the second minute
  const short = await gov.eta(K, 8, { reserve: 0.2 });
  assert.ok(short >= 60_000 && short < 120_000, `${short} ms`);
});
