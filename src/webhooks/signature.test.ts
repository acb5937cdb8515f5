import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signPayload, verifySignature } from './signature.js';

const SECRET = 'whsec_test-secret-0123456789';
const BODY = JSON.stringify({ id: 'd1', event: 'batch.completed', data: { batchId: 'b1' } });
const NOW = 1_800_000_000;

test('a receiver accepts a signature made with its secret over the exact body', () => {
  const header = signPayload(SECRET, BODY, NOW);
  assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW + 10), true);
  assert.equal(verifySignature(SECRET, header, Buffer.from(BODY), 300, NOW), true);
});

test('a changed body, another secret, or a replay outside the tolerance is rejected', () => {
  const header = signPayload(SECRET, BODY, NOW);
  assert.equal(verifySignature(SECRET, header, BODY.replace('b1', 'b2'), 300, NOW), false);
  assert.equal(verifySignature('whsec_other', header, BODY, 300, NOW), false);
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW + 301), false);
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW - 301), false);
  // the timestamp is signed: moving it invalidates the signature
  assert.equal(verifySignature(SECRET, header.replace(`t=${NOW}`, `t=${NOW + 5}`), BODY, 300, NOW), false);
});

test('malformed headers are rejected, and any one of several v1 signatures may match (secret rotation)', () => {
  for (const bad of [undefined, null, '', 'garbage', `t=${NOW}`, 'v1=abc', `t=x,v1=${'0'.repeat(64)}`]) {
    assert.equal(verifySignature(SECRET, bad, BODY, 300, NOW), false, String(bad));
  }
  const good = signPayload(SECRET, BODY, NOW).split(',v1=')[1];
  const header = `t=${NOW},v1=${'0'.repeat(64)},v1=${good}`;
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW), true);
});
