/**
 * One behaviour contract for every Governor implementation: memory.contract.test.ts and
 * redis.contract.test.ts run these same tests, so the in-memory and Redis governors cannot drift.
 * Time is a FakeClock; real I/O (Redis) is waited for in real time, never with a fixed deadline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { DEFAULT_LIMITS, KeyUnhealthyError } from './index.js';
import type { AcquireOptions, Governor, QuotaLimits } from './index.js';
import { until } from './test-support/until.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const K = 'vt:contract';

export interface ContractGovernor {
  gov: Governor;
  /** A new governor over the same state, as after a process restart (the old one is closed). */
  restart(): Promise<Governor>;
}

/** Makes a governor on `clock`; each call must give a fresh, empty state. */
export type GovernorFactory = (clock: FakeClock) => Promise<ContractGovernor>;

/**
 * Advances fake time only while every waiter sleeps, until `done()` (real I/O completes between
 * steps). Fails when the governor sleeps past `limitMs` of fake time without `done()`.
 */
export async function drive(clock: FakeClock, done: () => boolean, limitMs: number): Promise<void> {
  const end = clock.now() + limitMs;
  for (;;) {
    await until(() => done() || clock.pending >= 1, 'a grant or a sleeping governor', 60_000);
    if (done()) return;
    const before = clock.now();
    await clock.runWhile(() => done() || clock.pending === 0, end - before);
    if (!done() && clock.pending >= 1 && clock.now() === before) {
      throw new Error(`not done within ${limitMs} ms of fake time`);
    }
  }
}

/** Starts `n` acquires; `times` records the fake time of each grant (ms after `from`). */
function acquireMany(gov: Governor, clock: FakeClock, n: number, opts: AcquireOptions = {}, from = T0) {
  const times: number[] = [];
  const all = Promise.all(Array.from({ length: n }, () => gov.acquire(K, opts).then(() => void times.push(clock.now() - from))));
  return { times, all };
}

/** Grants now, or fails with what blocked. */
async function grantNow(gov: Governor, opts: AcquireOptions = {}): Promise<void> {
  assert.deepEqual(await gov.tryAcquire(K, opts), { ok: true });
}

const used = async (gov: Governor, w: string) => (await gov.summary(K)).windows.find((x) => x.window === w)?.used;

