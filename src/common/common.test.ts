import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorInfo, runPool, userAgent, VERSION } from './index.js';

test('the version is the package version and the User-Agent carries it', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  assert.equal(userAgent(), `vt-gateway/${VERSION}`);
  assert.equal(userAgent('a@b.c\n'), `vt-gateway/${VERSION} (contact: a@b.c)`);
});

test('errorInfo keeps a string code, else the name', () => {
  assert.deepEqual(errorInfo(Object.assign(new Error('x'), { code: 'Nope' })), { code: 'Nope', message: 'x' });
  assert.deepEqual(errorInfo(new TypeError('y')), { code: 'TypeError', message: 'y' });
  assert.deepEqual(errorInfo('plain'), { code: 'Error', message: 'plain' });
});

test('runPool runs every item with at most `workers` at once', async () => {
  let active = 0;
  let peak = 0;
  const seen: number[] = [];
  await runPool(10, 3, async (i) => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setImmediate(r));
    seen.push(i);
    active--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});
