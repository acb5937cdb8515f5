import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openHarness } from './test-support/harness.js';

test('cache clear takes the cleared answers out of search: all of them, or one indicator', async () => {
  const h = await openHarness({ background: false });
  after(() => h.close());
  for (const input of ['example.org', 'example.net', '8.8.8.8']) await h.gateway.lookup(input);
  assert.equal((await h.gateway.search({})).total, 3, 'the index holds what was looked up');

  assert.equal(await h.gateway.cacheClear({ input: 'example.org' }), 1);
  const left = await h.gateway.search({});
  assert.deepEqual(left.items.map((r) => r.indicator).sort(), ['8.8.8.8', 'example.net']);
  assert.equal((await h.gateway.search({ q: 'example.org' })).total, 0);

  assert.equal(await h.gateway.cacheClear({}), 2);
  assert.equal((await h.gateway.search({})).total, 0, 'nothing cached, nothing found');
  await h.gateway.lookup('example.org');
  assert.equal((await h.gateway.search({})).total, 1, 'a new answer is indexed again');
});
