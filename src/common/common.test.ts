import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureDir, errorInfo, runPool, userAgent, VERSION } from './index.js';

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

test('ensureDir makes missing levels (0700), accepts an existing dir, and throws where a level cannot be made', () => {
  const root = mkdtempSync(join(tmpdir(), 'vtg-ensure-'));
  try {
    const deep = join(root, 'a', 'b', 'c');
    ensureDir(deep);
    assert.ok(statSync(deep).isDirectory());
    assert.equal(statSync(join(root, 'a')).mode & 0o777, 0o700);
    ensureDir(deep);
    writeFileSync(join(root, 'file'), '');
    assert.throws(() => ensureDir(join(root, 'file', 'x', 'y')), (err: NodeJS.ErrnoException) => err.code === 'ENOTDIR' && err.syscall === 'mkdir');
    // /proc answers ENOENT for a new entry: node's recursive mkdir loops on it, ensureDir throws
    if (existsSync('/proc/self')) assert.throws(() => ensureDir('/proc/vtg-x/y'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && err.path === '/proc/vtg-x');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
