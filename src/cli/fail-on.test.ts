import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisStats, Report } from '../providers/types.js';
import { failedRules, gate, parseFailOn } from './fail-on.js';

function report(stats: Partial<AnalysisStats>, extra: Partial<Report> = {}): Report {
  const s: AnalysisStats = { malicious: 0, suspicious: 0, harmless: 0, undetected: 0, timeout: 0, confirmedTimeout: 0, typeUnsupported: 0, failure: 0, engines: 70, total: 70, ...stats };
  return { provider: 'virustotal', kind: 'file', id: 'x', indicator: 'x', found: true, verdict: 'undetected', stats: s, detections: s.malicious, engines: 70, data: null, fetchedAt: 0, ...extra };
}

test('thresholds compare the v3 stats', () => {
  assert.equal(parseFailOn('malicious>=3').test(report({ malicious: 3 })), true);
  assert.equal(parseFailOn('malicious>=3').test(report({ malicious: 2 })), false);
  assert.equal(parseFailOn('malicious > 2').test(report({ malicious: 3 })), true);
  assert.equal(parseFailOn('detections>=5').test(report({ malicious: 4 })), false);
  assert.equal(parseFailOn('DETECTIONS>=5').test(report({ malicious: 5 })), true);
  assert.equal(parseFailOn('suspicious>=2').test(report({ suspicious: 2 })), true);
  assert.equal(parseFailOn('malicious=0').test(report({ malicious: 0 })), true);
});

test('bare "suspicious" also fails on anything malicious; bare "malicious" means >=1', () => {
  const rule = parseFailOn('suspicious');
  assert.equal(rule.test(report({ suspicious: 1 })), true);
  assert.equal(rule.test(report({ malicious: 1 })), true);
  assert.equal(rule.test(report({ harmless: 70 })), false);
  assert.equal(parseFailOn('malicious').test(report({ malicious: 1 })), true);
});

test('the verdict string is not used: a report called malicious with zero malicious engines passes', () => {
  assert.deepEqual(failedRules([parseFailOn('malicious>=1')], report({ malicious: 0 }, { verdict: 'malicious' })), []);
});

test('a not-found report never fails a gate', () => {
  assert.deepEqual(failedRules([parseFailOn('malicious>=0')], report({}, { found: false })), []);
});

test('bad rules are usage errors that say what is expected', () => {
  for (const bad of ['harmful>=1', 'malicious>=', 'malicious>=x', '']) {
    assert.throws(() => parseFailOn(bad), (err: Error) => err.name === 'UsageError' && /expected METRIC/.test(err.message));
  }
});

test('gate returns 1 and names each report that met a rule', () => {
  const lines: string[] = [];
  const code = gate([parseFailOn('malicious>=1')], [{ subject: 'bad', report: report({ malicious: 9 }) }, { subject: 'good', report: report({}) }], (l) => lines.push(l));
  assert.equal(code, 1);
  assert.deepEqual(lines, ['vtg: --fail-on malicious>=1 met by bad (9 malicious, 0 suspicious)']);
  assert.equal(gate([], [{ subject: 'bad', report: report({ malicious: 9 }) }], () => {}), 0);
});
