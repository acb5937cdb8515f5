/** Archive scanning on archives the test builds itself (no corpus needed). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { type LookupAnswer, scanArchiveBuffer } from './index.js';
import { makeAr, makeCab, makeTar, makeZip, makeZstd } from './test-support/make.js';

const txt = (s: string) => Buffer.from(s);
const kinds = (r: { findings: Array<{ kind: string }> }) => r.findings.map((f) => f.kind).sort();

describe('archive scanning (generated archives)', { concurrency: 2 }, () => {
  test('tar: symlinks and hard links are findings, never members; absolute and ..\\ paths reported', async () => {
    const tar = makeTar([
      { name: 'a.txt', data: txt('hello\n') },
      { name: 'ln', type: '2', linkname: '/etc/passwd' },
      { name: 'hl', type: '1', linkname: 'a.txt' },
      { name: '/abs/x', data: txt('x') },
      { name: '..\\..\\win.txt', data: txt('w') },
      { name: 'd/../../up.txt', data: txt('u') },
    ]);
    const r = await scanArchiveBuffer(tar, 'links.tar');
    assert.equal(r.archive.format, 'tar');
    assert.deepEqual(kinds(r), ['absolute_path', 'hardlink', 'path_traversal', 'path_traversal', 'symlink']);
    const names = r.members.map((m) => m.path);
    assert.ok(names.includes('a.txt'));
    assert.ok(!names.includes('ln') && !names.includes('hl'));
    assert.ok(r.findings.find((f) => f.kind === 'symlink')?.message.includes('/etc/passwd'));
  });

  test('zip: traversal and absolute names are reported; members are still hashed under safe names', async () => {
    const r = await scanArchiveBuffer(makeZip([{ name: '../../evil.sh', data: txt('#!/bin/sh\n') }, { name: '/etc/cron.d/x', data: txt('x') }]), 'slip.bin');
    assert.equal(r.archive.format, 'zip', 'format by content, not by extension');
    assert.deepEqual(kinds(r), ['absolute_path', 'path_traversal']);
    assert.equal(r.members.length, 2);
    for (const m of r.members) assert.ok(!m.path.startsWith('/') && !m.path.split('/').includes('..'), m.path);
    assert.equal(r.members.find((m) => m.path.endsWith('evil.sh'))?.type, 'script');
  });

  test('nesting: descended to maxDepth, deeper archives hashed and reported', async () => {
    const l4 = makeZip([{ name: 'deep.txt', data: txt('deep') }]);
    const l3 = makeZip([{ name: 'l4.zip', data: l4 }]);
    const l2 = makeTar([{ name: 'l3.zip', data: l3 }]);
    const l1 = makeZip([{ name: 'l2.tar', data: l2 }]);
    const r = await scanArchiveBuffer(l1, 'l1.zip');
    assert.deepEqual(
      r.members.map((m) => [m.path, m.depth]),
      [
        ['l2.tar', 1],
        ['l2.tar!/l3.zip', 2],
        ['l2.tar!/l3.zip!/l4.zip', 3],
      ],
    );
    assert.equal(r.complete, false);
    assert.deepEqual(r.findings.map((f) => [f.kind, f.limit, f.path]), [['limit', 'depth', 'l2.tar!/l3.zip!/l4.zip']]);
    const deeper = await scanArchiveBuffer(l1, 'l1.zip', { limits: { maxDepth: 4 } });
    assert.equal(deeper.complete, true);
    assert.ok(deeper.members.some((m) => m.path === 'l2.tar!/l3.zip!/l4.zip!/deep.txt' && m.depth === 4));
  });

  test('.deb: ar holding data.tar.zst is descended through zstd', async () => {
    const data = makeZstd(makeTar([{ name: './usr/bin/tool', data: txt('#!/bin/sh\necho hi\n') }]));
    const deb = makeAr([
      { name: 'debian-binary', data: txt('2.0\n') },
      { name: 'data.tar.zst', data },
    ]);
    const r = await scanArchiveBuffer(deb, 'pkg.deb');
    assert.equal(r.archive.format, 'ar');
    assert.ok(r.members.some((m) => m.path === 'data.tar.zst' && m.type === 'zstd'));
    assert.ok(r.members.some((m) => m.path === 'data.tar.zst!/data.tar' && m.type === 'tar'));
    assert.ok(r.members.some((m) => m.path.endsWith('!/usr/bin/tool') && m.depth === 3 && m.type === 'script'));
  });

  test('cab: members hashed and typed by content', async () => {
    const cab = makeCab([
      { name: 'setup.inf', data: txt('[Version]\n') },
      { name: 'payload.dat', data: txt('MZ\x90\x00 not really') },
    ]);
    const r = await scanArchiveBuffer(cab, 'x.bin');
    assert.equal(r.archive.format, 'cab');
    assert.equal(r.complete, true);
    assert.deepEqual(r.members.map((m) => [m.path, m.type]), [
      ['setup.inf', 'text'],
      ['payload.dat', 'pe'],
    ]);
  });

  test('entries limit stops the archive and keeps what was hashed', async () => {
    const zip = makeZip(Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.txt`, data: txt(`file ${i}`) })));
    const r = await scanArchiveBuffer(zip, 'many.zip', { limits: { maxEntries: 10 } });
    assert.equal(r.complete, false);
    assert.equal(r.members.length, 10);
    assert.equal(r.findings.find((f) => f.kind === 'limit')?.limit, 'entries');
  });

  test('entry_bytes and total_bytes limits', async () => {
    const zip = makeZip([
      { name: 'small.txt', data: txt('small') },
      { name: 'big.bin', data: randomBytes(3 * 1024 * 1024) },
    ]);
    const e = await scanArchiveBuffer(zip, 'a.zip', { limits: { maxEntryBytes: 1024 * 1024 } });
    assert.deepEqual(e.members.map((m) => m.path), ['small.txt']);
    assert.deepEqual(e.findings.map((f) => [f.limit, f.path]), [['entry_bytes', 'big.bin']]);
    const t = await scanArchiveBuffer(zip, 'a.zip', { limits: { maxTotalBytes: 2 * 1024 * 1024 } });
    assert.equal(t.findings[0]?.limit, 'total_bytes');
  });

  test('ratio limit applies past the threshold only', async () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    const r = await scanArchiveBuffer(makeZip([{ name: 'z', data: zeros }]), 'z.zip');
    assert.equal(r.findings[0]?.limit, 'ratio');
    const small = await scanArchiveBuffer(makeZip([{ name: 'z', data: Buffer.alloc(512 * 1024) }]), 'z.zip');
    assert.equal(small.complete, true, 'under 1 MiB out, any ratio is fine');
  });

  test('time limit gives a `time` finding', async () => {
    const r = await scanArchiveBuffer(makeZip([{ name: 'a', data: txt('a') }]), 'a.zip', { limits: { timeoutMs: 0 } });
    assert.equal(r.complete, false);
    assert.equal(r.findings[0]?.limit, 'time');
  });

  test('damaged and unknown input: corrupt, not_an_archive, unsupported_format', async () => {
    const zip = makeZip([{ name: 'a.txt', data: randomBytes(5000) }]);
    const cut = await scanArchiveBuffer(zip.subarray(0, 2000), 'cut.zip');
    assert.equal(cut.archive.format, 'zip');
    assert.ok(kinds(cut).includes('corrupt'), JSON.stringify(cut.findings));
    const plain = await scanArchiveBuffer(txt('just text\n'), 'notes.zip');
    assert.equal(plain.archive.format, null);
    assert.deepEqual(kinds(plain), ['not_an_archive']);
    assert.equal(plain.members[0]?.depth, 0);
    assert.equal(plain.members[0]?.type, 'text');
    const cpio = await scanArchiveBuffer(txt('070701000000000000'), 'x.cpio');
    assert.deepEqual(kinds(cpio), ['unsupported_format']);
  });

  test('members are looked up by hash once each; uploads only when the caller opts in', async () => {
    const zip = makeZip([
      { name: 'known.txt', data: txt('known') },
      { name: 'unknown.txt', data: txt('unknown') },
      { name: 'copy.txt', data: txt('known') },
    ]);
    const asked: string[] = [];
    const uploads: string[] = [];
    const known = (await scanArchiveBuffer(txt('known'), 'k')).members[0]?.sha256;
    const lookup = async (h: string): Promise<LookupAnswer> => {
      asked.push(h);
      return h === known ? { verdict: 'malicious', detections: 12 } : { verdict: 'not_found', detections: null };
    };
    const upload = async (_data: Uint8Array, name: string) => {
      uploads.push(name);
      return `analysis-${name}`;
    };
    const r = await scanArchiveBuffer(zip, 'a.zip', {}, { lookup, upload });
    assert.equal(asked.length, 2);
    assert.deepEqual(uploads, []);
    assert.equal(r.members.find((m) => m.path === 'copy.txt')?.verdict, 'malicious');
    assert.equal(r.members.find((m) => m.path === 'known.txt')?.detections, 12);
    const opted = await scanArchiveBuffer(zip, 'a.zip', { uploadUnknown: true }, { lookup, upload });
    assert.deepEqual(uploads, ['unknown.txt']);
    assert.equal(opted.members.find((m) => m.path === 'unknown.txt')?.analysisId, 'analysis-unknown.txt');
  });

  test('an unknown nested archive is uploaded whole even though its bytes were also descended', async () => {
    const inner = makeZip([{ name: 'x.txt', data: txt('inner file') }]);
    const sizes: number[] = [];
    const r = await scanArchiveBuffer(
      makeZip([{ name: 'inner.zip', data: inner, deflate: false }]),
      'outer.zip',
      { uploadUnknown: true },
      {
        lookup: async () => ({ verdict: 'not_found', detections: null }),
        upload: async (d) => {
          sizes.push(d.length);
          return 'id';
        },
      },
    );
    assert.ok(r.members.some((m) => m.path === 'inner.zip!/x.txt'));
    assert.deepEqual(sizes.sort((a, b) => a - b), [10, inner.length]);
  });
});
