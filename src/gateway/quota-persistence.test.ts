/** Saved quota counts merged across processes: nothing a process spent is forgotten. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuotaSnapshot } from '../governor/index.js';
import { mergeSnapshots } from './quota-persistence.js';

function snapshot(minute: number[]): QuotaSnapshot {
  return { minute, calendar: {}, ledger: {}, pausedUntil: 0, lastReconciledAt: null } as unknown as QuotaSnapshot;
}

test('grants in the same millisecond stay separate calls when a later run saves again', () => {
  // `vtg lookup a b c d` granted four calls in one millisecond; `vtg quota` then loaded and saved them
  const saved = snapshot([1000, 1000, 1000, 1000]);
  assert.deepEqual(mergeSnapshots(snapshot([1000, 1000, 1000, 1000]), saved).minute, [1000, 1000, 1000, 1000]);
  // two processes that each saw part of a burst: the larger share of each instant is kept, nothing is lost
  assert.deepEqual(mergeSnapshots(snapshot([1000, 1000, 2000]), snapshot([1000, 3000])).minute, [1000, 1000, 2000, 3000]);
});
