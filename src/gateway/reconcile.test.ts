import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { MemoryGovernor } from '../governor/index.js';
import type { OverallQuotas, VirusTotalClient } from '../providers/virustotal/index.js';
import { QuotaReconciler } from './reconcile.js';

const K = 'vt:caps';

test('explicit limits are caps: a reconcile reporting a larger allowance never lets a queued call past them', async () => {
  // VTG_VT_LIMITS=minute=100,hour=1000,day=3,month=100000 on a key VirusTotal allows 500 a day
  const limits = { minute: 100, hour: 1000, day: 3, month: 100_000 };
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  const governor = new MemoryGovernor({ clock });
  governor.configure(K, limits);
  for (let i = 0; i < 3; i++) await governor.acquire(K);
  let granted = 0;
  const queued = governor.acquire(K).then(() => granted++);
  queued.catch(() => {});
  const counter = (used: number, allowed: number) => ({ user: { used, allowed } });
  const quotas: OverallQuotas = { hourly: counter(3, 20_000), daily: counter(3, 500), monthly: counter(3, 1_000_000), raw: {} };
  const client = { overallQuotas: async () => quotas } as unknown as VirusTotalClient;
  const reconciler = new QuotaReconciler({
    client: async () => client,
    governor,
    key: K,
    userId: 'me',
    clock,
    intervalMs: 3600_000,
    configuredLimits: limits,
    limitsAreCaps: true,
  });
  for (let i = 0; i < 3; i++) {
    await reconciler.runOnce();
    await clock.advance(0);
  }
  assert.equal(reconciler.reachable, true);
  assert.equal(granted, 0, 'no reconcile lets the queued call through');
  assert.equal(governor.limits(K).day, 3);
  assert.equal((await governor.summary(K)).windows.find((w) => w.window === 'day')?.used, 3);
  reconciler.stop();
  await governor.close();
});
