import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { Store } from '../store/index.js';
import { makeReport, testId } from '../store/test-support/reports.js';
import { makeTempDir } from '../store/test-support/temp-dir.js';
import { CacheRotator, DEFAULT_CACHE_LIMITS } from './index.js';

const tmp = makeTempDir('vtg-rotate-');
after(tmp.remove);
const T0 = Date.UTC(2026, 0, 15, 12);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
let n = 0;

async function setup() {
  const clock = new FakeClock(T0);
  const store = await Store.open({ file: join(tmp.dir, `rotate-${++n}.sqlite`), clock });
  return { clock, store };
}

/** Runs `whileWaiting` on every event-loop turn until `done()` (bounded). */
async function until(done: () => boolean, whileWaiting: () => Promise<void> | void = () => {}): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) {
    await whileWaiting();
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(done(), 'condition reached');
}

test('defaults follow the seed: 100 MB, 30 days, 10,000 per kind, hourly', async () => {
  const { store } = await setup();
  try {
    const rotator = new CacheRotator({ repository: store.cache });
    assert.deepEqual(rotator.limits, { maxBytes: 100 * 1024 * 1024, maxAgeMs: 30 * DAY, maxPerKind: 10_000 });
    assert.deepEqual(DEFAULT_CACHE_LIMITS, rotator.limits);
    assert.equal(rotator.intervalMs, HOUR);
  } finally {
    await store.close();
  }
});

test('hourly rotation keeps the file under its size limit while writes continue, and lookups are served during it', async () => {
  const { clock, store } = await setup();
  // the empty schema (a 16 KiB page per table and index) plus 512 KiB of entries (a 2.5 KB report deflates to about half)
  const base = await store.cache.usedBytes();
  const maxBytes = base + 512 * 1024;
  const rotator = new CacheRotator({ repository: store.cache, clock, limits: { maxBytes }, chunkSize: 50 });
  rotator.start();
  try {
    let written = 0;
    let lookupsDuringRotation = 0;
    for (let round = 1; round <= 4; round++) {
      // An hour of traffic: ~1.5 MB of new reports, more than the whole limit.
      for (let i = 0; i < 500; i++) {
        await store.cache.put(makeReport({ n: written, padBytes: 2500, fetchedAt: clock.now() + i }), clock.now() + DAY);
        written++;
      }
      assert.ok(store.fileSize() > maxBytes, 'the traffic alone exceeds the limit');
      // writes past the limit may start a rotation of their own (every 32 writes); the hourly one comes on top
      const runsBefore = rotator.runs;
      await clock.advance(HOUR);
      await until(
        () => rotator.runs > runsBefore,
        async () => {
          if (await store.cache.get('virustotal', 'file', testId(written - 1))) lookupsDuringRotation++;
        },
      );
      assert.ok(store.fileSize() <= maxBytes, `round ${round}: ${store.fileSize()} bytes fit ${maxBytes}`);
      assert.ok(await store.cache.get('virustotal', 'file', testId(written - 1)), 'the newest entry stays');
      assert.equal(await store.cache.get('virustotal', 'file', testId(0)), undefined, 'the oldest went');
      assert.ok((rotator.lastResult?.removed.size ?? 0) > 0, 'the size rule did the work');
    }
    assert.ok(written * 2500 > 4 * (maxBytes - base), 'several times the limit was written in all');
    assert.ok(lookupsDuringRotation > 0, 'rotation yields to other work between chunks');
    assert.deepEqual(await store.integrityCheck(), ['ok']);
  } finally {
    await rotator.stop();
    await store.close();
  }
});

