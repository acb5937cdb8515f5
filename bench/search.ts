/**
 * Search over N cached indicators (default 100,000): the indexed search against the naive way
 * (read every cache entry, inflate and parse it, filter in JavaScript), measured in the same run.
 *
 *   node --import tsx bench/search.ts [--n 100000] [--runs 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchQuery } from '../src/store/index.js';
import { benchStore } from './lib/indicators.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const N = arg('n', 100_000);
const RUNS = arg('runs', 20);
const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-search-'));
try {
  const { store, fillSeconds } = await benchStore(dir, N);
  console.log(`filled ${N} cache entries and ${N} observations in ${fillSeconds.toFixed(1)} s`);
  let t = performance.now();
  const synced = await store.search.sync();
  const syncSeconds = (performance.now() - t) / 1000;
  console.log(`initial index build: ${synced} rows in ${syncSeconds.toFixed(1)} s (${Math.round(synced / syncSeconds)} rows/s); later searches fold in only what arrived since`);
  t = performance.now();
  await store.search.sync();
  console.log(`sync with nothing new: ${(performance.now() - t).toFixed(2)} ms`);

  const queries: Array<[string, SearchQuery]> = [
    ['newest page (no filter, with count)', {}],
    ['verdict=malicious', { verdict: 'malicious' }],
    ['kind=file, min_detections=10, sort=detections', { kind: 'file', minDetections: 10, sort: 'detections' }],
    ['label contains "emotet"', { label: 'emotet' }],
    ['tag=upx', { tag: 'upx' }],
    ['free text "invoice_42"', { q: 'invoice_42' }],
    ['since/until (one day)', { since: Date.UTC(2026, 0, 1, 12), until: Date.UTC(2026, 0, 2, 12) }],
    ['second page via cursor (verdict=malicious)', { verdict: 'malicious', cursor: (await store.search.search({ verdict: 'malicious' })).nextCursor ?? undefined }],
  ];
  console.log(`\nindexed search, page of 50 + total count, median of ${RUNS} runs:`);
  const medians: number[] = [];
  for (const [name, q] of queries) {
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      total = (await store.search.search(q)).total;
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    medians.push(median);
    console.log(`  ${name.padEnd(48)} ${median.toFixed(2).padStart(8)} ms   (${total} matches)`);
  }

  // Baseline: no index. Read every cache row, inflate and parse the report, filter and sort in JS.
  const { decodeReport } = await import('../src/store/cache-entries/codec.js');
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'bench.sqlite'), { readonly: true });
  t = performance.now();
  const hits: Array<{ indicator: string; at: number }> = [];
  for (const row of db.prepare('SELECT report FROM cache_entries').iterate() as Iterable<{ report: Buffer }>) {
    const r = decodeReport(row.report);
    if (r.verdict === 'malicious') hits.push({ indicator: r.indicator, at: r.fetchedAt });
  }
  hits.sort((a, b) => b.at - a.at);
  const naive = performance.now() - t;
  db.close();
  const indexed = medians[1]!;
  console.log(`\nbaseline (scan + inflate + parse every entry, filter in JS) for verdict=malicious: ${naive.toFixed(0)} ms (${hits.length} matches)`);
  console.log(`indexed / baseline: ${(naive / indexed).toFixed(0)}x faster (${indexed.toFixed(2)} ms against ${naive.toFixed(0)} ms)`);
  console.log(`slowest indexed query: ${Math.max(...medians).toFixed(2)} ms`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
