import { decodeReport, encodeReport } from './codec.js';
import type { Clock } from '../../clock/index.js';
import type { IndicatorKind } from '../../indicators/index.js';
import type { ProviderName, Report } from '../../providers/types.js';
import type { Queryable, SqlDb } from '../db/sql.js';
import { SqliteDb } from '../db/sqlite-db.js';
import { where } from '../db/where.js';
import type {
  CacheCounters,
  CacheEntry,
  CacheFilter,
  CacheHitDelta,
  CacheInfo,
  CacheLimits,
  CacheListPage,
  CacheListQuery,
  CacheWrite,
  PruneOptions,
  PruneResult,
} from './types.js';

const KINDS: readonly IndicatorKind[] = ['file', 'url', 'domain', 'ip'];

const COLUMNS = 'seq, report, fetched_at, expires_at, hits';
const SQL = {
  get: `SELECT ${COLUMNS} FROM cache_entries WHERE provider = ? AND kind = ? AND indicator_id = ?`,
  existing: 'SELECT seq, fetched_at, hits FROM cache_entries WHERE provider = ? AND kind = ? AND indicator_id = ?',
  deleteSeq: 'DELETE FROM cache_entries WHERE seq = ?',
  insert: `INSERT INTO cache_entries
    (provider, kind, indicator_id, indicator, found, verdict, detections, report, fetched_at, expires_at, hits)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  addHits: 'UPDATE cache_entries SET hits = hits + ? WHERE provider = ? AND kind = ? AND indicator_id = ?',
  addCounter: `INSERT INTO cache_counters (name, value) VALUES (?, ?)
    ON CONFLICT (name) DO UPDATE SET value = cache_counters.value + excluded.value`,
  counters: 'SELECT name, value FROM cache_counters',
  groups: 'SELECT provider, kind, COUNT(*) AS n FROM cache_entries GROUP BY provider, kind',
  span: `SELECT MIN(fetched_at) AS oldest, MAX(fetched_at) AS newest,
    SUM(CASE WHEN expires_at <= ? THEN 1 ELSE 0 END) AS expired FROM cache_entries`,
  olderThan: 'SELECT seq FROM cache_entries WHERE fetched_at < ? ORDER BY fetched_at, seq LIMIT ?',
  oldestInGroup: 'SELECT seq FROM cache_entries WHERE provider = ? AND kind = ? ORDER BY fetched_at, seq LIMIT ?',
  oldest: 'SELECT seq FROM cache_entries ORDER BY fetched_at, seq LIMIT ?',
  deleteAll: 'DELETE FROM cache_entries',
} as const;

interface EntryRow {
  seq: number;
  report: string | Buffer;
  fetched_at: number;
  expires_at: number;
  hits: number;
}

interface Cursor {
  f: number;
  s: number;
}

function toEntry(row: EntryRow): CacheEntry {
  return { report: decodeReport(row.report), fetchedAt: row.fetched_at, expiresAt: row.expires_at, hits: row.hits };
}

function encodeCursor(row: EntryRow): string {
  return Buffer.from(JSON.stringify({ f: row.fetched_at, s: row.seq } satisfies Cursor)).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (Number.isSafeInteger(c.f) && Number.isSafeInteger(c.s)) return { f: c.f as number, s: c.s as number };
  } catch {
    // fall through
  }
  throw new RangeError('invalid cache list cursor');
}

/** Rough bytes a PostgreSQL row takes beyond its report (tuple header, other columns, index entries). */
const PG_ROW_OVERHEAD = 300;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Cache entries in SQLite: the durable tier under the memory and Redis tiers. A report is stored as
 * JSON text next to the few columns used for listing and rotation. Times are UTC epoch ms.
 */
export class CacheRepository {
  readonly #db: SqlDb;
  readonly #clock: Clock;
  readonly #path: string;
  readonly #fileSize: () => number;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb, options: { clock: Clock; path: string; fileSize: () => number }) {
    this.#db = db;
    this.#clock = options.clock;
    this.#path = options.path;
    this.#fileSize = options.fileSize;
  }

  /** The entry for one indicator, expired or not; `undefined` when there is none. Read-only (hits are counted by `addUsage`). */
  async get(provider: ProviderName, kind: IndicatorKind, id: string): Promise<CacheEntry | undefined> {
    const row = await this.#db.get<EntryRow>(SQL.get, provider, kind, id);
    return row ? toEntry(row) : undefined;
  }

  /**
   * When each cached answer among `ids` (one provider and kind) expires, expired or not; ids without
   * an entry are absent. One query per 500 ids (`IN (...)`), for the freshness of a whole list at once.
   */
  async expiresAtMany(provider: ProviderName, kind: IndicatorKind, ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const sql = `SELECT indicator_id, expires_at FROM cache_entries WHERE provider = ? AND kind = ? AND indicator_id IN (${chunk.map(() => '?').join(', ')})`;
      for (const row of await this.#db.all<{ indicator_id: string; expires_at: number }>(sql, provider, kind, ...chunk)) {
        out.set(row.indicator_id, row.expires_at);
      }
    }
    return out;
  }

  /**
   * Stores a report until `expiresAt`, replacing the previous entry of the same indicator and keeping its hit count.
   * An older report (smaller `fetchedAt`) never replaces a newer one. Returns whether it was written.
   */
  async put(report: Report, expiresAt: number): Promise<boolean> {
    const written = await this.#db.transaction((tx) => this.#write(tx, report, expiresAt));
    this.writeListener?.();
    return written;
  }

  /** Called after every put (the rotator watches the size limit with it). Keep it cheap. */
  writeListener: (() => void) | undefined;

  /**
   * Bytes on disk: the database file plus its WAL (two stat calls). PostgreSQL: what the cache's rows
   * take (`usedBytes`), the figure its size limit and rotation work on.
   */
  async sizeBytes(): Promise<number> {
    if (this.#db.dialect.name === 'sqlite') return this.#fileSize();
    return await this.#usedBytes();
  }

  /** `put` for many reports in one transaction (bulk loads, benchmarks). Returns how many were written. */
  async putMany(writes: Iterable<CacheWrite>): Promise<number> {
    const n = await this.#db.transaction(async (tx) => {
      let written = 0;
      for (const w of writes) if (await this.#write(tx, w.report, w.expiresAt)) written++;
      return written;
    });
    this.writeListener?.();
    return n;
  }

  /** Removes the selected entries (all of them with no filter). Returns how many went. */
  async delete(filter: CacheFilter = {}): Promise<number> {
    const w = where([
      filter.provider !== undefined && ['provider = ?', filter.provider],
      filter.kind !== undefined && ['kind = ?', filter.kind],
      filter.id !== undefined && ['indicator_id = ?', filter.id],
    ]);
    return await this.#db.run(`${SQL.deleteAll}${w.sql}`, ...w.params);
  }

  /** Number of entries matching the filter. */
  async count(filter: CacheFilter = {}): Promise<number> {
    const w = where([
      filter.provider !== undefined && ['provider = ?', filter.provider],
      filter.kind !== undefined && ['kind = ?', filter.kind],
      filter.id !== undefined && ['indicator_id = ?', filter.id],
    ]);
    return (await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM cache_entries${w.sql}`, ...w.params))?.n ?? 0;
  }

  /** One page of entries, newest first; pass `nextCursor` back for the following page. */
  async list(query: CacheListQuery): Promise<CacheListPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit) || 1, 1), 1000);
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const w = where([
      query.provider !== undefined && ['provider = ?', query.provider],
      query.kind !== undefined && ['kind = ?', query.kind],
      cursor && ['(fetched_at < ? OR (fetched_at = ? AND seq < ?))', cursor.f, cursor.f, cursor.s],
    ]);
    const sql = `SELECT ${COLUMNS} FROM cache_entries${w.sql} ORDER BY fetched_at DESC, seq DESC LIMIT ?`;
    const rows = await this.#db.all<EntryRow>(sql, ...w.params, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toEntry), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /**
   * Persists usage counted by the cache layer: named counters (`hits.memory`, `misses`, ...) and
   * per-entry hit increments, in one transaction. Called in batches so the hit path stays read-only.
   */
  async addUsage(counters: CacheCounters, hits: readonly CacheHitDelta[] = []): Promise<void> {
    await this.#db.runAll([
      ...Object.entries(counters).flatMap(([name, value]) => (value ? [[SQL.addCounter, name, value] as const] : [])),
      ...hits.flatMap((h) => (h.n ? [[SQL.addHits, h.n, h.provider, h.kind, h.id] as const] : [])),
    ]);
  }

  /** The persisted counters. */
  async counters(): Promise<CacheCounters> {
    const out: CacheCounters = {};
    for (const row of await this.#db.all<{ name: string; value: number }>(SQL.counters)) out[row.name] = row.value;
    return out;
  }

  /** What the cache holds, its size on disk and its hit ratio. `limits` are echoed for display. */
  async info(limits: CacheLimits | null = null): Promise<CacheInfo> {
    const entries = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<IndicatorKind, number>;
    const byProvider: Partial<Record<ProviderName, number>> = {};
    for (const row of await this.#db.all<{ provider: ProviderName; kind: IndicatorKind; n: number }>(SQL.groups)) {
      entries[row.kind] = (entries[row.kind] ?? 0) + row.n;
      byProvider[row.provider] = (byProvider[row.provider] ?? 0) + row.n;
    }
    const span = (await this.#db.get<{ oldest: number | null; newest: number | null; expired: number | null }>(SQL.span, this.#clock.now())) ?? {
      oldest: null,
      newest: null,
      expired: null,
    };
    const counters = await this.counters();
    let hits = 0;
    for (const [name, value] of Object.entries(counters)) if (name.startsWith('hits.')) hits += value;
    const misses = counters.misses ?? 0;
    return {
      path: this.#path,
      sizeBytes: await this.sizeBytes(),
      entries,
      byProvider,
      expired: span.expired ?? 0,
      oldestFetchedAt: span.oldest,
      newestFetchedAt: span.newest,
      hits,
      misses,
      hitRatio: hits + misses > 0 ? hits / (hits + misses) : 0,
      counters,
      limits,
    };
  }

  /**
   * Bytes of the pages the database actually uses (its size after a full reclaim, WAL excluded).
   * PostgreSQL frees space by (auto)vacuum, not at once, so there it is the stored reports' bytes plus
   * a per-row overhead: what the rows take, which is what rotation can act on.
   */
  async usedBytes(): Promise<number> {
    return await this.#usedBytes();
  }

  async #usedBytes(): Promise<number> {
    if (!(this.#db instanceof SqliteDb)) {
      return (await this.#db.get<{ n: number }>(`SELECT COALESCE(SUM(octet_length(report) + ${PG_ROW_OVERHEAD}), 0) AS n FROM cache_entries`))?.n ?? 0;
    }
    const raw = this.#db.raw;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const pages = raw.pragma('page_count', { simple: true }) as number;
    const free = raw.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }
  /**
   * Rotation: removes entries older than `maxAgeMs`, then the oldest beyond `maxPerKind` in each
   * (provider, kind), then the oldest until the used pages fit `maxBytes`; then returns freed pages to
   * the file system (incremental vacuum) and truncates the WAL. Works in small transactions and
   * yields to the event loop between them, so lookups keep flowing while it runs.
   */
  async prune(limits: CacheLimits, options: PruneOptions = {}): Promise<PruneResult> {
    const chunk = Math.max(1, options.chunkSize ?? 500);
    const now = options.now ?? this.#clock.now();
    const sizeBefore = await this.sizeBytes();
    const removed = { age: 0, count: 0, size: 0, total: 0 };

    removed.age = await this.#deleteWhileAny(() => this.#db.all<{ seq: number }>(SQL.olderThan, now - limits.maxAgeMs, chunk));

    const groups = await this.#db.all<{ provider: string; kind: string; n: number }>(SQL.groups);
    for (const g of groups) {
      let excess = g.n - limits.maxPerKind;
      while (excess > 0) {
        const seqs = await this.#db.all<{ seq: number }>(SQL.oldestInGroup, g.provider, g.kind, Math.min(chunk, excess));
        if (seqs.length === 0) break;
        await this.#deleteSeqs(seqs.map((r) => r.seq));
        removed.count += seqs.length;
        excess -= seqs.length;
        await yieldToEventLoop();
      }
    }

    let overSizeLimit = false;
    for (let used = await this.#usedBytes(); used > limits.maxBytes; used = await this.#usedBytes()) {
      // Delete about as many rows as the excess needs (bytes per row over-estimated from the whole
      // file), so big rows are not removed a whole chunk past the limit.
      const rows = (await this.#db.get<{ n: number }>('SELECT COUNT(*) AS n FROM cache_entries'))?.n ?? 0;
      const perRow = rows > 0 ? used / rows : used;
      const want = Math.min(chunk, Math.max(1, Math.ceil((used - limits.maxBytes) / perRow)));
      const seqs = await this.#db.all<{ seq: number }>(SQL.oldest, want);
      if (seqs.length === 0) {
        overSizeLimit = true;
        break;
      }
      await this.#deleteSeqs(seqs.map((r) => r.seq));
      removed.size += seqs.length;
      await yieldToEventLoop();
    }
    removed.total = removed.age + removed.count + removed.size;

    const reclaimedPages = await this.reclaimSpace();
    return { removed, reclaimedPages, sizeBefore, sizeAfter: await this.sizeBytes(), overSizeLimit };
  }

  /**
   * Gives free pages back to the file system with `PRAGMA incremental_vacuum`, a few hundred pages per
   * step with a yield between steps (never a full VACUUM), then truncates the WAL if no reader holds it.
   * PostgreSQL: 0 (its autovacuum makes deleted rows' space reusable).
   */
  async reclaimSpace(pagesPerStep = 256): Promise<number> {
    if (!(this.#db instanceof SqliteDb)) return 0;
    const db = this.#db.raw;
    let reclaimed = 0;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const free = db.pragma('freelist_count', { simple: true }) as number;
      if (free === 0) break;
      // exec() steps the pragma to completion; a prepared .run() would free only one page.
      db.exec(`PRAGMA incremental_vacuum(${Math.max(1, Math.trunc(pagesPerStep))})`);
      const after = db.pragma('freelist_count', { simple: true }) as number;
      if (after >= free) break;
      reclaimed += free - after;
      await yieldToEventLoop();
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    return reclaimed;
  }

  async #write(tx: Queryable, report: Report, expiresAt: number): Promise<boolean> {
    const old = await tx.get<{ seq: number; fetched_at: number; hits: number }>(SQL.existing, report.provider, report.kind, report.id);
    if (old && old.fetched_at > report.fetchedAt) return false;
    if (old) await tx.run(SQL.deleteSeq, old.seq);
    await tx.run(
      SQL.insert,
      report.provider,
      report.kind,
      report.id,
      report.indicator,
      report.found ? 1 : 0,
      report.verdict,
      report.detections ?? null,
      encodeReport(report),
      report.fetchedAt,
      expiresAt,
      old?.hits ?? 0,
    );
    return true;
  }

  #deleteSeqs(seqs: number[]): Promise<void> {
    return this.#db.transaction(async (tx) => {
      for (const seq of seqs) await tx.run(SQL.deleteSeq, seq);
    });
  }

  async #deleteWhileAny(next: () => Promise<Array<{ seq: number }>>): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await next();
      if (rows.length === 0) return total;
      await this.#deleteSeqs(rows.map((r) => r.seq));
      total += rows.length;
      await yieldToEventLoop();
    }
  }
}
