import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyLabel, parseFaults, parseLimits } from './index.js';

test('parseLimits reads any subset of the four windows', () => {
  assert.deepEqual(parseLimits('minute=4,hour=240,day=500,month=15500'), { minute: 4, hour: 240, day: 500, month: 15500 });
  assert.deepEqual(parseLimits(' day = 10 '), { day: 10 });
  assert.deepEqual(parseLimits(''), {});
});

test('parseLimits rejects unknown windows and bad numbers with a clear message', () => {
  assert.throws(() => parseLimits('week=4'), /unknown window "week"/);
  assert.throws(() => parseLimits('minute=-1'), /"minute" needs a whole number/);
  assert.throws(() => parseLimits('minute=1.5'), /"minute" needs a whole number/);
  assert.throws(() => parseLimits('minute'), /"minute" needs a whole number/);
});

test('parseFaults reads every fault', () => {
  assert.deepEqual(parseFaults('latency=200,error=0.3,timeout=0.1,drop=0.05,toomany=0.1,storm'), {
    latencyMs: 200,
    errorRate: 0.3,
    timeoutRate: 0.1,
    dropRate: 0.05,
    tooManyRate: 0.1,
    quotaStorm: true,
  });
  assert.deepEqual(parseFaults('error=1,status=504,seed=7'), { errorRate: 1, errorStatus: 504, seed: 7 });
});

test('parseFaults rejects unknown faults, shares outside 0..1 and impossible sums', () => {
  assert.throws(() => parseFaults('explode=1'), /unknown fault "explode"/);
  assert.throws(() => parseFaults('error=2'), /share between 0 and 1/);
  assert.throws(() => parseFaults('error=abc'), /share between 0 and 1/);
  assert.throws(() => parseFaults('status=418'), /500, 502, 503 or 504/);
  assert.throws(() => parseFaults('error=0.6,drop=0.6'), /more than 1/);
  assert.throws(() => parseFaults('storm=maybe'), /takes no value/);
});

test('keyLabel is stable, short and never the key', () => {
  const key = 'a'.repeat(20) + 'secret-part-of-the-key';
  const label = keyLabel(key);
  assert.equal(label, keyLabel(key));
  assert.notEqual(label, keyLabel(`${key}x`));
  assert.ok(!label.includes('secret'));
  assert.ok(label.length < 16);
  assert.ok(!keyLabel('abcd').includes('abcd'));
  assert.equal(keyLabel(''), '(none)');
});
