import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Clock, FakeClock } from '../clock/index.js';
import { DEFAULT_LIMITS, KeyUnhealthyError, MemoryGovernor, keyLabel, statusFor } from './index.js';
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

test('sliding minute: the 5th call waits until exactly 60 s after the first, in any 60 s span at most 4', async () => {
  const { clock, gov } = setup({ minute: 4 });
  const { times, all } = acquireMany(gov, clock, 12);
  await clock.runWhile(() => times.length === 12, 10 * 60_000);
  await all;
  assert.deepEqual(
    times.map((t) => t - T0),
    [0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000, 120_000, 120_000],
  );
  assert.equal(maxInSpan(times, 60_000), 4);
});

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

test('minute margin keeps a grant in the window a little longer', async () => {
  const { clock, gov } = setup({ minute: 2, minuteMarginMs: 1500 });
  const { times, all } = acquireMany(gov, clock, 3);
  await clock.runWhile(() => times.length === 3, 120_000);
  await all;
  assert.deepEqual(times.map((t) => t - T0), [0, 0, 61_500]);
});

test('calendar windows reset at UTC boundaries: hour at :00, day at 00:00, month on the 1st', async () => {
  const cases: Array<[QuotaLimits, number, number]> = [
    [{ hour: 2 }, Date.UTC(2026, 0, 15, 12, 59, 30), Date.UTC(2026, 0, 15, 13, 0, 0)],
    [{ day: 2 }, Date.UTC(2026, 0, 15, 23, 59, 0), Date.UTC(2026, 0, 16)],
    [{ month: 2 }, Date.UTC(2026, 1, 28, 23, 0, 0), Date.UTC(2026, 2, 1)],
  ];
  for (const [limits, start, reset] of cases) {
    const { clock, gov } = setup(limits, start);
    const { times, all } = acquireMany(gov, clock, 3);
    await clock.runWhile(() => times.length === 3, 3 * 86_400_000);
    await all;
    assert.deepEqual(times, [start, start, reset], JSON.stringify(limits));
  }
});

test('token bucket: burst then steady rate, refill credited once, capped at burst after idling', async () => {
  const { clock, gov } = setup({ ratePerSec: 1, burst: 2 });
  const a = acquireMany(gov, clock, 5);
  await clock.runWhile(() => a.times.length === 5, 60_000);
  assert.deepEqual(a.times.map((t) => t - T0), [0, 0, 1000, 2000, 3000]);
  await clock.advance(60_000); // idle a minute: the bucket holds 2, not 60
  const startB = clock.now();
  const b = acquireMany(gov, clock, 3);
  await clock.runWhile(() => b.times.length === 3, 60_000);
  assert.deepEqual(b.times.map((t) => t - startB), [0, 0, 1000]);
});

