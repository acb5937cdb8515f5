/**
 * Cache-hit throughput through the Gateway (memory LRU hit, SQLite hit and PostgreSQL hit on a
 * throw-away local server) next to bare Map.get (the ceiling), and the SQLite file size for 100,000
 * cached reports. Run: npm run bench -- cache
 * Options: --reports N (default 100000) for the size figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { Gateway } from '../src/gateway/index.js';
import { startMock } from '../src/mock/index.js';
import type { Report } from '../src/providers/types.js';
import { Store } from '../src/store/index.js';
import { TestPostgresServer, postgresUnavailableReason } from '../src/test-support/postgres-server.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REPORTS = arg('reports', 100_000);
const HOT = 1000;
const ROUNDS = 50;

const hex = (i: number, salt: string) => Buffer.from(`${salt}:${i}`).toString('hex').padEnd(64, 'a').slice(0, 64);

async function openGateway(dir: string, memoryEntries: number, mockUrl: string, databaseUrl?: string): Promise<Gateway> {
  const config = loadConfig({
    env: { HOME: dir, VTG_DATA_DIR: dir, VT_API_KEY: 'bench-key', VTG_VIRUSTOTAL_URL: mockUrl, VTG_CACHE_MAX_MB: '100000', VTG_CACHE_MAX_ENTRIES: '10000000', ...(databaseUrl ? { VTG_DATABASE_URL: databaseUrl } : {}) },
  });
  return Gateway.open({ config: { ...config, cache: { ...config.cache, memoryEntries } } });
}

/** Seeds the cache straight into the store (the bench measures reads through the Gateway; Gateway hides its store). */
async function seed(dir: string, reports: Report[], store?: Store): Promise<void> {
  const s = store ?? await Store.open({ dataDir: dir });
  const expiresAt = Date.now() + 30 * 86_400_000;
  await s.cache.putMany(reports.map((report) => ({ report, expiresAt })));
  if (!store) await s.close();
}

async function timeLookups(gateway: Gateway, ids: string[]): Promise<number> {
  for (const id of ids) await gateway.lookup(id); // warm-up (and fills the memory tier when on)
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const id of ids) await gateway.lookup(id);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return (ROUNDS * ids.length) / seconds;
}

function timeMap(ids: string[], value: unknown): number {
  const map = new Map(ids.map((id) => [`virustotal:file:${id}`, value]));
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const id of ids) if (map.get(`virustotal:file:${id}`)) sink++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === 0) throw new Error('unreachable');
  return (ROUNDS * ids.length) / seconds;
}

/** The PostgreSQL-hit figure on a throw-away local server (or why it was skipped). */
async function timePostgres(dir: string, reports: Report[], ids: string[], mockUrl: string): Promise<number | string> {
  const reason = postgresUnavailableReason();
  if (reason) return reason;
  const pg = await TestPostgresServer.start();
  try {
    const url = pg.createDatabase('bench');
    const store = await Store.open({ databaseUrl: url });
    await seed(dir, reports, store);
    await store.close();
    const gateway = await openGateway(join(dir, 'pg'), 0, mockUrl, url);
    try {
      return await timeLookups(gateway, ids);
    } finally {
      await gateway.close();
    }
  } finally {
    pg.close();
  }
}

const mock = await startMock({ profile: 'premium' });
const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-cache-'));
try {
  const hot = Array.from({ length: HOT }, (_, i) => hex(i, 'hot'));
  const fill = await openGateway(dir, 10_000, mock.url);
  const sample = await fill.lookup(hot[0] as string);
  const template: Report = sample.report;
  await fill.close();
  await seed(dir, hot.map((id) => ({ ...template, id })));

  const memGw = await openGateway(dir, 10_000, mock.url);
  const memory = await timeLookups(memGw, hot);
  await memGw.close();
  const sqlGw = await openGateway(dir, 0, mock.url);
  const sqlite = await timeLookups(sqlGw, hot);
  await sqlGw.close();
  const ceiling = timeMap(hot, template);
  const postgres = await timePostgres(dir, hot.map((id) => ({ ...template, id })), hot, mock.url);

  console.log(`cache-hit lookups/s through Gateway, ${HOT} hot indicators x ${ROUNDS} rounds`);
  console.log(`  Map.get (ceiling)   ${Math.round(ceiling).toLocaleString('en')} /s`);
  console.log(`  Gateway memory hit  ${Math.round(memory).toLocaleString('en')} /s   ratio ${(memory / ceiling).toFixed(4)}`);
  console.log(`  Gateway SQLite hit  ${Math.round(sqlite).toLocaleString('en')} /s   ratio ${(sqlite / ceiling).toFixed(4)}`);
  if (typeof postgres === 'number') console.log(`  Gateway PostgreSQL hit  ${Math.round(postgres).toLocaleString('en')} /s   ratio ${(postgres / ceiling).toFixed(4)}   (local server, loopback TCP)`);
  else console.log(`  Gateway PostgreSQL hit  skipped: ${postgres}`);

  const sizeDir = mkdtempSync(join(tmpdir(), 'vtg-bench-size-'));
  try {
    const store = await Store.open({ dataDir: sizeDir });
    const started = Date.now();
    for (let i = 0; i < REPORTS; i += 1000) {
      const chunk = Array.from({ length: Math.min(1000, REPORTS - i) }, (_, j) => ({ ...template, id: hex(i + j, 'size') }));
      await seed(sizeDir, chunk, store);
    }
    const bytes = store.fileSize();
    await store.close();
    const perReport = JSON.stringify(template).length;
    console.log(`SQLite file for ${REPORTS.toLocaleString('en')} cached reports (${perReport.toLocaleString('en')} B of JSON each): ${(bytes / 1024 / 1024).toFixed(1)} MiB (${Math.round(bytes / REPORTS).toLocaleString('en')} B per report), written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(sizeDir, { recursive: true, force: true });
  }
} finally {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
}
