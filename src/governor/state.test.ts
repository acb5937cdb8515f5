/**
 * The ETA simulation reads the bucket's parameters once and skips waitTime's bookkeeping: it must
 * give exactly what granting one call at a time with waitTime and commitGrant gives, whatever the
 * limits, the reserve, the history and the pause.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneSnapshot, commitGrant, emptySnapshot, type QuotaSnapshot, simulateSeries, waitTime } from './state.js';
import type { QuotaLimits } from './types.js';

/** The simulation as waitTime and commitGrant define it, one grant at a time. */
function reference(state: QuotaSnapshot, now: number, calls: number, reserve: number): number[] {
  const s = cloneSnapshot(state);
  const out: number[] = [];
  let t = now;
  for (let i = 0; i < calls; i++) {
    for (let guard = 0; guard < 4; guard++) {
      const { wait } = waitTime(s, t, reserve);
      if (wait === 0) break;
      t += wait;
    }
    commitGrant(s, t, 'other');
    out.push(t - now);
  }
  return out;
}

const NOW = Date.UTC(2026, 0, 31, 23, 58, 30); // a month, a day and an hour end within the first minutes

const LIMITS: QuotaLimits[] = [
  { minute: 4, day: 500, month: 15_500, burst: 1 },
  { minute: 4, hour: 240, day: 500, month: 15_500, burst: 1 },
  { minute: 1000, day: 20_000 },
  { ratePerSec: 1, burst: 3 },
  { ratePerSec: 2.5, burst: 1, day: 50, minuteMarginMs: 250 },
  { minute: 30, hour: 100, month: 1000 },
  { day: 7 },
  {},
];

test('the ETA simulation gives exactly the grant-by-grant series', () => {
  for (const limits of LIMITS) {
    for (const reserve of [0, 0.1, 0.5]) {
      const fresh = emptySnapshot(limits);
      // A state with history: grants in the last minute, the windows partly used, the bucket drained.
      const used = emptySnapshot(limits);
      for (let i = 0; i < 3; i++) commitGrant(used, NOW - 20_000 + i * 1000, 'lookup');
      const paused = { ...cloneSnapshot(used), pausedUntil: NOW + 90_000 };
      for (const state of [fresh, used, paused]) {
        const calls = 1200;
        const fast = simulateSeries(state, NOW, calls, reserve);
        assert.deepEqual(fast, reference(state, NOW, calls, reserve), `${JSON.stringify(limits)} reserve ${reserve}`);
      }
    }
  }
});

test('the simulation leaves the state it is given as it was', () => {
  const state = emptySnapshot({ minute: 4, day: 500, burst: 1 });
  commitGrant(state, NOW - 1000, 'lookup');
  const before = JSON.stringify(state);
  simulateSeries(state, NOW, 50, 0.1);
  assert.equal(JSON.stringify(state), before);
});
