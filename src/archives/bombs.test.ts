/**
 * Bombs: each is stopped at a limit while it is being inflated, and the process's peak RSS stays
 * under 512 MB. The bound (documented in the README) is: one worker's 7-Zip wasm heap and input
 * copy, plus at most `keepBytes` (64 MiB) of one member being kept, plus nested archives waiting
 * (at most 2 × keepBytes); measured peaks here are about 150–250 MB with the default limits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { sharedPath } from '../test-support/shared-corpus.js';
import { scanArchiveBuffer } from './index.js';
import { gzipBomb, makeTar, makeZip, makeZstd, zipBomb } from './test-support/make.js';

const LIMIT_MB = 512;
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

const bombs: Array<[string, () => Buffer | null, Record<string, number>?]> = [
  ['kd2fw__zipbomb_1G.zip (shared corpus)', () => {
    const p = sharedPath('data/archives/kd2fw__zipbomb_1G.zip');
    return p ? readFileSync(p) : null;
  }],
  ['zip, one 1 GiB entry of zeros', () => zipBomb(1024)],
  ['gzip of 1 GiB of zeros', () => gzipBomb(1024)],
  ['small gzip bomb (8 MiB)', () => gzipBomb(8)],
  ['nested: zip of 8 zip bombs', () => makeZip(Array.from({ length: 8 }, (_, i) => ({ name: `b${i}.zip`, data: zipBomb(512), deflate: false })))],
  ['overlapping entries: 64 names on one 32 MiB deflate stream', () => makeZip([{ name: 'a', data: Buffer.alloc(32 * 1024 * 1024) }], { overlap: 63 })],
  ['zstd RLE: 4 GiB from 128 KiB', () => makeZstd(null, { byte: 0x41, count: 4 * 1024 ** 3 - 1 })],
  ['tar of a zstd bomb', () => makeTar([{ name: 'x.zst', data: makeZstd(null, { byte: 0, count: 1024 ** 3 }) }])],
  // Ratio off: the overlap bomb must then stop at the total (256 MiB here to keep the test short).
  ['overlap bomb with the ratio limit off', () => makeZip([{ name: 'a', data: Buffer.alloc(32 * 1024 * 1024) }], { overlap: 63 }), { maxRatio: 1e12, maxTotalBytes: 256 * 1024 * 1024 }],
];

describe('bombs stay under the memory bound', { concurrency: 1 }, () => {
  for (const [name, make, limits] of bombs) {
    test(name, async (t) => {
      const data = make();
      if (!data) {
        t.skip('needs ../shared/data/archives/kd2fw__zipbomb_1G.zip (the real corpus beside the clone); not present here');
        return;
      }
      const r = await scanArchiveBuffer(data, name.replace(/\W+/g, '_'), { limits });
      const peak = peakMb();
      t.diagnostic(`peak RSS ${peak} MB; findings ${JSON.stringify(r.findings.map((f) => `${f.kind}:${f.limit}`))}`);
      assert.equal(r.complete, false);
      assert.ok(r.findings.some((f) => f.kind === 'limit'), JSON.stringify(r.findings));
      assert.ok(peak < LIMIT_MB, `peak RSS ${peak} MB`);
    });
  }
});
