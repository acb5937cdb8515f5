/**
 * Scheduler + governor + VirusTotal client against the simulator over real HTTP on 127.0.0.1,
 * in fake time: the simulator's own quota windows judge what the governor granted.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { DEFAULT_LIMITS, MemoryGovernor, type QuotaLimits, keyLabel } from '../governor/index.js';
import { parseIndicator } from '../indicators/index.js';
import { type MockOptions, type MockServer, startMock } from '../mock/index.js';
import type { Report } from '../providers/types.js';
import { VirusTotalClient, VirusTotalProvider } from '../providers/virustotal/index.js';
import { type Priority, Scheduler, type SchedulerOptions } from './index.js';
import { SteppingClock, drive, maxInSpan } from './test-support/stepping-clock.js';

const API_KEY = 'integration-test-key-0123456789abcdef0123456789abcdef0123456789abcdef';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface HarnessOptions {
  limits?: QuotaLimits;
  mock?: Partial<MockOptions>;
  scheduler?: Partial<SchedulerOptions>;
}

async function harness(options: HarnessOptions = {}) {
  const clock = new SteppingClock(T0);
  const mock: MockServer = await startMock({ profile: 'public', clock, ...options.mock });
  const client = new VirusTotalClient({ apiKey: API_KEY, baseUrl: mock.url });
  const provider = new VirusTotalProvider(client, { clock });
  const governor = new MemoryGovernor({ clock });
  const key = keyLabel(API_KEY);
  governor.configure(key, options.limits ?? DEFAULT_LIMITS.virustotal);
  const scheduler = new Scheduler({ governor, key, clock, random: () => 0.5, ...options.scheduler });
  cleanups.push(async () => {
    await scheduler.close();
    await governor.close();
    await client.close();
    await mock.close();
  });
  let active = 0;
  const done: string[] = [];
  const lookup = (hash: string, priority: Priority = 'batch'): Promise<Report> =>
    scheduler.run(
      async ({ permit, signal }) => {
        active++;
        try {
          return await provider.lookup(parseIndicator(hash), { permit, signal });
        } finally {
          active--;
        }
      },
      { key: `virustotal:file:${hash}`, priority },
    ).then((r) => {
      done.push(hash);
      return r;
    });
  const run = (until: () => boolean, extra: { onIdle?: () => void; untilTime?: number } = {}) =>
    drive(clock, until, { busy: () => active > 0, realTimeoutMs: 60_000, ...extra });
  /** grant times as the simulator saw them, for calls that counted (not 429) */
  const served = () =>
    mock
      .stats()
      .requests.filter((r) => r.endpoint === 'GET /files/{id}' && r.status !== 429)
      .map((r) => r.at);
  return { clock, mock, client, governor, scheduler, key, lookup, run, done, served };
}

test('100 concurrent lookups of 30 distinct hashes make exactly 30 upstream requests', async () => {
  const h = await harness();
  const hashes = Array.from({ length: 30 }, (_, i) => sha(`dup-${i}`));
  const calls = Array.from({ length: 100 }, (_, i) => h.lookup(hashes[i % 30] as string));
  const results: Report[] = [];
  for (const p of calls) void p.then((r) => results.push(r));
  await h.run(() => results.length === 100);
  const all = await Promise.all(calls);
  const stats = h.mock.stats();
  assert.equal(stats.byEndpoint['GET /files/{id}'], 30);
  assert.equal(stats.rejected429, 0);
  for (let i = 0; i < 100; i++) assert.equal(all[i]?.id, hashes[i % 30]);
  assert.equal(h.scheduler.stats().joined, 70);
});

test('500 distinct lookups on the public profile: no 429, never more than 4 in any 60 s, none lost', async () => {
  const h = await harness();
  const hashes = Array.from({ length: 500 }, (_, i) => sha(`bulk-${i}`));
  const calls = hashes.map((x) => h.lookup(x));
  const midnight = Date.UTC(2026, 0, 16);
  // batch work leaves the last 20 % of the day to interactive callers
  await h.run(() => false, { untilTime: midnight - 1 });
  assert.equal(h.served().length, 400, 'batch stops at 80 % of the daily 500');
  await h.run(() => h.done.length === 500);
  const reports = await Promise.all(calls);
  assert.deepEqual(
    reports.map((r) => r.id),
    hashes,
  );
  const stats = h.mock.stats();
  assert.equal(stats.rejected429, 0);
  assert.equal(stats.total, 500);
  const times = h.served();
  assert.equal(times.length, 500);
  assert.ok(maxInSpan(times, 60_000) <= 4, `max ${maxInSpan(times, 60_000)} calls in 60 s`);
  assert.ok(
    times.filter((t) => t >= midnight).length === 100,
    'the last 100 ran after the daily reset',
  );
});

