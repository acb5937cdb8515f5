import assert from 'node:assert/strict';
import { FakeClock } from '../../clock/index.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

const T0 = Date.UTC(2026, 0, 15, 12);
let n = 0;
const open = async (clock = new FakeClock(T0)) => await openTestStore(`hooks-${++n}`, { clock });

storeTest('webhooks are created, listed by owner, matched by event and deleted with their deliveries', async () => {
  const clock = new FakeClock(T0);
  const store = await open(clock);
  try {
    const a = await store.webhooks.create({ owner: 'alice', url: 'https://a.example/hook', events: ['verdict.changed'], secret: 's1' });
    await clock.advance(1);
    const b = await store.webhooks.create({ owner: 'bob', url: 'https://b.example/hook', events: ['*'], secret: 's2' });
    await clock.advance(1);
    const off = await store.webhooks.create({ url: 'https://c.example/hook', events: ['verdict.changed'], secret: 's3', active: false });
    assert.deepEqual(await store.webhooks.get(a.id), { ...a, events: ['verdict.changed'], active: true, createdAt: T0 });
    assert.deepEqual(
      (await store.webhooks.list('alice')).map((h) => h.id),
      [a.id],
    );
    assert.deepEqual(
      (await store.webhooks.list(null)).map((h) => h.id),
      [off.id],
    );
    assert.equal((await store.webhooks.list()).length, 3);
    assert.deepEqual(
      (await store.webhooks.subscribers('verdict.changed')).map((h) => h.id),
      [a.id, b.id],
    );
    assert.deepEqual(
      (await store.webhooks.subscribers('batch.completed')).map((h) => h.id),
      [b.id],
    );

    const d = await store.webhooks.enqueueDelivery({ webhookId: a.id, event: 'verdict.changed', payload: { id: 'x' } });
    assert.equal(await store.webhooks.delete(a.id), true);
    assert.equal(await store.webhooks.delivery(d.id), undefined, 'deliveries go with their webhook');
    assert.equal(await store.webhooks.delete(a.id), false);
  } finally {
    await store.close();
  }
});

storeTest('a delivery is due, claimed by one worker at a time, retried when failed, and finished when delivered or dead', async () => {
  const clock = new FakeClock(T0);
  const store = await open(clock);
  try {
    const hook = await store.webhooks.create({ url: 'https://a.example/hook', events: ['*'], secret: 's' });
    const d = await store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'batch.completed', payload: { job: 'j1', done: 3 } });
    assert.deepEqual(
      { status: d.status, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, payload: d.payload },
      { status: 'pending', attempts: 0, nextAttemptAt: T0, payload: { job: 'j1', done: 3 } },
    );
    assert.deepEqual(
      (await store.webhooks.dueDeliveries(T0, 10)).map((x) => x.id),
      [d.id],
    );

    assert.equal(await store.webhooks.claim(d.id, T0, 30_000), true);
    assert.equal(await store.webhooks.claim(d.id, T0 + 1000, 30_000), false, 'leased to the first worker');
    assert.deepEqual(await store.webhooks.dueDeliveries(T0 + 1000, 10), [], 'a leased delivery is not due');

    await store.webhooks.markFailed(d.id, { error: 'HTTP 503', status: 503, nextAttemptAt: T0 + 60_000 });
    assert.deepEqual(await store.webhooks.dueDeliveries(T0 + 59_999, 10), [], 'waits for its retry time');
    const retry = (await store.webhooks.dueDeliveries(T0 + 60_000, 10))[0];
    assert.deepEqual(
      { status: retry?.status, attempts: retry?.attempts, lastStatus: retry?.lastStatus, lastError: retry?.lastError, claimedUntil: retry?.claimedUntil },
      { status: 'failed', attempts: 1, lastStatus: 503, lastError: 'HTTP 503', claimedUntil: null },
    );
    assert.equal(await store.webhooks.claim(d.id, T0 + 60_000, 30_000), true);
    await store.webhooks.markDelivered(d.id, { status: 200, at: T0 + 61_000 });
    const delivered = await store.webhooks.delivery(d.id);
    assert.deepEqual(
      { status: delivered?.status, attempts: delivered?.attempts, deliveredAt: delivered?.deliveredAt, lastError: delivered?.lastError },
      { status: 'delivered', attempts: 2, deliveredAt: T0 + 61_000, lastError: null },
    );
    assert.deepEqual(await store.webhooks.dueDeliveries(T0 + 999_999, 10), []);

    const lost = await store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'x', payload: null });
    await store.webhooks.markDead(lost.id, { error: 'connection refused' });
    assert.equal((await store.webhooks.delivery(lost.id))?.status, 'dead');
    assert.equal(await store.webhooks.claim(lost.id, T0 + 999_999, 1000), false, 'a dead delivery is never claimed');
    assert.deepEqual(
      (await store.webhooks.deliveries(hook.id, 10)).map((x) => x.status).sort(),
      ['dead', 'delivered'],
    );
  } finally {
    await store.close();
  }
});

storeTest('an expired lease makes the delivery claimable again (a worker crashed mid-send)', async () => {
  const store = await open();
  try {
    const hook = await store.webhooks.create({ url: 'https://a.example/hook', events: ['*'], secret: 's' });
    const d = await store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'x', payload: 1 });
    assert.equal(await store.webhooks.claim(d.id, T0, 5000), true);
    assert.equal(await store.webhooks.claim(d.id, T0 + 5000, 5000), true);
  } finally {
    await store.close();
  }
});
