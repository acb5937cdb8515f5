import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROFILE_LIMITS, QuotaLedger } from './quota.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

test('minute quota is a sliding 60 s window over granted requests', () => {
  const q = new QuotaLedger(PROFILE_LIMITS.public);
  for (let i = 0; i < 4; i++) assert.equal(q.take('k', T0 + i * 1000).ok, true);
  assert.deepEqual(q.take('k', T0 + 59_999), { ok: false, window: 'minute' });
  // The refused request did not count: at T0+60s the first request has left the window.
  assert.equal(q.take('k', T0 + 60_000).ok, true);
  assert.equal(q.take('k', T0 + 60_500).ok, false);
  assert.equal(q.take('k', T0 + 61_000).ok, true);
  assert.equal(q.used('k', T0 + 61_000).minute, 4);
});

test('keys have separate quotas', () => {
  const q = new QuotaLedger({ ...PROFILE_LIMITS.public, minute: 1 });
  assert.equal(q.take('a', T0).ok, true);
  assert.equal(q.take('a', T0).ok, false);
  assert.equal(q.take('b', T0).ok, true);
});

test('hour, day and month reset at UTC calendar boundaries', () => {
  const q = new QuotaLedger({ minute: 1000, hour: 2, day: 3, month: 4 });
  const lateHour = Date.UTC(2026, 0, 31, 22, 59, 0);
  assert.equal(q.take('k', lateHour).ok, true);
  assert.equal(q.take('k', lateHour + 1000).ok, true);
  assert.deepEqual(q.take('k', lateHour + 2000), { ok: false, window: 'hour' });
  const nextHour = Date.UTC(2026, 0, 31, 23, 0, 0);
  assert.equal(q.take('k', nextHour).ok, true);
  assert.deepEqual(q.take('k', nextHour + 1000), { ok: false, window: 'day' });
  const nextDay = Date.UTC(2026, 1, 1, 0, 0, 0);
  assert.equal(q.take('k', nextDay).ok, true, 'day and month reset on Feb 1st');
  assert.deepEqual(q.used('k', nextDay), { minute: 1, hour: 1, day: 1, month: 1 });
});

test('month quota holds across days and resets on the 1st', () => {
  const q = new QuotaLedger({ minute: 1000, hour: 1000, day: 1000, month: 2 });
  assert.equal(q.take('k', Date.UTC(2026, 2, 1)).ok, true);
  assert.equal(q.take('k', Date.UTC(2026, 2, 15)).ok, true);
  assert.deepEqual(q.take('k', Date.UTC(2026, 2, 31, 23, 59, 59)), { ok: false, window: 'month' });
  assert.equal(q.take('k', Date.UTC(2026, 3, 1)).ok, true);
});
