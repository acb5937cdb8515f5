import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeVerdict, extractAnalysisStats, isMalicious } from './index.js';

test('extractAnalysisStats reads the 8 file keys, hyphenated ones included', () => {
  const stats = extractAnalysisStats({
    harmless: 1,
    'type-unsupported': 9,
    suspicious: 2,
    'confirmed-timeout': 3,
    timeout: 4,
    failure: 5,
    malicious: 62,
    undetected: 6,
  });
  assert.deepEqual(stats, {
    malicious: 62,
    suspicious: 2,
    harmless: 1,
    undetected: 6,
    timeout: 4,
    confirmedTimeout: 3,
    typeUnsupported: 9,
    failure: 5,
    engines: 71,
    total: 92,
  });
});

test('extractAnalysisStats reads the 5 URL/domain/IP keys; missing, junk and unknown entries count 0', () => {
  const stats = extractAnalysisStats({ harmless: 70, malicious: 3, suspicious: 1, undetected: 10, timeout: 2 });
  assert.equal(stats.engines, 84);
  assert.equal(stats.total, 86);
  assert.equal(stats.typeUnsupported, 0);
  const junk = extractAnalysisStats({ malicious: Number.NaN, harmless: -4, surprise: 9, type_unsupported: 2 } as Record<string, number>);
  assert.deepEqual([junk.malicious, junk.harmless, junk.typeUnsupported, junk.total], [0, 0, 2, 2]);
  assert.equal(extractAnalysisStats(undefined).total, 0);
});

const CASES: ReadonlyArray<readonly [Record<string, number> | undefined, { maliciousThreshold?: number; suspiciousThreshold?: number }, string]> = [
  [undefined, {}, 'unknown'],
  [{ timeout: 5, 'type-unsupported': 3 }, {}, 'unknown'],
  [{ malicious: 1, undetected: 60 }, {}, 'malicious'],
  [{ malicious: 2, undetected: 60 }, { maliciousThreshold: 3 }, 'suspicious'],
  [{ malicious: 3, undetected: 60 }, { maliciousThreshold: 3 }, 'malicious'],
  [{ suspicious: 1, harmless: 60 }, {}, 'suspicious'],
  [{ suspicious: 1, harmless: 60 }, { suspiciousThreshold: 2 }, 'harmless'],
  [{ suspicious: 1, undetected: 60 }, { suspiciousThreshold: 2 }, 'undetected'],
  [{ harmless: 60, undetected: 10 }, {}, 'harmless'],
  [{ undetected: 70 }, {}, 'undetected'],
  [{ malicious: 1, undetected: 60 }, { maliciousThreshold: 0 }, 'malicious'],
];

for (const [stats, thresholds, verdict] of CASES) {
  test(`computeVerdict(${JSON.stringify(stats)}, ${JSON.stringify(thresholds)}) = ${verdict}`, () => {
    assert.equal(computeVerdict(stats, thresholds), verdict);
    assert.equal(computeVerdict(extractAnalysisStats(stats), thresholds), verdict, 'same from AnalysisStats');
  });
}

test('isMalicious compares malicious detections with the threshold', () => {
  assert.equal(isMalicious({ malicious: 3 }, 3), true);
  assert.equal(isMalicious({ malicious: 2 }, 3), false);
  assert.equal(isMalicious(extractAnalysisStats({ malicious: 1 })), true);
  assert.equal(isMalicious(undefined), false);
});
