import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../config/index.js';
import { CLEAN_SHA256, EICAR_MD5, EICAR_SHA256, NOT_FOUND_SHA256 } from '../mock/index.js';
import type { Change } from '../store/index.js';
import { Gateway } from './gateway.js';
import { QuotaExhaustedError } from './errors.js';
import { billableCalls, openHarness } from './test-support/harness.js';

const hashes = (n: number, salt: string) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`${salt}-${i}`).toString('hex').padEnd(64, '0').slice(0, 64));

test('a second lookup of the same indicators makes no upstream call and says cache', async () => {
  const h = await openHarness();
  after(() => h.close());
  const inputs = [EICAR_SHA256, CLEAN_SHA256, 'http://evil.example.com/payload.exe', 'example.org', '8.8.8.8'];
  const first = await h.gateway.lookupMany(inputs);
  assert.ok(first.every((o) => o.ok && o.result.source === 'upstream'), JSON.stringify(first.map((o) => (o.ok ? o.result.source : o.error))));
  const calls = billableCalls(h.mock);
  assert.equal(calls, 5);
  const second = await h.gateway.lookupMany(inputs);
  assert.ok(second.every((o) => o.ok && o.result.source === 'cache'));
  assert.equal(billableCalls(h.mock), calls, 'no upstream call the second time');
  const eicar = second[0];
  assert.ok(eicar?.ok);
  assert.equal(eicar.result.report.verdict, 'malicious');
  assert.equal(h.gateway.stats().cacheHits, 5);
});

test('a file found by sha256 is a cache hit when looked up by md5 afterwards', async () => {
  const h = await openHarness();
  after(() => h.close());
  await h.gateway.lookup(EICAR_SHA256);
  const before = billableCalls(h.mock);
  const byMd5 = await h.gateway.lookup(EICAR_MD5);
  assert.equal(byMd5.source, 'cache');
  assert.equal(byMd5.report.id, EICAR_MD5);
  assert.equal(billableCalls(h.mock), before);
});

test('not found is a result, cached negatively', async () => {
  const h = await openHarness();
  after(() => h.close());
  const r = await h.gateway.lookup(NOT_FOUND_SHA256);
  assert.equal(r.report.found, false);
  assert.equal(r.report.verdict, 'not_found');
  const again = await h.gateway.lookup(NOT_FOUND_SHA256);
  assert.equal(again.source, 'cache');
  assert.equal(billableCalls(h.mock), 1);
});

test('concurrent lookups of the same indicator share one upstream call', async () => {
  const h = await openHarness({ mock: { faults: { latencyMs: 100 } } });
  after(() => h.close());
  const results = await Promise.all(Array.from({ length: 20 }, () => h.gateway.lookup(CLEAN_SHA256)));
  assert.equal(results.length, 20);
  assert.equal(billableCalls(h.mock), 1);
  assert.equal(h.gateway.stats().singleFlightJoins, 19);
});

test('with the quota exhausted a cached indicator is answered stale and an uncached one fails clearly when asked not to wait', async () => {
  const h = await openHarness({
    mock: { limits: { minute: 1000, hour: 1000, day: 3, month: 1000 } },
    env: { VTG_VT_LIMITS: 'minute=1000,day=3,month=1000', VTG_STALE_IF_WAIT: '1' },
  });
  after(() => h.close());
  const [a, b, c] = hashes(3, 'quota');
  for (const x of [a, b, c]) await h.gateway.lookup(x as string);
  // Make every entry expired by asking for a fresher answer than we have: with no quota left we get stale.
  const stale = await h.gateway.lookup(a as string, { maxAgeMs: -1 });
  assert.equal(stale.source, 'stale');
  assert.equal(stale.stale, true);
  assert.ok(stale.ageMs >= 0);
  const uncached = hashes(1, 'fresh')[0] as string;
  await assert.rejects(h.gateway.lookup(uncached, { waitForQuota: false }), (err: unknown) => {
    assert.ok(err instanceof QuotaExhaustedError);
    assert.match((err as Error).message, /virustotal quota exhausted \(day 3\/3 used\); next request possible in/);
    return true;
  });
  assert.equal(billableCalls(h.mock), 3);
});

