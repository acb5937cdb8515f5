import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { Store } from './index.js';
import { makeReport } from './test-support/reports.js';
import { makeTempDir } from './test-support/temp-dir.js';
import { testDatabaseUrl } from './test-support/engines.js';
import { postgresUnavailableReason } from '../test-support/postgres-server.js';

test('operator state (tokens, webhooks, batches, settings) lives in one store whatever the mode; simulated answers stay apart', async (t) => {
  const tmp = makeTempDir();
  t.after(tmp.remove);
  const clock = new FakeClock(Date.UTC(2026, 2, 25));
  // an older mock-mode data dir: everything in <data-dir>/mock
  const old = await Store.open({ dataDir: join(tmp.dir, 'mock'), clock });
  const made = await old.tokens.create({ name: 'ops', role: 'admin', dailyBudget: null });
  await old.kv.set('setting', 'kept');
  await old.close();

  const mock = await Store.open({ dataDir: join(tmp.dir, 'mock'), operatorDir: tmp.dir, clock });
  assert.equal((await mock.tokens.list()).map((x) => x.name).join(), 'ops', 'the mock-mode token is migrated');
  assert.equal((await mock.tokens.list())[0]?.id, made.record.id);
  assert.equal(await mock.kv.get('setting'), 'kept');
  await mock.tokens.create({ name: 'ci', role: 'reader', dailyBudget: null });
  const report = makeReport({ n: 'simulated', detections: 3, fetchedAt: clock.now() });
  await mock.cache.put(report, clock.now() + 3_600_000);
  await mock.close();

  const real = await Store.open({ dataDir: tmp.dir, clock });
  assert.deepEqual((await real.tokens.list()).map((x) => x.name).sort(), ['ci', 'ops'], 'tokens made without a key are seen with one');
  assert.equal(await real.cache.get('virustotal', report.kind, report.id), undefined, 'simulated answers never reach the real cache');
  await real.close();

  const again = await Store.open({ dataDir: join(tmp.dir, 'mock'), operatorDir: tmp.dir, clock });
  assert.equal((await again.tokens.list()).length, 2, 'migration runs once: nothing duplicated or resurrected');
  await again.close();
});

test('on PostgreSQL, mock mode keeps simulated answers in the schema vtg_mock and the operator state in the default schema', { skip: postgresUnavailableReason() }, async (t) => {
  const tmp = makeTempDir();
  t.after(tmp.remove);
  const clock = new FakeClock(Date.UTC(2026, 2, 25));
  const url = await testDatabaseUrl('operator');
  const mock = await Store.open({ databaseUrl: url, dataDir: join(tmp.dir, 'mock'), operatorDir: tmp.dir, clock });
  await mock.tokens.create({ name: 'ops', role: 'admin', dailyBudget: null });
  const report = makeReport({ n: 'simulated', fetchedAt: clock.now() });
  await mock.cache.put(report, clock.now() + 3_600_000);
  assert.ok(await mock.cache.get('virustotal', report.kind, report.id));
  await mock.close();

  const real = await Store.open({ databaseUrl: url, dataDir: tmp.dir, clock });
  try {
    assert.deepEqual((await real.tokens.list()).map((x) => x.name), ['ops'], 'tokens made without a key are seen with one');
    assert.equal(await real.cache.get('virustotal', report.kind, report.id), undefined, 'simulated answers never reach the real cache');
  } finally {
    await real.close();
  }
});
