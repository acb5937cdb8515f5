import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Report } from '../providers/types.js';
import { makeReport } from '../store/test-support/reports.js';
import { DEFAULT_TTL_POLICY, type TtlPolicy, ttlFor } from './ttl.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 15, 12);

const table: Array<[string, Partial<Report>, number]> = [
  ['VirusTotal, detected, first seen long ago: 30 days', { detections: 12, firstSeenAt: NOW - 400 * DAY }, 30 * DAY],
  ['VirusTotal, detected, first seen unknown: 30 days', { detections: 12, firstSeenAt: null }, 30 * DAY],
  ['VirusTotal, first seen 2 days ago: 1 day', { detections: 12, firstSeenAt: NOW - 2 * DAY }, DAY],
  ['VirusTotal, first seen just under 7 days ago: 1 day', { detections: 12, firstSeenAt: NOW - 7 * DAY + 1 }, DAY],
  ['VirusTotal, first seen exactly 7 days ago: 30 days', { detections: 12, firstSeenAt: NOW - 7 * DAY }, 30 * DAY],
  ['VirusTotal, 0 detections: 1 day', { detections: 0, verdict: 'undetected', firstSeenAt: NOW - 400 * DAY }, DAY],
  ['VirusTotal, no detection count at all: 1 day', { detections: undefined, firstSeenAt: NOW - 400 * DAY }, DAY],
  ['VirusTotal, domain with detections: 30 days', { kind: 'domain', detections: 4 }, 30 * DAY],
  ['VirusTotal not found: 12 hours (negative cache)', { found: false, verdict: 'not_found', detections: undefined }, 12 * HOUR],
  ['URLhaus listed: 3 days', { provider: 'urlhaus', kind: 'url', detections: 1 }, 3 * DAY],
  ['URLhaus not listed: 12 hours', { provider: 'urlhaus', kind: 'url', found: false, verdict: 'not_found' }, 12 * HOUR],
  ['DShield: 7 days', { provider: 'dshield', kind: 'ip', detections: 0 }, 7 * DAY],
  ['SPUR: 14 days', { provider: 'spur', kind: 'ip' }, 14 * DAY],
  ['SPUR no data: 12 hours', { provider: 'spur', kind: 'ip', found: false, verdict: 'not_found' }, 12 * HOUR],
];

for (const [name, overrides, expected] of table) {
  test(`default TTL: ${name}`, async () => {
    assert.equal(ttlFor(makeReport(overrides), DEFAULT_TTL_POLICY, NOW), expected);
  });
}

test('a 0-detection VirusTotal report falls back to stats.malicious when detections is absent', async () => {
  const stats = {
    malicious: 5,
    suspicious: 0,
    harmless: 0,
    undetected: 60,
    timeout: 0,
    confirmedTimeout: 0,
    typeUnsupported: 0,
    failure: 0,
    engines: 65,
    total: 65,
  };
  assert.equal(ttlFor(makeReport({ detections: undefined, stats }), DEFAULT_TTL_POLICY, NOW), 30 * DAY);
});

test('every value of the policy is configurable', async () => {
  const policy: TtlPolicy = {
    virustotal: { found: 5 * DAY, recheck: 2 * HOUR, recentSampleAgeMs: DAY, notFound: HOUR },
    urlhaus: { found: 1, notFound: 2 },
    dshield: { found: 3, notFound: 4 },
    spur: { found: 5, notFound: 6 },
  };
  assert.equal(ttlFor(makeReport({ firstSeenAt: NOW - 2 * DAY }), policy, NOW), 5 * DAY, 'recent means < 1 day here');
  assert.equal(ttlFor(makeReport({ firstSeenAt: NOW - HOUR }), policy, NOW), 2 * HOUR);
  assert.equal(ttlFor(makeReport({ found: false }), policy, NOW), HOUR);
  assert.equal(ttlFor(makeReport({ provider: 'urlhaus' }), policy, NOW), 1);
  assert.equal(ttlFor(makeReport({ provider: 'dshield', found: false }), policy, NOW), 4);
  assert.equal(ttlFor(makeReport({ provider: 'spur' }), policy, NOW), 5);
});

test('the default policy cannot be changed by accident', async () => {
  assert.throws(() => {
    (DEFAULT_TTL_POLICY.virustotal as { found: number }).found = 1;
  }, TypeError);
  assert.equal(DEFAULT_TTL_POLICY.virustotal.found, 30 * DAY);
});
