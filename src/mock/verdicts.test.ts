import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  CLEAN_SHA256,
  EICAR_MD5,
  EICAR_SHA1,
  EICAR_SHA256,
  MALICIOUS_SHA256,
  NOT_FOUND_SHA256,
  SUSPICIOUS_SHA256,
  mockVerdict,
} from './index.js';

test('the exported sample hashes have the verdicts their names promise', () => {
  const clean = mockVerdict('file', CLEAN_SHA256);
  assert.equal(clean.found, true);
  assert.equal(clean.malicious, 0);
  assert.equal(clean.suspicious, 0);
  const suspicious = mockVerdict('file', SUSPICIOUS_SHA256);
  assert.equal(suspicious.found, true);
  assert.equal(suspicious.malicious, 0);
  assert.ok(suspicious.suspicious > 0);
  const malicious = mockVerdict('file', MALICIOUS_SHA256);
  assert.equal(malicious.found, true);
  assert.ok(malicious.malicious > 0);
  assert.ok(malicious.threatLabel);
  assert.equal(mockVerdict('file', NOT_FOUND_SHA256).found, false);
});

test('EICAR is malicious by each of its hashes, with the VirusTotal figures', () => {
  for (const hash of [EICAR_MD5, EICAR_SHA1, EICAR_SHA256, EICAR_SHA256.toUpperCase()]) {
    const v = mockVerdict('file', hash);
    assert.equal(v.id, EICAR_SHA256);
    assert.equal(v.found, true);
    assert.equal(v.malicious, 62);
    assert.equal(v.stats['type-unsupported'], 9);
    assert.equal(v.undetected, 2);
    assert.equal(v.threatLabel, 'virus.eicar/test');
  }
});

test('file stats have the 8 VirusTotal keys and URL/domain/IP stats the 5', () => {
  assert.deepEqual(Object.keys(mockVerdict('file', CLEAN_SHA256).stats).sort(), [
    'confirmed-timeout',
    'failure',
    'harmless',
    'malicious',
    'suspicious',
    'timeout',
    'type-unsupported',
    'undetected',
  ]);
  for (const [kind, id] of [
    ['url', 'http://example.com/'],
    ['domain', 'example.com'],
    ['ip', '8.8.8.8'],
  ] as const) {
    assert.deepEqual(Object.keys(mockVerdict(kind, id).stats).sort(), ['harmless', 'malicious', 'suspicious', 'timeout', 'undetected']);
  }
});

test('verdicts over many hashes: about notFoundShare missing, mostly clean, some malicious', () => {
  let missing = 0;
  let clean = 0;
  let malicious = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) {
    const v = mockVerdict('file', createHash('sha256').update(`sample ${i}`).digest('hex'));
    if (!v.found) missing++;
    else if (v.malicious > 0) malicious++;
    else if (v.suspicious === 0) clean++;
  }
  assert.ok(missing > n * 0.15 && missing < n * 0.25, `missing ${missing}`);
  assert.ok(clean > (n - missing) * 0.6, `clean ${clean}`);
  assert.ok(malicious > (n - missing) * 0.1, `malicious ${malicious}`);
  const everyoneFound = mockVerdict('file', NOT_FOUND_SHA256, { notFoundShare: 0 });
  assert.equal(everyoneFound.found, true);
});

test('a URL has one verdict whether given as text, base64url id or sha256', () => {
  const text = mockVerdict('url', 'HTTP://Example.COM');
  const b64 = mockVerdict('url', Buffer.from('http://example.com/').toString('base64url'));
  const sha = mockVerdict('url', createHash('sha256').update('http://example.com/').digest('hex'));
  assert.equal(text.id, sha.id);
  assert.equal(b64.id, sha.id);
  assert.deepEqual(text.stats, sha.stats);
  assert.throws(() => mockVerdict('file', 'not-a-hash'), /not a file indicator/);
});
