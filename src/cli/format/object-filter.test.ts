/** vt-cli's -i/-x globs over VirusTotal attributes: what the user asked for is what is printed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterAttributes } from './object-filter.js';

const attributes = {
  names: ['a.exe', 'b.exe'],
  size: 68,
  last_analysis_stats: { malicious: 2, harmless: 1 },
  last_analysis_results: { ClamAV: { category: 'malicious', result: 'Eicar' }, 'alphaMountain.ai': { category: 'harmless', result: null } },
  'odd/key': 1,
};

test('no patterns, or only **, keep everything', () => {
  assert.equal(filterAttributes(attributes, { include: [], exclude: [] }), attributes);
  assert.equal(filterAttributes(attributes, { include: ['**'], exclude: [] }), attributes);
});

test('* is one level, ** any; a matched object is kept whole; arrays are leaves', () => {
  assert.deepEqual(filterAttributes(attributes, { include: ['last_analysis_results.*.result'], exclude: [] }), {
    last_analysis_results: { ClamAV: { result: 'Eicar' }, 'alphaMountain.ai': { result: null } },
  });
  assert.deepEqual(filterAttributes(attributes, { include: ['last_analysis_stats', 'names'], exclude: [] }), {
    names: ['a.exe', 'b.exe'],
    last_analysis_stats: { malicious: 2, harmless: 1 },
  });
  assert.deepEqual(Object.keys(filterAttributes(attributes, { include: ['last_analysis_*'], exclude: [] })), ['last_analysis_stats', 'last_analysis_results']);
  assert.deepEqual(filterAttributes(attributes, { include: ['odd/key'], exclude: [] }), { 'odd/key': 1 });
});

test('-x removes what it matches, at any depth, alone or after -i', () => {
  assert.deepEqual(Object.keys(filterAttributes(attributes, { include: [], exclude: ['last_analysis_results', 'odd/key'] })), ['names', 'size', 'last_analysis_stats']);
  assert.deepEqual(filterAttributes(attributes, { include: ['last_analysis_stats'], exclude: ['last_analysis_stats.harmless'] }), { last_analysis_stats: { malicious: 2 } });
  assert.deepEqual(filterAttributes(attributes, { include: ['last_analysis_results'], exclude: ['**.category'] }), {
    last_analysis_results: { ClamAV: { result: 'Eicar' }, 'alphaMountain.ai': { result: null } },
  });
});
