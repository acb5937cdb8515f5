import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, ScaledClock, clockFromEnv, systemClock } from './index.js';

test('FakeClock wakes sleepers in time order only when time is advanced', async () => {
  const clock = new FakeClock(0);
  const woke: string[] = [];
  void clock.sleep(200).then(() => woke.push('b'));
  void clock.sleep(100).then(() => woke.push('a'));
  await clock.advance(50);
  assert.deepEqual(woke, []);
  await clock.advance(100);
  assert.deepEqual(woke, ['a']);
  await clock.advance(100);
  assert.deepEqual(woke, ['a', 'b']);
  assert.equal(clock.now(), 250);
});

test('FakeClock sleep rejects when aborted and leaves no sleeper behind', async () => {
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const p = clock.sleep(1000, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(clock.pending, 0);
});

test('FakeClock.runWhile drives a sleeping loop to completion', async () => {
  const clock = new FakeClock(0);
  let ticks = 0;
  const loop = (async () => {
    while (ticks < 10) {
      await clock.sleep(60_000);
      ticks++;
    }
  })();
  await clock.runWhile(() => ticks >= 10);
  await loop;
  assert.equal(ticks, 10);
  assert.equal(clock.now(), 600_000);
});

test('ScaledClock runs faster than real time from a shared anchor', async () => {
  const anchor = Date.now();
  const clock = new ScaledClock(1000, anchor);
  const before = clock.now();
  await clock.sleep(50_000); // 50 fake seconds = 50 real ms
  assert.ok(clock.now() - before >= 49_000);
  assert.ok(clock.now() >= anchor);
});

test('clockFromEnv picks the system clock unless a time scale is set', () => {
  assert.equal(clockFromEnv({}), systemClock);
  const scaled = clockFromEnv({ VTG_TIME_SCALE: '60', VTG_TIME_ANCHOR: '1000' });
  assert.ok(scaled instanceof ScaledClock);
  assert.equal((scaled as ScaledClock).anchor, 1000);
});
