// "Today" counts from the store: a restart keeps the UTC day's figures (the since-start ones begin
// again at zero), a second gateway on the same store adds its share, and a new UTC day starts at zero.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { openHarness } from './test-support/harness.js';

test("today's figures survive a restart, add up over instances, and reset at 00:00 UTC", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vtg-daily-stats-'));
  const clock = new FakeClock(Date.UTC(2026, 11, 4, 22, 0, 0));
  try {
    const first = await openHarness({ dataDir, clock, background: false });
    try {
      await first.gateway.lookup('example.com');
      await first.gateway.lookup('example.com');
      const s = first.gateway.stats();
      assert.deepEqual([s.lookups, s.cacheHits, s.upstreamCalls], [2, 1, 1]);
      assert.deepEqual([s.today.day, s.today.lookups, s.today.cacheHits, s.today.upstreamCalls, s.today.hitRatio], ['2026-12-04', 2, 1, 1, 0.5], 'counted before any flush');
    } finally {
      await first.close();
    }

    // restarted: the since-start figures are zero, today's are not
    const second = await openHarness({ dataDir, clock, background: false });
    // and a second instance on the same store at the same time
    const third = await openHarness({ dataDir, clock, background: false });
    try {
      const s = second.gateway.stats();
      assert.deepEqual([s.lookups, s.today.lookups, s.today.cacheHits, s.today.upstreamCallsSaved], [0, 2, 1, 1]);
      await third.gateway.lookup('example.com');
      await third.gateway.lookup('8.8.8.8');
      assert.deepEqual([third.gateway.stats().today.lookups, third.gateway.stats().today.upstreamCalls], [4, 2]);
      await third.close();

      await clock.advance(2 * 3600_000);
      const t = second.gateway.stats().today;
      assert.deepEqual([t.day, t.lookups, t.hitRatio], ['2026-12-05', 0, 0], 'a new UTC day starts at zero');
      await second.gateway.lookup('example.org');
      assert.equal(second.gateway.stats().today.lookups, 1);
    } finally {
      await second.close();
      await third.close().catch(() => {});
    }
    const again = await openHarness({ dataDir, clock, background: false });
    try {
      assert.equal(again.gateway.stats().today.lookups, 1, 'the new day was kept too');
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
