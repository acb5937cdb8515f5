import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { Store } from '../index.js';
import { makeTempDir } from '../test-support/temp-dir.js';

const tmp = makeTempDir();
after(tmp.remove);
const T0 = Date.UTC(2026, 0, 15, 12);
let n = 0;
const open = (clock = new FakeClock(T0)) => Store.open({ file: join(tmp.dir, `hooks-${++n}.sqlite`), clock });

test('webhooks are created, listed by owner, matched by event and deleted with their deliveries', async () => {
  const clock = new FakeClock(T0);
  const store = open(clock);
  try {
    const a = store.webhooks.create({ owner: 'alice', url: 'https://a.example/hook', events: ['verdict.changed'], secret: 's1' });
    await clock.advance(1);
    const b = store.webhooks.create({ owner: 'bob', url: 'https://b.example/hook', events: ['*'], secret: 's2' });
    await clock.advance(1);
    const off = store.webhooks.create({ url: 'https://c.example/hook', events: ['verdict.changed'], secret: 's3', active: false });
    assert.deepEqual(store.webhooks.get(a.id), { ...a, events: ['verdict.changed'], active: true, createdAt: T0 });
    assert.deepEqual(
      store.webhooks.list('alice').map((h) => h.id),
      [a.id],
    );
    assert.deepEqual(
      store.webhooks.list(null).map((h) => h.id),
      [off.id],
    );
    assert.equal(store.webhooks.list().length, 3);
    assert.deepEqual(
      store.webhooks.subscribers('verdict.changed').map((h) => h.id),
      [a.id, b.id],
    );
    assert.deepEqual(
      store.webhooks.subscribers('batch.completed').map((h) => h.id),
      [b.id],
    );

    const d = store.webhooks.enqueueDelivery({ webhookId: a.id, event: 'verdict.changed', payload: { id: 'x' } });
    assert.equal(store.webhooks.delete(a.id), true);
    assert.equal(store.webhooks.delivery(d.id), undefined, 'deliveries go with their webhook');
    assert.equal(store.webhooks.delete(a.id), false);
  } finally {
    store.close();
  }
});

test('a delivery is due, claimed by one worker at a time, retried when failed, and finished when delivered or dead', () => {
  const clock = new FakeClock(T0);
  const store = open(clock);
  try {
    const hook = store.webhooks.create({ url: 'https://a.example/hook', events: ['*'], secret: 's' });
    const d = store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'batch.completed', payload: { job: 'j1', done: 3 } });
    assert.deepEqual(
      { status: d.status, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, payload: d.payload },
      { status: 'pending', attempts: 0, nextAttemptAt: T0, payload: { job: 'j1', done: 3 } },
    );
    assert.deepEqual(
      store.webhooks.dueDeliveries(T0, 10).map((x) => x.id),
      [d.id],
    );

    assert.equal(store.webhooks.claim(d.id, T0, 30_000), true);
    assert.equal(store.webhooks.claim(d.id, T0 + 1000, 30_000), false, 'leased to the first worker');
    assert.deepEqual(store.webhooks.dueDeliveries(T0 + 1000, 10), [], 'a leased delivery is not due');

    store.webhooks.markFailed(d.id, { error: 'HTTP 503', status: 503, nextAttemptAt: T0 + 60_000 });
    assert.deepEqual(store.webhooks.dueDeliveries(T0 + 59_999, 10), [], 'waits for its retry time');
    const retry = store.webhooks.dueDeliveries(T0 + 60_000, 10)[0];
    assert.deepEqual(
      { status: retry?.status, attempts: retry?.attempts, lastStatus: retry?.lastStatus, lastError: retry?.lastError, claimedUntil: retry?.claimedUntil },
      { status: 'failed', attempts: 1, lastStatus: 503, lastError: 'HTTP 503', claimedUntil: null },
    );
    assert.equal(store.webhooks.claim(d.id, T0 + 60_000, 30_000), true);
    store.webhooks.markDelivered(d.id, { status: 200, at: T0 + 61_000 });
    const delivered = store.webhooks.delivery(d.id);
    assert.deepEqual(
      { status: delivered?.status, attempts: delivered?.attempts, deliveredAt: delivered?.deliveredAt, lastError: delivered?.lastError },
      { status: 'delivered', attempts: 2, deliveredAt: T0 + 61_000, lastError: null },
    );
    assert.deepEqual(store.webhooks.dueDeliveries(T0 + 999_999, 10), []);

    const lost = store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'x', payload: null });
    store.webhooks.markDead(lost.id, { error: 'connection refused' });
    assert.equal(store.webhooks.delivery(lost.id)?.status, 'dead');
    assert.equal(store.webhooks.claim(lost.id, T0 + 999_999, 1000), false, 'a dead delivery is never claimed');
    assert.deepEqual(
      store.webhooks.deliveries(hook.id, 10).map((x) => x.status).sort(),
      ['dead', 'delivered'],
    );
  } finally {
    store.close();
  }
});

test('an expired lease makes the delivery claimable again (a worker crashed mid-send)', () => {
  const store = open();
  try {
    const hook = store.webhooks.create({ url: 'https://a.example/hook', events: ['*'], secret: 's' });
    const d = store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'x', payload: 1 });
    assert.equal(store.webhooks.claim(d.id, T0, 5000), true);
    assert.equal(store.webhooks.claim(d.id, T0 + 5000, 5000), true);
  } finally {
    store.close();
  }
});
