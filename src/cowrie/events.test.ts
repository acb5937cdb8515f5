import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventTime } from './events.js';

test('eventTime reads Cowrie timestamps as Date.parse does, day after day and on odd dates', () => {
  const stamps: string[] = [];
  for (const day of ['2023-11-30', '2020-03-19', '2024-02-29', '2023-02-30', '2023-04-31', '2023-02-31', '1970-01-01', '0100-03-01', '0050-06-15', '2099-12-31', '2023-11-30']) {
    stamps.push(`${day}T00:00:00Z`, `${day}T01:41:53.570525Z`, `${day}T23:59:59.999Z`);
  }
  // Every day of a leap year and of a common one, in order and back again (the day cache changes each time).
  for (const year of [2023, 2024]) {
    for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += 86_400_000 + 3_723_456) stamps.push(new Date(ms).toISOString());
  }
  for (const ts of [...stamps, ...stamps.slice().reverse()]) {
    assert.equal(eventTime({ timestamp: ts }), Date.parse(ts), ts);
  }
});

test('eventTime refuses what Date.parse refuses, and falls back to epoch', () => {
  for (const ts of ['2023-13-01T00:00:00Z', '2023-00-10T00:00:00Z', '2023-01-00T00:00:00Z', '2023-01-32T00:00:00Z', '2023-1a-01T00:00:00Z']) {
    assert.equal(eventTime({ timestamp: ts }), undefined, ts);
    assert.equal(eventTime({ timestamp: ts, epoch: 1_700_000_000 }), 1_700_000_000_000, ts);
  }
});
