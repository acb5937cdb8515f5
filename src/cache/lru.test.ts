import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from './lru.js';

test('the least recently used entry is evicted when full', async () => {
  const evicted: string[] = [];
  const lru = new LruCache<string, number>(3, { onEvict: (k) => evicted.push(k) });
  lru.set('a', 1).set('b', 2).set('c', 3);
  assert.equal(lru.get('a'), 1, 'reading a makes it recent');
  lru.set('d', 4);
  assert.deepEqual(evicted, ['b']);
  assert.deepEqual([...lru.keys()], ['c', 'a', 'd']);
  assert.equal(lru.size, 3);
});

test('peek does not change recency; overwriting refreshes it', async () => {
  const lru = new LruCache<string, number>(2);
  lru.set('a', 1).set('b', 2);
  assert.equal(lru.peek('a'), 1);
  lru.set('c', 3);
  assert.equal(lru.has('a'), false, 'peek left a least recent');
  lru.set('b', 20);
  lru.set('d', 4);
  assert.deepEqual([...lru.entries()], [
    ['b', 20],
    ['d', 4],
  ]);
});

test('defaults to 10,000 entries and stays bounded under many inserts', async () => {
  const lru = new LruCache<number, number>();
  assert.equal(lru.maxEntries, 10_000);
  for (let i = 0; i < 25_000; i++) lru.set(i, i);
  assert.equal(lru.size, 10_000);
  assert.equal(lru.get(14_999), undefined);
  assert.equal(lru.get(15_000), 15_000);
});

test('delete, clear and a missing key', async () => {
  const lru = new LruCache<string, string>(5);
  lru.set('x', 'y');
  assert.equal(lru.get('nope'), undefined);
  assert.equal(lru.delete('x'), true);
  assert.equal(lru.delete('x'), false);
  lru.set('z', 'w');
  lru.clear();
  assert.equal(lru.size, 0);
  assert.throws(() => new LruCache(0), RangeError);
});

test('reading the most recent key again keeps the order; deleting it and reading others stays consistent', async () => {
  const evicted: string[] = [];
  const lru = new LruCache<string, number>(3, { onEvict: (k) => evicted.push(k) });
  lru.set('a', 1).set('b', 2).set('c', 3);
  assert.equal(lru.get('c'), 3);
  assert.equal(lru.get('c'), 3);
  assert.deepEqual([...lru.keys()], ['a', 'b', 'c']);
  assert.equal(lru.get('a'), 1);
  assert.equal(lru.get('a'), 1);
  assert.deepEqual([...lru.keys()], ['b', 'c', 'a']);
  lru.delete('a');
  assert.equal(lru.get('a'), undefined);
  assert.equal(lru.get('b'), 2);
  assert.deepEqual([...lru.keys()], ['c', 'b']);
  lru.set('a', 10).set('d', 4);
  assert.deepEqual(evicted, ['c']);
  assert.equal(lru.get('b'), 2);
  assert.deepEqual([...lru.keys()], ['a', 'd', 'b']);
  lru.clear();
  lru.set('x', 1);
  assert.equal(lru.get('x'), 1);
  assert.deepEqual([...lru.keys()], ['x']);
});

test('a stored undefined value is found (get tells a stored undefined from a missing key)', async () => {
  const lru = new LruCache<string, number | undefined>(2);
  lru.set('u', undefined).set('v', 1);
  assert.equal(lru.get('u'), undefined);
  assert.deepEqual([...lru.keys()], ['v', 'u'], 'reading u made it recent');
});