test('a verdict change between two lookups gives two observations and one change event', async () => {
  const h = await openHarness();
  after(() => h.close());
  const changes: Change[] = [];
  h.gateway.events.on('verdict.changed', (c) => changes.push(c));
  await h.gateway.lookup(CLEAN_SHA256);
  h.mock.setVerdict('file', CLEAN_SHA256, { malicious: 12, undetected: 50, harmless: 0, suspicious: 0 });
  const second = await h.gateway.lookup(CLEAN_SHA256, { maxAgeMs: 0 });
  assert.equal(second.source, 'upstream');
  assert.equal(second.report.verdict, 'malicious');
  const history = await h.gateway.history(CLEAN_SHA256);
  assert.equal(history.observations.length, 2);
  assert.notEqual(history.observations[0]?.verdict, 'malicious');
  assert.equal(history.observations[1]?.verdict, 'malicious');
  assert.equal(changes.length, 1);
  assert.ok(changes[0]?.reasons.includes('verdict'));
  assert.equal(changes[0]?.to.verdict, 'malicious');
  assert.equal(history.changes.length, 1);
});

test('estimate counts cached, duplicate, invalid and upstream indicators without spending quota', async () => {
  const h = await openHarness();
  after(() => h.close());
  await h.gateway.lookup(EICAR_SHA256);
  const before = billableCalls(h.mock);
  const est = await h.gateway.estimate([EICAR_SHA256, EICAR_SHA256, 'not an ioc !!', CLEAN_SHA256, 'example.com']);
  assert.equal(est.total, 5);
  assert.equal(est.invalid, 1);
  assert.equal(est.duplicates, 1);
  assert.equal(est.cached, 1);
  assert.equal(est.upstream, 2);
  assert.ok(est.quota.windows.length > 0);
  assert.equal(billableCalls(h.mock), before);
});

test('with no key the gateway runs on its built-in simulator, in its own data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtg-gw-mock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const gateway = await Gateway.open({ config: loadConfig({ env: { HOME: dir, VTG_DATA_DIR: dir } }) });
  try {
    assert.equal(gateway.mock, true);
    assert.ok(gateway.simulatorUrl?.startsWith('http://127.0.0.1:'));
    assert.equal(gateway.config.dataDir, join(dir, 'mock'));
    const r = await gateway.lookup(EICAR_SHA256);
    assert.equal(r.report.verdict, 'malicious');
    const health = await gateway.health();
    assert.equal(health.mock, true);
    assert.equal(health.keyConfigured, false);
    const ip = await gateway.enrich('45.148.10.95');
    assert.deepEqual(ip.sources.map((s) => s.provider), ['virustotal', 'dshield', 'spur']);
    assert.ok(ip.sources.every((s) => s.ok), JSON.stringify(ip.sources));
  } finally {
    await gateway.close();
  }
});

test('bad input is refused with the reason and spends nothing', async () => {
  const h = await openHarness();
  after(() => h.close());
  await assert.rejects(h.gateway.lookup('definitely not an indicator'), /not a hash, URL, domain or IP/);
  await assert.rejects(h.gateway.lookup('10.0.0.1'), /private IP address/);
  const out = await h.gateway.lookupMany(['', 'zzz', EICAR_SHA256]);
  assert.equal(out.filter((o) => !o.ok).length, 2);
  assert.equal(billableCalls(h.mock), 1);
});

test('quota counts survive a restart on the same data dir (consecutive vtg runs share one budget)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vtg-gw-persist-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await openHarness({ dataDir, env: { VTG_VT_LIMITS: 'minute=1000,day=1000,month=10000' } });
  await first.gateway.lookupMany(hashes(3, 'persist'));
  await first.close();
  const second = await openHarness({ dataDir, env: { VTG_VT_LIMITS: 'minute=1000,day=1000,month=10000' } });
  after(() => second.close());
  const quota = await second.gateway.quota();
  const day = quota.windows.find((w) => w.window === 'day');
  assert.equal(day?.used, 3);
  assert.equal(quota.ledger.lookup, 3);
});

test('an answer found under another hash of the same file names the hash that was asked for', async () => {
  const h = await openHarness();
  after(() => h.close());
  await h.gateway.lookup(EICAR_MD5);
  const bySha = await h.gateway.lookup(EICAR_SHA256);
  assert.equal(bySha.source, 'cache');
  assert.equal(bySha.report.indicator, EICAR_SHA256);
  assert.equal(bySha.report.id, EICAR_SHA256);
});
