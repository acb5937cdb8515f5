// PostgreSQL stopped under a store (the harness's immediate stop, like a crash) and started again:
// cache reads answer "not cached", writes queue in memory up to the limit then fail with
// StoreUnavailableError, other calls fail with it too, and the queue lands once the server is back.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TestPostgresServer, postgresUnavailableReason } from '../test-support/postgres-server.js';
import { until } from '../test-support/until.js';
import { type DatabaseState, Store, StoreUnavailableError } from './index.js';
import { makeReport } from './test-support/reports.js';

const skip = postgresUnavailableReason();
if (skip) console.log(`# ${skip}`);
let server: TestPostgresServer | undefined;
after(() => server?.close());

const waiting = (store: Store) => (store.database() as DatabaseState).queued;

test('PostgreSQL down: reads answer or fail clearly, writes queue up to the limit, and land after a restart without reopening', { skip }, async () => {
  server = await TestPostgresServer.start();
  const store = await Store.open({ databaseUrl: server.createDatabase('outage'), writeQueueLimit: 3 });
  try {
    const T = Date.UTC(2026, 0, 15);
    const first = makeReport({ n: 'before', fetchedAt: T });
    await store.cache.put(first, T + 3_600_000);
    assert.deepEqual(store.database(), { engine: 'postgres', state: 'up', queued: 0, queueLimit: 3, downSince: null });

    const { token, record } = await store.tokens.create({ name: 'soar', role: 'analyst' });
    assert.equal(await store.tokens.count(), 1);
    assert.deepEqual(await store.tokens.verify(token), record);

    server.stopSync('immediate');
    assert.equal(await store.tokens.count(), 1, 'the reads every request makes answer what they last answered');
    assert.deepEqual(await store.tokens.verify(token), record);
    await assert.rejects(store.tokens.verify(`${token}x`), StoreUnavailableError, 'a token never verified is not let in');
    assert.deepEqual(await store.watchlists.namesOf('file', first.id), [], 'watchlists of an indicator: none known');
    assert.equal(await store.cache.get('virustotal', 'file', first.id), undefined, 'a cache read is a miss, not an error');
    assert.equal(store.database().state, 'down');
    const queued = [makeReport({ n: 'q1', fetchedAt: T }), makeReport({ n: 'q2', fetchedAt: T })];
    for (const r of queued) assert.equal(await store.cache.put(r, T + 3_600_000), true, 'acknowledged: queued');
    const observation = { provider: 'virustotal' as const, kind: 'file' as const, id: first.id, indicator: first.id, at: T, verdict: 'malicious' as const, detections: 5 };
    assert.equal(await store.history.observe(observation), null);
    assert.equal(waiting(store), 3);
    await assert.rejects(store.cache.put(makeReport({ n: 'q3', fetchedAt: T }), T + 3_600_000), (e: unknown) => e instanceof StoreUnavailableError && e.code === 'StoreUnavailable', 'past the limit: a clear refusal');
    await assert.rejects(store.tokens.list(), StoreUnavailableError, 'other calls fail clearly too');
    await assert.rejects(async () => {
      for await (const _ of store.search.iterate()) break;
    }, StoreUnavailableError, 'so do paging generators');

    server.startSync();
    await until(() => store.database().state === 'up' && waiting(store) === 0, 30_000, 200);
    for (const r of queued) assert.ok(await store.cache.get('virustotal', 'file', r.id), 'the queued entry landed');
    assert.equal((await store.history.latest('virustotal', 'file', first.id))?.detections, 5, 'the queued observation landed');
    assert.ok(await store.cache.get('virustotal', 'file', first.id), 'what was there before is still there');
    assert.equal(await store.cache.get('virustotal', 'file', makeReport({ n: 'q3' }).id), undefined, 'the refused write is not there');
  } finally {
    await store.close();
  }
});