test('an interactive lookup submitted while a 500-item batch is queued is answered next', async () => {
  const h = await harness();
  const batch = Array.from({ length: 500 }, (_, i) => h.lookup(sha(`queued-${i}`)));
  for (const p of batch) p.catch(() => {});
  await h.run(() => h.done.length >= 3);
  const before = h.done.length;
  const urgent = sha('urgent');
  const answer = h.lookup(urgent, 'interactive');
  await h.run(() => h.done.includes(urgent));
  assert.equal((await answer).id, urgent);
  assert.equal(h.done.indexOf(urgent), before, 'no batch item was answered before it');
  assert.equal(h.scheduler.depth().batch, 500 - before);
});

test('a 429 storm: every lookup completes, none is fetched twice successfully', async () => {
  const h = await harness({ limits: { minute: 4 }, mock: { faults: { quotaStorm: true } } });
  const hashes = Array.from({ length: 20 }, (_, i) => sha(`storm-${i}`));
  const calls = hashes.map((x) => h.lookup(x));
  await h.run(() => h.done.length === 20, {
    onIdle: () => {
      if (h.mock.stats().rejected429 >= 5) h.mock.setFaults({});
    },
  });
  const reports = await Promise.all(calls);
  assert.deepEqual(
    reports.map((r) => r.id),
    hashes,
  );
  const stats = h.mock.stats();
  assert.ok(stats.rejected429 >= 5);
  assert.equal(stats.total - stats.rejected429, 20, 'one successful fetch per hash');
  assert.equal(h.scheduler.stats().failed, 0);
  assert.ok(maxInSpan(h.served(), 60_000) <= 4);
});

test('30 % transient 5xx: every lookup completes, none is fetched twice successfully', async () => {
  const h = await harness({
    limits: { minute: 4 },
    mock: { faults: { errorRate: 0.3, seed: 7 } },
    scheduler: { retry: { maxAttempts: 10 } },
  });
  const hashes = Array.from({ length: 40 }, (_, i) => sha(`flaky-${i}`));
  const calls = hashes.map((x) => h.lookup(x));
  await h.run(() => h.done.length === 40);
  const reports = await Promise.all(calls);
  assert.deepEqual(
    reports.map((r) => r.id),
    hashes,
  );
  const stats = h.mock.stats();
  const failures = stats.requests.filter((r) => r.status >= 500).length;
  assert.ok(failures > 0, 'the simulator did inject errors');
  assert.equal(stats.total - failures, 40, 'one successful fetch per hash');
  assert.equal(stats.rejected429, 0);
  assert.ok(h.scheduler.stats().retried >= failures);
});

test('a drifted ledger: reconcile from overall_quotas corrects it and grants stop at the limit', async () => {
  const h = await harness({
    limits: { minute: 100, day: 20 },
    mock: { limits: { minute: 100, hour: 1000, day: 20 } },
  });
  // another tool uses the same key, outside the governor
  for (let i = 0; i < 8; i++) await h.client.getFile(sha(`elsewhere-${i}`)).catch(() => {});
  let s = await h.governor.summary(h.key);
  assert.equal(s.windows.find((w) => w.window === 'day')?.remaining, 20, 'we have not seen them');

  const q = await h.client.overallQuotas(API_KEY);
  assert.equal(q.daily?.user.used, 8);
  await h.governor.reconcile(h.key, {
    hour: q.hourly && { used: q.hourly.user.used, allowed: q.hourly.user.allowed },
    day: q.daily && { used: q.daily.user.used, allowed: q.daily.user.allowed },
    month: q.monthly && { used: q.monthly.user.used, allowed: q.monthly.user.allowed },
  });
  s = await h.governor.summary(h.key);
  assert.equal(s.windows.find((w) => w.window === 'day')?.remaining, 12);
  assert.equal(s.lastReconciledAt, T0);

  const hashes = Array.from({ length: 15 }, (_, i) => sha(`after-${i}`));
  const calls = hashes.map((x) => h.lookup(x, 'interactive'));
  const midnight = Date.UTC(2026, 0, 16);
  await h.run(() => false, { untilTime: midnight - 1 });
  assert.equal(h.done.length, 12, 'grants stop at the day limit');
  assert.equal(h.mock.stats().rejected429, 0);
  await h.run(() => h.done.length === 15);
  await Promise.all(calls);
  assert.equal(h.mock.stats().rejected429, 0);
});
