/**
 * Archives made by Debian's 7-Zip (`7zz`, package 7zip) when it is installed: AES-256 zip and 7z with
 * encrypted headers, opened with the `infected` convention or a caller's password, reported without.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scanArchiveBuffer } from './index.js';

const has7zz = spawnSync('7zz', ['--help'], { stdio: 'ignore' }).status === 0;
let dir: string;

function make(name: string, args: string[]): Buffer {
  const out = join(dir, name);
  const r = spawnSync('7zz', ['a', '-bd', '-y', ...args, out, join(dir, 'sample.txt')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

describe('archives made by 7zz', { skip: has7zz ? false : 'needs 7zz (Debian package 7zip)' }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vtg-7zz-'));
    writeFileSync(join(dir, 'sample.txt'), 'malware sample stand-in\n'.repeat(100));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('AES-256 zip: opened with `infected` by default', async () => {
    const zip = make('aes.zip', ['-tzip', '-mem=AES256', '-pinfected']);
    const r = await scanArchiveBuffer(zip, 'aes.zip');
    assert.equal(r.complete, true, JSON.stringify(r.findings));
    assert.deepEqual(r.members.map((m) => [m.path, m.size]), [['sample.txt', 2400]]);
  });

  test('7z with encrypted headers: names hidden without the password, opened with it', async () => {
    const sz = make('hidden.7z', ['-t7z', '-mhe=on', '-psecret']);
    const closed = await scanArchiveBuffer(sz, 'hidden.7z');
    assert.deepEqual(closed.members, []);
    assert.deepEqual(closed.findings.map((f) => f.kind), ['encrypted']);
    const open = await scanArchiveBuffer(sz, 'hidden.7z', { passwords: ['wrong', 'secret'] });
    assert.equal(open.complete, true, JSON.stringify(open.findings));
    assert.deepEqual(open.members.map((m) => m.path), ['sample.txt']);
  });

  test('tar.xz and tar.bz2 made by 7zz are descended', async () => {
    make('s.tar', ['-ttar']);
    spawnSync('7zz', ['a', '-bd', '-y', '-txz', join(dir, 's.tar.xz'), join(dir, 's.tar')]);
    const r = await scanArchiveBuffer(readFileSync(join(dir, 's.tar.xz')), 's.tar.xz');
    assert.ok(r.members.some((m) => m.path === 's.tar!/sample.txt' && m.depth === 2), JSON.stringify(r.members.map((m) => m.path)));
  });
});
