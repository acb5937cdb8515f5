// Retrying a dead letter: only a dead delivery of the named webhook goes back in the queue, due now.
import assert from 'node:assert/strict';
import { FakeClock } from '../../clock/index.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

let runs = 0;
const T0 = Date.UTC(2026, 0, 15, 12);

storeTest('a dead delivery is revived once, keeps its attempts and is due at once; others are not touched', async () => {
  const clock = new FakeClock(T0);
  const store = await openTestStore(`revive-${++runs}`, { clock });
  try {
    const hook = await store.webhooks.create({ url: 'https://a.example/hook', events: ['*'], secret: 's' });
    const other = await store.webhooks.create({ url: 'https://b.example/hook', events: ['*'], secret: 's' });
    const dead = await store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'batch.completed', payload: { job: 'j1' } });
    const live = await store.webhooks.enqueueDelivery({ webhookId: hook.id, event: 'batch.completed', payload: null });
    await store.webhooks.markDead(dead.id, { error: 'HTTP 500', status: 500 });
    await clock.advance(5000);
    assert.equal(await store.webhooks.revive(other.id, dead.id), false, 'not through another webhook');
    assert.equal(await store.webhooks.revive(hook.id, live.id), false, 'a pending delivery is not a dead letter');
    assert.equal(await store.webhooks.revive(hook.id, dead.id), true);
    const back = await store.webhooks.delivery(dead.id);
    assert.deepEqual({ status: back?.status, attempts: back?.attempts, nextAttemptAt: back?.nextAttemptAt }, { status: 'pending', attempts: 1, nextAttemptAt: T0 + 5000 });
    assert.ok((await store.webhooks.dueDeliveries(T0 + 5000, 10)).some((d) => d.id === dead.id));
    assert.equal(await store.webhooks.revive(hook.id, dead.id), false, 'revived once');
  } finally {
    await store.close();
  }
});
