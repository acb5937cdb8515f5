/**
 * Archive scanning throughput: a large generated zip (default 2,000 deflated members of 32 KiB,
 * 64 MiB uncompressed) scanned by the gateway's scanner (7-Zip wasm in a worker, every member
 * hashed sha256+sha1+md5 in memory, no lookups) next to Debian's native `7zz t` (decompress and
 * CRC-check only) on the same file. Prints members/s, MB/s and the ratio, for a first scan in the
 * process (cold: the worker thread starts and compiles the engine) and for the scans after it
 * (warm: a long-running `vtg serve` or `vtg watch`), each the median of `--runs` runs (default 3),
 * native runs interleaved with ours so machine load hits both alike. CPU time (user + system, all
 * threads; `/usr/bin/time` for 7zz) is printed too: on a loaded machine it moves far less than wall time.
 * Run: npm run bench -- archives [--members N] [--kib K] [--runs R]
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
const RUNS = Math.max(1, arg('runs', 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

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
  console.log(`zip: ${MEMBERS} members x ${KIB} KiB = ${totalMB.toFixed(1)} MiB uncompressed, ${(zip.length / 1048576).toFixed(1)} MiB on disk; ${RUNS} run(s) each`);

  interface Timing {
    wall: number;
    cpu: number | null;
  }
  const scan = async (): Promise<Timing> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await scanArchiveBuffer(zip, 'bench.zip', { limits: { maxEntries: MEMBERS + 10, maxTotalBytes: 4 * 1024 ** 3 } });
    const c = process.cpuUsage(c0);
    if (r.members.length !== MEMBERS || !r.complete) throw new Error(`scan incomplete: ${r.members.length} members, ${JSON.stringify(r.findings.slice(0, 3))}`);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  };
  const hasNative = !spawnSync('7zz', ['--help'], { stdio: 'ignore' }).error;
  const hasTime = !spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { stdio: 'ignore' }).error;
  const native = (): Timing => {
    const t1 = performance.now();
    const t = hasTime ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', '7zz', 't', '-bd', file], { encoding: 'utf8' }) : spawnSync('7zz', ['t', '-bd', file], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`7zz t failed: ${t.stderr}`);
    const m = /CPU ([\d.]+) ([\d.]+)/.exec(t.stderr);
    return { wall: (performance.now() - t1) / 1000, cpu: m ? Number(m[1]) + Number(m[2]) : null };
  };

  const nativeTimes: Timing[] = [];
  const cold = await scan();
  if (hasNative) nativeTimes.push(native());
  const warmTimes: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    warmTimes.push(await scan());
    if (hasNative) nativeTimes.push(native());
  }
  const mid = (ts: Timing[]): Timing => ({ wall: median(ts.map((t) => t.wall)), cpu: ts.every((t) => t.cpu !== null) ? median(ts.map((t) => t.cpu as number)) : null });
  const warm = mid(warmTimes);
  const line = (label: string, t: Timing, what: string) =>
    console.log(`${label}: ${t.wall.toFixed(2)} s  ${(MEMBERS / t.wall).toFixed(0)} members/s  ${(totalMB / t.wall).toFixed(1)} MiB/s  CPU ${t.cpu === null ? '?' : `${t.cpu.toFixed(2)} s`} (${what})`);
  line('vt-gateway, first scan ', cold, 'worker start + engine compile + hash x3 + type');
  line('vt-gateway, warm worker', warm, `median of ${RUNS}; hash x3 + type`);
  if (!hasNative) {
    console.log('7zz (Debian 7zip) not installed: no comparison');
  } else {
    const n = mid(nativeTimes);
    line('7zz t (native)         ', n, `median of ${nativeTimes.length}; decompress + CRC only`);
    const cpu = (t: Timing) => (t.cpu !== null && n.cpu ? `, ${(t.cpu / n.cpu).toFixed(2)}x its CPU time` : '');
    console.log(`ratio (first scan)     : vt-gateway takes ${(cold.wall / n.wall).toFixed(2)}x the time of 7zz t${cpu(cold)}`);
    console.log(`ratio (warm worker)    : vt-gateway takes ${(warm.wall / n.wall).toFixed(2)}x the time of 7zz t${cpu(warm)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
