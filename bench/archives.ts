/**
 * Archive scanning throughput: a large generated zip (default 2,000 deflated members of 32 KiB,
 * 64 MiB uncompressed) scanned by the gateway's scanner (7-Zip wasm in a worker, every member
 * hashed sha256+sha1+md5 in memory, no lookups) next to Debian's native `7zz t` (decompress and
 * CRC-check only) on the same file. Prints members/s, MB/s and the ratio.
 * Run: npm run bench -- archives [--members N] [--kib K]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanArchiveBuffer } from '../src/archives/index.js';
import { makeZip } from '../src/archives/test-support/make.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MEMBERS = arg('members', 2000);
const KIB = arg('kib', 32);

const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-archives-'));
try {
  const entries = Array.from({ length: MEMBERS }, (_, i) => {
    // a quarter random, repeated: compresses about 4:1 like ordinary binaries
    const chunk = randomBytes((KIB * 1024) / 4);
    return { name: `dir${i % 20}/member-${i}.bin`, data: Buffer.concat([chunk, chunk, chunk, chunk]) };
  });
  const zip = makeZip(entries);
  const file = join(dir, 'bench.zip');
  writeFileSync(file, zip);
  const totalMB = (MEMBERS * KIB) / 1024;
  console.log(`zip: ${MEMBERS} members x ${KIB} KiB = ${totalMB.toFixed(1)} MiB uncompressed, ${(zip.length / 1048576).toFixed(1)} MiB on disk`);

  const t0 = performance.now();
  const r = await scanArchiveBuffer(zip, 'bench.zip', { limits: { maxEntries: MEMBERS + 10, maxTotalBytes: 4 * 1024 ** 3 } });
  const ours = (performance.now() - t0) / 1000;
  if (r.members.length !== MEMBERS || !r.complete) throw new Error(`scan incomplete: ${r.members.length} members, ${JSON.stringify(r.findings.slice(0, 3))}`);
  console.log(`vt-gateway scan : ${ours.toFixed(2)} s  ${(MEMBERS / ours).toFixed(0)} members/s  ${(totalMB / ours).toFixed(1)} MiB/s (hash x3 + type + worker)`);

  const sz = spawnSync('7zz', ['--help'], { stdio: 'ignore' });
  if (sz.error) {
    console.log('7zz (Debian 7zip) not installed: no comparison');
  } else {
    const t1 = performance.now();
    const t = spawnSync('7zz', ['t', '-bd', file], { encoding: 'utf8' });
    const native = (performance.now() - t1) / 1000;
    if (t.status !== 0) throw new Error(`7zz t failed: ${t.stderr}`);
    console.log(`7zz t (native)  : ${native.toFixed(2)} s  ${(MEMBERS / native).toFixed(0)} members/s  ${(totalMB / native).toFixed(1)} MiB/s (decompress + CRC only)`);
    console.log(`ratio           : vt-gateway takes ${(ours / native).toFixed(2)}x the time of 7zz t (${((native / ours) * 100).toFixed(0)}% of native speed)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
