import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectChange } from './changes.js';
import type { Observation } from './types.js';

const base: Observation = {
  provider: 'virustotal',
  kind: 'file',
  id: 'a'.repeat(64),
  indicator: 'a'.repeat(64),
  at: Date.UTC(2026, 0, 1),
  verdict: 'undetected',
  detections: 0,
  threatLabel: null,
};
const later = (o: Partial<Observation>): Observation => ({ ...base, at: base.at + 86_400_000, ...o });

test('a first observation is not a change', async () => {
  assert.equal(detectChange(undefined, base), null);
});

test('the same answer again is not a change', async () => {
  assert.equal(detectChange(base, later({})), null);
});

const cases: Array<[string, Partial<Observation>, Partial<Observation>, string[] | null]> = [
  ['verdict flips to malicious with many detections', {}, { verdict: 'malicious', detections: 40 }, ['verdict', 'detections']],
  ['verdict change with a small detection move', { verdict: 'harmless', detections: 0 }, { verdict: 'suspicious', detections: 1 }, ['verdict']],
  ['detections up by exactly the threshold', { verdict: 'malicious', detections: 10 }, { verdict: 'malicious', detections: 13 }, ['detections']],
  ['detections down by the threshold', { verdict: 'malicious', detections: 10 }, { verdict: 'malicious', detections: 7 }, ['detections']],
  ['detections moved by less than the threshold', { verdict: 'malicious', detections: 10 }, { verdict: 'malicious', detections: 12 }, null],
  ['a new threat label', { verdict: 'malicious', detections: 10, threatLabel: null }, { verdict: 'malicious', detections: 10, threatLabel: 'trojan.mirai' }, ['threat_label']],
  ['a different threat label', { verdict: 'malicious', detections: 10, threatLabel: 'trojan.gafgyt' }, { verdict: 'malicious', detections: 10, threatLabel: 'trojan.mirai' }, ['threat_label']],
  ['a label that disappears is not a new label', { verdict: 'malicious', detections: 10, threatLabel: 'trojan.mirai' }, { verdict: 'malicious', detections: 10, threatLabel: null }, null],
  ['unknown detections on one side do not count as a move', { verdict: 'malicious', detections: null }, { verdict: 'malicious', detections: 50 }, null],
  ['not found, then found', { verdict: 'not_found', detections: null }, { verdict: 'malicious', detections: 5 }, ['verdict']],
];

for (const [name, before, after, reasons] of cases) {
  test(`change detection: ${name}`, async () => {
    const change = detectChange(later({ ...before, at: base.at }), later(after));
    assert.deepEqual(change?.reasons ?? null, reasons);
  });
}

test('a change carries both sides and the newer time', async () => {
  const next = later({ verdict: 'malicious', detections: 40, threatLabel: 'trojan.mirai' });
  const change = detectChange(base, next);
  assert.deepEqual(change, {
    provider: 'virustotal',
    kind: 'file',
    id: base.id,
    indicator: base.indicator,
    at: next.at,
    reasons: ['verdict', 'detections', 'threat_label'],
    from: { verdict: 'undetected', detections: 0, threatLabel: null },
    to: { verdict: 'malicious', detections: 40, threatLabel: 'trojan.mirai' },
  });
});

test('minDetectionDelta is configurable', async () => {
  const prev = later({ verdict: 'malicious', detections: 10, at: base.at });
  const next = later({ verdict: 'malicious', detections: 11 });
  assert.equal(detectChange(prev, next, { minDetectionDelta: 3 }), null);
  assert.deepEqual(detectChange(prev, next, { minDetectionDelta: 1 })?.reasons, ['detections']);
});
