/** Every archive in ../shared/data/archives gives the result its MANIFEST says it exercises. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { sharedPath, skipWithoutShared } from '../test-support/shared-corpus.js';
import { type ArchiveScanResult, scanArchiveBuffer } from './index.js';

const DIR = 'data/archives/';
const skip = skipWithoutShared(DIR);
const LOREM = '7ac19ffb133c'; // sha256 prefix of strelka's 4,015-byte lorem.txt
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function scan(name: string, passwords: string[] = []): Promise<ArchiveScanResult> {
  const path = sharedPath(DIR + name);
  assert.ok(path, `${name} is missing`);
  return scanArchiveBuffer(readFileSync(path), name, { passwords });
}
const paths = (r: ArchiveScanResult) => r.members.map((m) => m.path).sort();
const kinds = (r: ArchiveScanResult) => r.findings.map((f) => f.kind);

describe('shared archive corpus (MANIFEST)', { skip, concurrency: 2 }, () => {
  for (const [name, format] of [
    ['strelka__test.zip', 'zip'],
    ['strelka__test.7z', '7z'],
    ['strelka__test.rar', 'rar'],
    ['strelka__test.tar', 'tar'],
  ] as const) {
    test(`${name}: plain ${format}, every member hashed`, async () => {
      const r = await scan(name);
      assert.equal(r.archive.format, format);
      assert.equal(r.complete, true);
      assert.deepEqual(r.findings, []);
      assert.ok(r.members.length >= 3);
      assert.ok(r.members.some((m) => m.path === 'lorem.txt' && m.size === 4015 && m.sha256.startsWith(LOREM) && m.type === 'text'));
      for (const m of r.members) assert.match(m.sha1, /^[0-9a-f]{40}$/);
    });
  }
  for (const [name, format] of [
    ['strelka__test.gz', 'gzip'],
    ['strelka__test.bz2', 'bzip2'],
    ['strelka__test.xz', 'xz'],
  ] as const) {
    test(`${name}: one compressed file, decompressed and hashed`, async () => {
      const r = await scan(name);
      assert.equal(r.archive.format, format);
      assert.equal(r.members.length, 1);
      assert.equal(r.members[0]?.size, 4015);
      assert.ok(r.members[0]?.sha256.startsWith(LOREM));
    });
  }
  test('strelka__test_empty.zip: a 0-byte member hashes to the empty sha256', async () => {
    const r = await scan('strelka__test_empty.zip');
    assert.ok(r.members.some((m) => m.size === 0 && m.sha256 === EMPTY && m.type === 'empty'));
  });
  for (const [name, pw] of [
    ['strelka__test_zip_password.zip', 'password'],
    ['strelka__test_password.7z', 'password'],
    ['strelka__test_password.rar', 'password'],
    ['libarchive__test_read_format_zip_traditional_encryption_data.zip', '12345678'],
    ['py7zr__encrypted_1.7z', 'secret'],
    ['unrarjs__HeaderEnc1234.rar', '1234'],
  ] as const) {
    test(`${name}: opened with its password, reported without it`, async () => {
      const open = await scan(name, ['wrong', pw]);
      assert.equal(open.complete, true, JSON.stringify(open.findings));
      assert.ok(open.members.length >= 2);
      assert.ok(!kinds(open).includes('encrypted'));
      const closed = await scan(name);
      assert.equal(closed.complete, false);
      assert.ok(kinds(closed).includes('encrypted'));
      assert.equal(closed.members.filter((m) => m.size > 0).length, 0, 'no garbage from a wrong password');
    });
  }
  test('unrarjs__HeaderEnc1234.rar: hidden names come out with the password', async () => {
    const r = await scan('unrarjs__HeaderEnc1234.rar', ['1234']);
    assert.deepEqual(paths(r), ['1File.txt', '2中文.txt']);
  });
  for (const name of ['totebag__test.tar.gz', 'totebag__test.tar.bz2', 'totebag__test.tar.xz']) {
    test(`${name}: compressed tar descended, unknown pax keys ignored`, async () => {
      const r = await scan(name);
      assert.equal(r.complete, true, JSON.stringify(r.findings));
      const tar = r.members.find((m) => m.depth === 1);
      assert.equal(tar?.type, 'tar');
      const inner = r.members.filter((m) => m.depth === 2);
      assert.ok(inner.length >= 10);
      assert.ok(inner.some((m) => m.path.endsWith('!/Cargo.toml')));
    });
  }
  for (const name of ['snyk__zip-slip.zip', 'snyk__zip-slip.tar']) {
    test(`${name}: traversal reported, good.txt still hashed`, async () => {
      const r = await scan(name);
      const f = r.findings.find((x) => x.kind === 'path_traversal');
      assert.ok(f?.path.includes('../../') && f.path.endsWith('tmp/evil.txt'));
      assert.ok(r.members.some((m) => m.path === 'good.txt'));
      for (const m of r.members) assert.ok(!m.path.includes('..'));
    });
  }
  test('libarchive nested zip: the inner zip is descended', async () => {
    const r = await scan('libarchive__test_read_format_zip_nested.zip');
    assert.ok(r.members.some((m) => m.path === 'small.zip' && m.type === 'zip' && m.depth === 1));
    assert.ok(r.members.some((m) => m.path.startsWith('small.zip!/') && m.depth === 2));
    assert.ok(r.members.some((m) => m.path === 'file.txt'));
  });
  for (const name of ['libarchive__test_read_format_7zip_malformed.7z', 'libarchive__test_read_format_rar_invalid1.rar', 'py7zr__crc_corrupted.7z']) {
    test(`${name}: damage reported as corrupt, no crash`, async () => {
      const r = await scan(name);
      assert.equal(r.complete, false);
      assert.ok(kinds(r).includes('corrupt'), JSON.stringify(r.findings));
    });
  }
  test('py7zr__crc_corrupted.7z: the CRC mismatch names the member', async () => {
    const r = await scan('py7zr__crc_corrupted.7z');
    assert.ok(r.findings.some((f) => f.kind === 'corrupt' && f.path === 'src/scripts/py7zr' && /CRC/.test(f.message)));
  });
  test('py7zr__empty.7z: a valid archive with no entries', async () => {
    const r = await scan('py7zr__empty.7z');
    assert.equal(r.archive.format, '7z');
    assert.deepEqual(r.members, []);
    assert.equal(r.complete, true);
  });
  test('unrarjs__WithComment.rar: RAR 4 with a comment', async () => {
    const r = await scan('unrarjs__WithComment.rar');
    assert.equal(r.complete, true);
    assert.deepEqual(paths(r), ['1File.txt', '2中文.txt']);
  });
  test('kd2fw__zipbomb_1G.zip: stopped at a limit, not inflated', async () => {
    const r = await scan('kd2fw__zipbomb_1G.zip');
    assert.equal(r.complete, false);
    const f = r.findings.find((x) => x.kind === 'limit');
    assert.ok(f && ['ratio', 'entry_bytes', 'total_bytes'].includes(f.limit ?? ''), JSON.stringify(r.findings));
    assert.deepEqual(r.members, []);
  });
});