test('entries older than the age limit go at the next hourly check; stop() ends the checks', async () => {
  const { clock, store } = await setup();
  const results: number[] = [];
  const rotator = new CacheRotator({ repository: store.cache, clock, onRotate: (r) => results.push(r.removed.age) });
  rotator.start();
  try {
    await until(() => rotator.runs === 1); // the start-up rotation
    await store.cache.put(makeReport({ n: 'old', fetchedAt: T0 - 31 * DAY }), T0 - DAY);
    await store.cache.put(makeReport({ n: 'recent', fetchedAt: T0 - 29 * DAY }), T0 + DAY);
    await clock.advance(HOUR - 1);
    assert.equal(rotator.runs, 1, 'not before the hour');
    await clock.advance(1);
    await until(() => rotator.runs === 2);
    assert.deepEqual(results, [0, 1]);
    assert.equal(await store.cache.get('virustotal', 'file', testId('old')), undefined);
    assert.ok(await store.cache.get('virustotal', 'file', testId('recent')));
    await rotator.stop();
    await clock.advance(3 * HOUR);
    assert.equal(rotator.runs, 2, 'no check after stop');
  } finally {
    await rotator.stop();
    await store.close();
  }
});

test('concurrent runOnce calls share one rotation', async () => {
  const { store } = await setup();
  try {
    const rotator = new CacheRotator({ repository: store.cache, limits: { maxPerKind: 1 } });
    await store.cache.put(makeReport({ n: 1, fetchedAt: T0 }), T0 + DAY);
    await store.cache.put(makeReport({ n: 2, fetchedAt: T0 + 1 }), T0 + DAY);
    const [a, b] = await Promise.all([rotator.runOnce(), rotator.runOnce()]);
    assert.equal(a, b);
    assert.equal(rotator.runs, 1);
    assert.equal(a.removed.count, 1);
    assert.ok(await store.cache.get('virustotal', 'file', testId(2)));
  } finally {
    await store.close();
  }
});

test('the timer mode starts and stops without a clock', async () => {
  const { store } = await setup();
  try {
    const rotator = new CacheRotator({ repository: store.cache, intervalMs: 60_000 });
    rotator.start();
    assert.equal(rotator.started, true);
    await rotator.stop();
    assert.equal(rotator.started, false);
  } finally {
    await store.close();
  }
});

test('rotation runs at start: a cache that grew past its limits is trimmed without waiting an hour', async () => {
  const { clock, store } = await setup();
  // the empty schema (a 16 KiB page per table and index) plus 512 KiB of entries (a 2.5 KB report deflates to about half)
  const base = await store.cache.usedBytes();
  const maxBytes = base + 512 * 1024;
  for (let i = 0; i < 800; i++) await store.cache.put(makeReport({ n: `pre-${i}`, padBytes: 2500, fetchedAt: clock.now() + i }), clock.now() + DAY);
  assert.ok(store.fileSize() > maxBytes);
  const rotator = new CacheRotator({ repository: store.cache, clock, limits: { maxBytes }, chunkSize: 50 });
  rotator.start();
  try {
    await until(() => rotator.runs >= 1);
    assert.ok(store.fileSize() <= maxBytes, `size ${store.fileSize()} after the first rotation`);
  } finally {
    await rotator.stop();
    await store.close();
  }
});

test('a write that takes the file past its size limit starts a rotation (no waiting for the hour)', async () => {
  const { clock, store } = await setup();
  // the empty schema (a 16 KiB page per table and index) plus 512 KiB of entries (a 2.5 KB report deflates to about half)
  const base = await store.cache.usedBytes();
  const maxBytes = base + 512 * 1024;
  const rotator = new CacheRotator({ repository: store.cache, clock, limits: { maxBytes }, chunkSize: 50 });
  rotator.start();
  try {
    await until(() => rotator.runs >= 1); // the start-up rotation, on an empty cache
    for (let i = 0; i < 800; i++) await store.cache.put(makeReport({ n: `w-${i}`, padBytes: 2500, fetchedAt: clock.now() + i }), clock.now() + DAY);
    // a check whose file (WAL included) is over the limit while the used pages are not removes nothing;
    // the one that finds the used pages over the limit removes entries until they fit
    await until(() => rotator.runs >= 2 && (rotator.lastResult?.removed.size ?? 0) > 0);
    assert.ok(store.fileSize() <= maxBytes, `size ${store.fileSize()} after the write-triggered rotation`);
    assert.ok(clock.now() < T0 + HOUR, 'no hour had to pass');
  } finally {
    await rotator.stop();
    await store.close();
  }
});
