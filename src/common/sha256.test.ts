import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sha256Hex } from './sha256.js';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

test('the JavaScript SHA-256 gives node:crypto\'s digest: empty, block edges, multi-byte UTF-8, random keys', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  // lengths around the padding edges (55, 56, 63, 64 bytes) and several blocks
  for (const n of [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) assert.equal(sha256Hex('k'.repeat(n)), reference('k'.repeat(n)), `length ${n}`);
  assert.equal(sha256Hex('clé ключ 鍵 🔑'), reference('clé ключ 鍵 🔑'));
  for (let i = 0; i < 200; i++) {
    const key = randomBytes(1 + (i % 90)).toString(i % 2 ? 'hex' : 'base64');
    assert.equal(sha256Hex(key), reference(key), key);
  }
});
