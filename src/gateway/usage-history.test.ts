/**
 * The usage history (calls per hour per key, behind the quota forecast) in its table: two processes
 * on one data dir add up instead of the last save overwriting the other's calls; the history an
 * earlier version kept in one settings value moves to the table; hours older than 90 days go.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { Store } from '../store/index.js';
import { UsageHistory } from './forecast.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openStore(clock: FakeClock) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vtg-usage-'));
  dirs.push(dataDir);
  return { dataDir, store: await Store.open({ dataDir, clock }) };
}

test('two processes on one data dir: their calls add up, and each sees the other after a save', async () => {
  const clock = new FakeClock(Date.UTC(2026, 3, 2, 10, 15));
  const { dataDir, store } = await openStore(clock);
  const other = await Store.open({ dataDir, clock });
  const service = new UsageHistory(clock, { hours: store.usage, legacy: store.kv });
  const cli = new UsageHistory(clock, { hours: other.usage, legacy: other.kv });
  await service.load();
  await cli.load();
  for (let i = 0; i < 3; i++) service.record('virustotal');
  for (let i = 0; i < 2; i++) cli.record('virustotal');
  await cli.save();
  await service.save();
  const hour = Math.floor(clock.now() / HOUR) * HOUR;
  assert.deepEqual(service.series('virustotal', hour), [{ hour, calls: 5 }], 'the service sees the CLI calls');
  await cli.save();
  assert.deepEqual(cli.series('virustotal', hour), [{ hour, calls: 5 }], 'saving again adds nothing twice');
  const fresh = new UsageHistory(clock, { hours: store.usage });
  await fresh.load();
  assert.equal(fresh.since('virustotal', hour), 5);
  await other.close();
  await store.close();
});

test('a history kept in the old settings value moves to the table once; hours older than 90 days are dropped', async () => {
  const clock = new FakeClock(Date.UTC(2026, 3, 2, 10));
  const { store } = await openStore(clock);
  const now = clock.now();
  const old = now - 91 * DAY;
  await store.kv.set('usage.hours', JSON.stringify({ virustotal: { [now - 2 * HOUR]: 7, [old]: 4 }, dshield: { [now - HOUR]: 1 } }));
  const usage = new UsageHistory(clock, { hours: store.usage, legacy: store.kv });
  await usage.load();
  assert.equal(await store.kv.get('usage.hours'), undefined, 'the old value is gone');
  assert.deepEqual(usage.series('virustotal', now - 100 * DAY), [{ hour: now - 2 * HOUR, calls: 7 }]);
  assert.equal(usage.since('dshield', now - DAY), 1);
  // a second load finds nothing to move and reads the same table
  const again = new UsageHistory(clock, { hours: store.usage, legacy: store.kv });
  await again.load();
  assert.equal(again.since('virustotal', now - DAY), 7);
  await store.close();
});