test('burst 1 derives the rate from the minute limit: calls 15 s apart, never two at once', async () => {
  const { clock, gov } = setup({ minute: 4, burst: 1 });
  const { times } = acquireMany(gov, clock, 5);
  await clock.runWhile(() => times.length === 5, 120_000);
  assert.deepEqual(times.map((t) => t - T0), [0, 15_000, 30_000, 45_000, 60_000]);
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

test('pause stops grants until the given time', async () => {
  const { clock, gov } = setup({ minute: 100 });
  gov.pause(K, T0 + 30_000);
  let at = 0;
  const p = gov.acquire(K).then(() => (at = clock.now()));
  await clock.runWhile(() => at > 0, 60_000);
  await p;
  assert.equal(at, T0 + 30_000);
  const r = await gov.tryAcquire(K);
  assert.deepEqual(r, { ok: true });
  assert.equal((await gov.summary(K)).pausedUntil, null);
});

test('an unhealthy key fails fast, waiting callers included, until marked healthy again', async () => {
  const { clock, gov } = setup({ ratePerSec: 1, burst: 1 });
  await gov.acquire(K);
  const waiting = gov.acquire(K);
  gov.setKeyHealthy(K, false);
  await assert.rejects(waiting, KeyUnhealthyError);
  await assert.rejects(gov.acquire(K), (err: Error) => err instanceof KeyUnhealthyError && !err.message.includes('secret'));
  assert.equal((await gov.summary(K)).keyHealthy, false);
  assert.equal((await gov.summary(K)).canMakeRequest, false);
  gov.setKeyHealthy(K, true);
  await clock.advance(1000);
  assert.deepEqual(await gov.tryAcquire(K), { ok: true });
});

test('tryAcquire reports the exact time until a grant and the constraint that holds', async () => {
  const { gov } = setup({ minute: 1 });
  assert.deepEqual(await gov.tryAcquire(K), { ok: true });
  assert.deepEqual(await gov.tryAcquire(K), { ok: false, retryInMs: 60_000, reason: 'minute' });
});

test('reconcile believes a higher upstream count, adopts limits, never lowers our count', async () => {
  const start = Date.UTC(2026, 0, 15, 22, 0, 0);
  const { clock, gov } = setup({ day: 500 }, start);
  for (let i = 0; i < 5; i++) await gov.acquire(K);
  await gov.reconcile(K, { day: { used: 2 } });
  assert.equal((await gov.summary(K)).windows.find((w) => w.window === 'day')?.used, 5);
  await gov.reconcile(K, { day: { used: 498, allowed: 500 }, hour: { used: 10, allowed: 240 } });
  const s = await gov.summary(K);
  assert.equal(s.lastReconciledAt, start);
  assert.equal(gov.limits(K).hour, 240);
  assert.deepEqual(
    s.windows.map((w) => [w.window, w.used, w.remaining]),
    [
      ['hour', 10, 230],
      ['day', 498, 2],
    ],
  );
  const { times } = acquireMany(gov, clock, 3);
  await clock.advance(60_000);
  assert.equal(times.length, 2, 'grants stop at the day limit');
  await clock.runWhile(() => times.length === 3, 86_400_000);
  assert.equal(times[2], Date.UTC(2026, 0, 16));
});

test('the interactive reserve: reserved callers stop at 80 % of the day, others pass them', async () => {
  const start = Date.UTC(2026, 0, 15, 10, 0, 0);
  const { clock, gov } = setup({ day: 10 }, start);
  const batch = acquireMany(gov, clock, 9, { reserve: 0.2 });
  await clock.advance(0);
  assert.equal(batch.times.length, 8);
  let interactiveAt = 0;
  const interactive = gov.acquire(K).then(() => (interactiveAt = clock.now()));
  await clock.advance(0);
  await interactive;
  assert.equal(interactiveAt, start, 'the interactive caller is not stuck behind the reserved one');
  await clock.runWhile(() => batch.times.length === 9, 86_400_000);
  assert.equal(batch.times[8], Date.UTC(2026, 0, 16));
});

test('summary: percentages, status thresholds, backoff until the exhausted window resets', async () => {
  const start = Date.UTC(2026, 0, 15, 18, 0, 0);
  const { clock, gov } = setup({ minute: 100, day: 20, month: 1000 }, start);
  for (let i = 0; i < 15; i++) await gov.acquire(K, { kind: i < 10 ? 'lookup' : 'upload' });
  let s = await gov.summary(K);
  assert.equal(s.status, 'healthy');
  assert.equal(s.canMakeRequest, true);
  assert.equal(s.recommendedBackoffMs, 0);
  assert.deepEqual(s.ledger.lookup, 10);
  assert.deepEqual(s.ledger.upload, 5);
  assert.deepEqual(s.windows.find((w) => w.window === 'minute'), {
    window: 'minute',
    used: 15,
    limit: 100,
    remaining: 85,
    percent: 15,
    resetsAt: start + 60_000,
  });
  await gov.acquire(K);
  s = await gov.summary(K);
  assert.equal(s.status, 'warning'); // 16/20 = 80 %
  assert.equal(s.canMakeRequest, true);
  assert.equal(s.recommendedBackoffMs, Date.UTC(2026, 0, 16) - start);
  await gov.acquire(K);
  await gov.acquire(K);
  s = await gov.summary(K);
  assert.equal(s.canMakeRequest, false, '18/20 = 90 % reaches the default threshold');
  assert.equal((await gov.summary(K, { threshold: 95 })).canMakeRequest, true);
  await gov.acquire(K);
  await gov.acquire(K);
  s = await gov.summary(K);
  assert.equal(s.status, 'critical');
  await clock.advance(1000);
  assert.equal((await gov.summary(K)).recommendedBackoffMs, Date.UTC(2026, 0, 16) - start - 1000);
});

test('eta: time until n more calls could all be granted', async () => {
  const { gov } = setup({ minute: 4 });
  assert.equal(await gov.eta(K, 0), 0);
  assert.equal(await gov.eta(K, 4), 0);
  assert.equal(await gov.eta(K, 8), 60_000);
  const vt = setup(DEFAULT_LIMITS.virustotal);
  assert.equal(await vt.gov.eta(K, 5), 61_000); // 15 s spacing, the 5th waits for the minute + margin
  vt.gov.setKeyHealthy(K, false);
  assert.equal(await vt.gov.eta(K, 1), Number.POSITIVE_INFINITY);
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

test('close rejects waiting callers', async () => {
  const { gov } = setup({ minute: 1 });
  await gov.acquire(K);
  const waiting = gov.acquire(K);
  await gov.close();
  await assert.rejects(waiting, /closed/);
  await assert.rejects(gov.acquire(K), /closed/);
});
