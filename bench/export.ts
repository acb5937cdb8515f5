/**
 * Export throughput and memory over N indicators (default 100,000, one history observation each):
 * each format is streamed to a counting sink in a child process (so its peak RSS is its own), and
 * compared with building the same NDJSON whole in memory (the baseline) in the same run.
 *
 *   node --import tsx bench/export.ts [--n 100000] [--formats csv,ndjson,stix,misp]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportIndicators } from '../src/exports/index.js';
import type { ExportFormat } from '../src/exports/index.js';
import { Store } from '../src/store/index.js';
import { benchStore } from './lib/indicators.js';

interface Result {
  rows: number;
  bytes: number;
  seconds: number;
  maxRssMb: number;
  /** RSS once the first tenth of the output was produced, and the highest seen after that (streamed modes). */
  earlyRssMb?: number;
  lateRssMb?: number;
}

async function child(dir: string, mode: string): Promise<void> {
  const store = await Store.open({ file: join(dir, 'bench.sqlite') });
  const started = performance.now();
  let bytes = 0;
  let rows = 0;
  let early: number | undefined;
  let late: number | undefined;
  if (mode === 'whole') {
    // baseline: every record in memory, then one document
    const all = [];
    for await (const r of store.search.iterate({}, 1000)) all.push(r);
    rows = all.length;
    bytes = Buffer.byteLength(all.map((r) => JSON.stringify(r)).join('\n'));
  } else {
    const stream = await exportIndicators(store.search, { format: mode as ExportFormat });
    rows = stream.total;
    const expected = Number(process.argv[process.argv.indexOf('--child') + 3] ?? 0);
    let n = 0;
    for await (const chunk of stream.chunks) {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (++n % 10 === 0 || chunk.length > 100_000) {
        const rss = process.memoryUsage.rss() / 1048576;
        if (early === undefined && bytes >= expected / 10) early = rss;
        else if (early !== undefined) late = Math.max(late ?? 0, rss);
      }
    }
  }
  const result: Result = { rows, bytes, seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, ...(early !== undefined ? { earlyRssMb: early } : {}), ...(late !== undefined ? { lateRssMb: late } : {}) };
  process.stdout.write(JSON.stringify(result));
  await store.close();
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) return child(process.argv[childAt + 1]!, process.argv[childAt + 2]!);
  const n = Number(arg('n', '100000'));
  const formats = arg('formats', 'csv,ndjson,json,stix,misp').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-export-'));
  try {
    const { store, fillSeconds } = await benchStore(dir, n);
    const t = performance.now();
    await store.search.sync();
    console.log(`filled ${n} indicators in ${fillSeconds.toFixed(1)} s; index built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await store.close();
    const sizes: Record<string, number> = {};
    const run = (mode: string): Result => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, mode, String(sizes[mode] ?? 0)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as Result;
    };
    const base = run('whole');
    console.log(`\n${'mode'.padEnd(26)} ${'rows'.padStart(8)} ${'MB out'.padStart(8)} ${'rows/s'.padStart(9)} ${'peak RSS'.padStart(10)}`);
    const line = (name: string, r: Result) => console.log(`${name.padEnd(26)} ${String(r.rows).padStart(8)} ${(r.bytes / 1e6).toFixed(1).padStart(8)} ${Math.round(r.rows / r.seconds).toString().padStart(9)} ${`${r.maxRssMb.toFixed(0)} MB`.padStart(10)}`);
    line('baseline: whole in memory', base);
    for (const f of formats) {
      sizes[f] = f === 'csv' ? base.bytes / 2 : base.bytes; // a guess of the output size, for the early sample
      const r = run(f);
      line(`streamed ${f}`, r);
      const growth = r.earlyRssMb && r.lateRssMb ? `; RSS after the first tenth ${r.earlyRssMb.toFixed(0)} MB, highest later ${r.lateRssMb.toFixed(0)} MB` : '';
      console.log(`${''.padEnd(26)} peak RSS ${(r.maxRssMb / base.maxRssMb).toFixed(2)}x the baseline's${growth}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
