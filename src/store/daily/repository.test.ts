// Per-day counters: deltas add up per UTC day across opens of the same store; old days are pruned.
import assert from 'node:assert/strict';
import { openTestStore, storeTest } from '../test-support/engines.js';

let runs = 0;

storeTest('daily counters add up per day, survive a reopen, and prune', async () => {
  const name = `daily-${++runs}`;
  const first = await openTestStore(name);
  await first.daily.add('2026-12-03', { lookups: 5 });
  await first.daily.add('2026-12-04', { lookups: 2, cacheHits: 1, errors: 0 });
  await first.close();
  const second = await openTestStore(name);
  try {
    await second.daily.add('2026-12-04', { lookups: 3, cacheHits: 2 });
    assert.deepEqual(await second.daily.day('2026-12-04'), { cacheHits: 3, lookups: 5 });
    assert.deepEqual(await second.daily.day('2026-12-05'), {});
    assert.equal(await second.daily.pruneBefore('2026-12-04'), 1);
    assert.deepEqual(await second.daily.day('2026-12-03'), {});
  } finally {
    await second.close();
  }
});