export function governorContract(name: string, factory: GovernorFactory, options: { skip?: string | false } = {}): void {
  describe(`Governor contract: ${name}`, { skip: options.skip ?? false }, () => {
    async function setup(limits: QuotaLimits, start = T0) {
      const clock = new FakeClock(start);
      const h = await factory(clock);
      h.gov.configure(K, limits);
      return { clock, ...h };
    }

    test('sliding minute: at most `minute` grants in any 60 s span; the next waits for the oldest to leave', async () => {
      const { clock, gov } = await setup({ minute: 4 });
      const { times, all } = acquireMany(gov, clock, 9);
      await drive(clock, () => times.length === 9, 5 * 60_000);
      await all;
      assert.deepEqual(times, [0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 120_000]);
    });

    test('minute margin keeps a grant in the sliding minute a little longer', async () => {
      const { clock, gov } = await setup({ minute: 2, minuteMarginMs: 1500 });
      const { times, all } = acquireMany(gov, clock, 3);
      await drive(clock, () => times.length === 3, 5 * 60_000);
      await all;
      assert.deepEqual(times, [0, 0, 61_500]);
    });

    for (const [w, limits, start, reset] of [
      ['hour', { hour: 2 }, Date.UTC(2026, 0, 15, 12, 59, 30), Date.UTC(2026, 0, 15, 13)],
      ['day', { day: 2 }, Date.UTC(2026, 0, 15, 23, 59), Date.UTC(2026, 0, 16)],
      ['month', { month: 2 }, Date.UTC(2026, 1, 28, 23), Date.UTC(2026, 2, 1)],
    ] as const) {
      test(`${w} window resets at its UTC boundary`, async () => {
        const { clock, gov } = await setup(limits, start);
        const { times, all } = acquireMany(gov, clock, 3, {}, start);
        await drive(clock, () => times.length === 3, 3 * 86_400_000);
        await all;
        assert.deepEqual(times, [0, 0, reset - start]);
        assert.equal(await used(gov, w), 1, 'the new window counts only the call made in it');
      });
    }

    test('token bucket: burst at once, then one per 1/rate; idling refills only up to burst', async () => {
      const { clock, gov } = await setup({ ratePerSec: 1, burst: 2 });
      const a = acquireMany(gov, clock, 4);
      await drive(clock, () => a.times.length === 4, 60_000);
      assert.deepEqual(a.times, [0, 0, 1000, 2000]);
      await clock.advance(60_000);
      const from = clock.now();
      const b = acquireMany(gov, clock, 3, {}, from);
      await drive(clock, () => b.times.length === 3, 60_000);
      assert.deepEqual(b.times, [0, 0, 1000]);
    });

    test('burst 1 with a minute limit spaces calls 15 s apart (the VirusTotal public key)', async () => {
      const { clock, gov } = await setup({ minute: 4, burst: 1 });
      const { times, all } = acquireMany(gov, clock, 5);
      await drive(clock, () => times.length === 5, 5 * 60_000);
      await all;
      assert.deepEqual(times, [0, 15_000, 30_000, 45_000, 60_000]);
    });

    test('tryAcquire names the constraint that holds and the exact wait', async () => {
      const { gov } = await setup({ minute: 1, day: 10 });
      await grantNow(gov);
      assert.deepEqual(await gov.tryAcquire(K), { ok: false, retryInMs: 60_000, reason: 'minute' });
      const b = await setup({ burst: 1, minute: 4 });
      await grantNow(b.gov);
      assert.deepEqual(await b.gov.tryAcquire(K), { ok: false, retryInMs: 15_000, reason: 'bucket' });
    });

    test('interactive reserve: reserved callers stop at 80 % of the day, unreserved ones pass', async () => {
      const start = Date.UTC(2026, 0, 15, 10);
      const { clock, gov } = await setup({ day: 10 }, start);
      for (let i = 0; i < 8; i++) await grantNow(gov, { reserve: 0.2 });
      const r = await gov.tryAcquire(K, { reserve: 0.2 });
      assert.deepEqual(r, { ok: false, retryInMs: Date.UTC(2026, 0, 16) - start, reason: 'reserve' });
      const batch = acquireMany(gov, clock, 1, { reserve: 0.2 }, start);
      const interactive = acquireMany(gov, clock, 1, {}, start);
      await drive(clock, () => interactive.times.length === 1, 1000);
      assert.deepEqual(interactive.times, [0], 'the interactive caller is not stuck behind the reserved one');
      assert.equal(batch.times.length, 0);
      await drive(clock, () => batch.times.length === 1, 86_400_000);
      assert.deepEqual(batch.times, [Date.UTC(2026, 0, 16) - start]);
    });

    test('pause after a 429: no grants until the given time, shown in the summary', async () => {
      const { clock, gov } = await setup({ minute: 100 });
      gov.pause(K, T0 + 30_000);
      assert.deepEqual(await gov.tryAcquire(K), { ok: false, retryInMs: 30_000, reason: 'paused' });
      const s = await gov.summary(K);
      assert.equal(s.pausedUntil, T0 + 30_000);
      assert.equal(s.canMakeRequest, false);
      assert.equal(s.recommendedBackoffMs, 30_000);
      gov.pause(K, T0 + 10_000);
      const { times, all } = acquireMany(gov, clock, 1);
      await drive(clock, () => times.length === 1, 60_000);
      await all;
      assert.deepEqual(times, [30_000], 'an earlier pause never shortens a later one');
      assert.equal((await gov.summary(K)).pausedUntil, null);
    });

    test('an unhealthy key fails fast, waiting callers included, until marked healthy again', async () => {
      const { clock, gov } = await setup({ minute: 1 });
      await grantNow(gov);
      const waiting = gov.acquire(K);
      await until(() => clock.pending >= 1, 'the waiter sleeps');
      gov.setKeyHealthy(K, false);
      await assert.rejects(waiting, KeyUnhealthyError);
      await assert.rejects(gov.acquire(K), KeyUnhealthyError);
      await until(async () => !(await gov.summary(K)).keyHealthy, 'summary shows the key unhealthy');
      assert.equal((await gov.summary(K)).canMakeRequest, false);
      assert.equal(await gov.eta(K, 1), Number.POSITIVE_INFINITY);
      gov.setKeyHealthy(K, true);
      await clock.advance(60_000);
      await until(async () => (await gov.tryAcquire(K)).ok, 'grants again');
    });

    test('reconcile believes a higher upstream count, never lowers ours, adopts reported allowances', async () => {
      const start = Date.UTC(2026, 0, 15, 22);
      const { clock, gov } = await setup({ day: 500 }, start);
      for (let i = 0; i < 5; i++) await grantNow(gov);
      await gov.reconcile(K, { day: { used: 2 } });
      assert.equal(await used(gov, 'day'), 5, 'a lower upstream count does not lower ours');
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
      const { times } = acquireMany(gov, clock, 3, {}, start);
      await drive(clock, () => times.length === 3, 86_400_000);
      assert.deepEqual(times, [0, 0, Date.UTC(2026, 0, 16) - start], 'grants stop at the day limit');
    });

    test('reconcile never lets a queued call through: counts and limits land before any waiter is woken', async () => {
      // the caps case of VTG_VT_LIMITS=...,day=3: 3 calls made, one queued; VirusTotal reports 5 of 5
      const { clock, gov } = await setup({ minute: 100, hour: 1000, day: 3, month: 100_000 });
      for (let i = 0; i < 3; i++) await grantNow(gov);
      const queued = acquireMany(gov, clock, 1);
      await until(() => clock.pending >= 1, 'the queued call sleeps');
      for (let i = 0; i < 3; i++) {
        await gov.reconcile(K, { day: { used: 5, allowed: 5 } });
        await gov.reconcile(K, { day: { used: 3 } });
        await until(() => clock.pending >= 1, 'the queued call sleeps again');
      }
      assert.equal(queued.times.length, 0, 'no reconcile lets the queued call through');
      assert.equal(await used(gov, 'day'), 5);
      const rejected = assert.rejects(queued.all, /closed/);
      await gov.close();
      await rejected;
    });

    test('status covers every window: a full minute is not healthy', async () => {
      const { gov } = await setup({ minute: 4, day: 500 });
      for (let i = 0; i < 4; i++) await grantNow(gov);
      const s = await gov.summary(K);
      assert.equal(s.windows.find((w) => w.window === 'minute')?.percent, 100);
      assert.equal(s.status, 'critical');
      assert.ok(s.recommendedBackoffMs > 0 && s.recommendedBackoffMs <= 60_000);
    });

    test('summary: percentages, warning at 80 %, critical at 95 %, backoff to the reset, ledger by kind', async () => {
      const start = Date.UTC(2026, 0, 15, 18);
      const { clock, gov } = await setup({ minute: 100, day: 20, month: 1000 }, start);
      for (let i = 0; i < 15; i++) await grantNow(gov, { kind: i < 10 ? 'lookup' : 'upload' });
      let s = await gov.summary(K);
      assert.equal(s.status, 'healthy');
      assert.equal(s.canMakeRequest, true);
      assert.equal(s.recommendedBackoffMs, 0);
      assert.equal(s.ledger.lookup, 10);
      assert.equal(s.ledger.upload, 5);
      assert.deepEqual(s.windows.find((w) => w.window === 'minute'), {
        window: 'minute',
        used: 15,
        limit: 100,
        remaining: 85,
        percent: 15,
        resetsAt: start + 60_000,
      });
      await grantNow(gov);
      s = await gov.summary(K);
      assert.equal(s.status, 'warning');
      assert.equal(s.recommendedBackoffMs, Date.UTC(2026, 0, 16) - start);
      await grantNow(gov);
      await grantNow(gov);
      assert.equal((await gov.summary(K)).canMakeRequest, false, '18/20 reaches the default threshold of 90 %');
      assert.equal((await gov.summary(K, { threshold: 95 })).canMakeRequest, true);
      await grantNow(gov);
      await grantNow(gov);
      await clock.advance(1000);
      s = await gov.summary(K);
      assert.equal(s.status, 'critical');
      assert.equal(s.recommendedBackoffMs, Date.UTC(2026, 0, 16) - start - 1000);
    });

    test('release gives back a grant whose request never left: windows, bucket and ledger as before', async () => {
      const { clock, gov } = await setup({ minute: 2, hour: 10, day: 10, month: 10, burst: 1 });
      const before = await gov.summary(K);
      await grantNow(gov, { kind: 'upload' });
      await gov.release(K, { kind: 'upload' });
      const after = await gov.summary(K);
      assert.deepEqual(
        after.windows.map((w) => [w.window, w.used]),
        before.windows.map((w) => [w.window, w.used]),
      );
      assert.equal(after.ledger.upload, 0);
      await grantNow(gov); // the bucket token came back: no 30 s wait
      const { times, all } = acquireMany(gov, clock, 1);
      await drive(clock, () => times.length === 1, 120_000);
      await all;
      assert.deepEqual(times, [30_000], 'a granted call still spaces the next');
      assert.equal((await gov.summary(K)).windows.find((w) => w.window === 'day')?.used, 2);
    });

    test('release wakes a waiter blocked by the window it frees', async () => {
      const { clock, gov } = await setup({ day: 1 });
      await grantNow(gov);
      const { times, all } = acquireMany(gov, clock, 1);
      await until(() => clock.pending >= 1, 'the waiter sleeps');
      await gov.release(K);
      await drive(clock, () => times.length === 1, 1000);
      await all;
      assert.deepEqual(times, [0]);
    });

    test('restart: a new governor over the same state keeps counts, pause and ledger', async () => {
      const { gov, restart } = await setup({ minute: 4, day: 500 });
      for (let i = 0; i < 3; i++) await grantNow(gov, { kind: 'analysis' });
      gov.pause(K, T0 + 5000);
      await until(async () => (await gov.summary(K)).pausedUntil === T0 + 5000, 'pause recorded');
      const again = await restart();
      again.configure(K, { minute: 4, day: 500 });
      const s = await again.summary(K);
      assert.deepEqual(
        s.windows.map((w) => [w.window, w.used]),
        [
          ['minute', 3],
          ['day', 3],
        ],
      );
      assert.equal(s.ledger.analysis, 3);
      assert.equal(s.pausedUntil, T0 + 5000);
    });

    test('eta: time until n more calls could all be granted', async () => {
      const { gov } = await setup({ minute: 4 });
      assert.equal(await gov.eta(K, 0), 0);
      assert.equal(await gov.eta(K, 4), 0);
      assert.equal(await gov.eta(K, 8), 60_000);
      const vt = await setup(DEFAULT_LIMITS.virustotal);
      assert.equal(await vt.gov.eta(K, 5), 61_000);
    });

    test('close rejects waiting and new callers', async () => {
      const { clock, gov } = await setup({ minute: 1 });
      await grantNow(gov);
      const waiting = gov.acquire(K);
      await until(() => clock.pending >= 1, 'the waiter sleeps');
      const rejected = assert.rejects(waiting, /closed/);
      await gov.close();
      await rejected;
      await assert.rejects(gov.acquire(K), /closed/);
    });
  });
}
