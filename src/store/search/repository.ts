/**
 * The search index over the cache and the history. `sync()` folds in what was cached or observed since
 * the last call (watermarks on `cache_entries.seq`, `observations.seq` and `batch_items.rowid`), so a
 * search costs the index lookups plus the work of the few rows that arrived since. Times are epoch ms.
 */
import { type IndicatorKind, permalinkOf } from '../../indicators/index.js';
import type { ProviderName, Verdict } from '../../providers/types.js';
import { decodeReport } from '../cache-entries/codec.js';
import type { Dialect } from '../db/dialect.js';
import type { SqlDb } from '../db/sql.js';
import { type Derived, derive } from './derive.js';
import { encodeCursor, filterConditions, fromClause, pageSql } from './query.js';
import { type SearchSummary, summarize } from './summary.js';
import { OBSERVATION_COLUMNS, type ObservationRow } from '../db/observation-row.js';
import { where } from '../db/where.js';
import { SEVERITY } from './severity.js';
import { forgetCached } from './forget.js';
import type { CacheFilter } from '../cache-entries/types.js';
import type { EdgeRecord, FileHashes, IndicatorRecord, ProviderRecord, SearchPage, SearchQuery } from './types.js';

const CHUNK = 500;
const ANALYZE_AFTER = 5000;
/** A tag or source with more matches than this is probed per row rather than joined (see pageSql). */
const PROBE_ABOVE = 2000;
const INDEX_COLUMNS = 's.kind, s.indicator_id, s.indicator, s.verdict, s.detections, s.engines, s.threat_label, s.names, s.tags, s.providers, s.hashes, s.first_seen, s.last_seen, s.observations, s.updated_seq';

/** The statements, with the few spellings that differ taken from the dialect. */
const statementsFor = (d: Dialect) => ({
  state: 'SELECT value FROM search_state WHERE name = ?',
  setState: 'INSERT INTO search_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  cacheRows: 'SELECT seq, report FROM cache_entries WHERE seq > ? ORDER BY seq LIMIT ?',
  obsRows: `SELECT seq, ${OBSERVATION_COLUMNS} FROM observations WHERE seq > ? ORDER BY seq LIMIT ?`,
  batchRows: 'SELECT rowid AS rid, job_id, kind, indicator_id FROM batch_items WHERE rowid > ? ORDER BY rowid LIMIT ?',
  alias: 'SELECT indicator_id FROM search_aliases WHERE kind = ? AND alias_id = ?',
  putAlias: 'INSERT INTO search_aliases (kind, alias_id, indicator_id) VALUES (?, ?, ?) ON CONFLICT (kind, alias_id) DO UPDATE SET indicator_id = excluded.indicator_id',
  providerFetched: 'SELECT fetched_at FROM search_providers WHERE kind = ? AND indicator_id = ? AND provider = ?',
  putProvider: `INSERT INTO search_providers (kind, indicator_id, provider, verdict, detections, engines, threat_label, fetched_at, record)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, indicator_id, provider) DO UPDATE SET verdict = excluded.verdict,
    detections = excluded.detections, engines = excluded.engines, threat_label = excluded.threat_label,
    fetched_at = excluded.fetched_at, record = excluded.record`,
  providers: 'SELECT provider, verdict, detections, engines, threat_label, record FROM search_providers WHERE kind = ? AND indicator_id = ? ORDER BY provider',
  putIndex: `INSERT INTO search_index (kind, indicator_id, indicator, verdict, severity, detections, engines, threat_label, names, tags,
      providers, hashes, first_seen, last_seen, observations, updated_seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
    ON CONFLICT (kind, indicator_id) DO UPDATE SET indicator = excluded.indicator, verdict = excluded.verdict,
      severity = excluded.severity, detections = excluded.detections, engines = excluded.engines,
      threat_label = excluded.threat_label,
      names = CASE WHEN excluded.names <> '' THEN excluded.names ELSE search_index.names END,
      tags = CASE WHEN excluded.tags <> ',' THEN excluded.tags ELSE search_index.tags END,
      providers = excluded.providers, hashes = COALESCE(excluded.hashes, search_index.hashes),
      first_seen = ${d.least}(search_index.first_seen, excluded.first_seen), last_seen = ${d.greatest}(search_index.last_seen, excluded.last_seen),
      updated_seq = excluded.updated_seq`,
  seen: `UPDATE search_index SET first_seen = ${d.least}(first_seen, ?), last_seen = ${d.greatest}(last_seen, ?), observations = observations + 1,
    updated_seq = ? WHERE kind = ? AND indicator_id = ?`,
  hasIndex: 'SELECT indicator, names, tags, hashes, first_seen, last_seen FROM search_index WHERE kind = ? AND indicator_id = ?',
  clearTags: 'DELETE FROM search_tags WHERE kind = ? AND indicator_id = ?',
  putTag: 'INSERT INTO search_tags (tag, kind, indicator_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  putSource: `INSERT INTO search_sources (source, kind, indicator_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (source, kind, indicator_id) DO UPDATE SET at = ${d.greatest}(search_sources.at, excluded.at)`,
  sources: 'SELECT source FROM search_sources WHERE kind = ? AND indicator_id = ? ORDER BY at DESC LIMIT 50',
  putEdge: `INSERT INTO search_edges (src_kind, src_id, relation, dst_kind, dst_id, src_value, dst_value, evidence, at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (src_kind, src_id, relation, dst_kind, dst_id)
    DO UPDATE SET evidence = excluded.evidence, at = ${d.greatest}(search_edges.at, excluded.at)`,
  edgesFrom: 'SELECT * FROM search_edges WHERE src_kind = ? AND src_id = ? ORDER BY at DESC LIMIT ?',
  edgesTo: 'SELECT * FROM search_edges WHERE dst_kind = ? AND dst_id = ? ORDER BY at DESC LIMIT ?',
  sameLabel: 'SELECT kind, indicator_id, indicator FROM search_index WHERE threat_label = ? AND NOT (kind = ? AND indicator_id = ?) ORDER BY last_seen DESC LIMIT ?',
  feedCursor: "SELECT value FROM search_state WHERE name = 'seq'",
});

interface IndexRow {
  kind: IndicatorKind;
  indicator_id: string;
  indicator: string;
  verdict: Verdict;
  detections: number;
  engines: number | null;
  threat_label: string | null;
  names: string;
  tags: string;
  providers: string;
  hashes: string | null;
  first_seen: number;
  last_seen: number;
  observations: number;
  updated_seq: number;
}

interface EdgeRow {
  src_kind: IndicatorKind;
  src_id: string;
  relation: string;
  dst_kind: IndicatorKind;
  dst_id: string;
  src_value: string;
  dst_value: string;
  evidence: string;
  at: number;
}

type ObsRow = ObservationRow & { seq: number };

function toEdge(r: EdgeRow): EdgeRecord {
  return {
    src: { kind: r.src_kind, id: r.src_id, value: r.src_value },
    dst: { kind: r.dst_kind, id: r.dst_id, value: r.dst_value },
    relation: r.relation,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    at: r.at,
  };
}

export class SearchRepository {
  readonly #db: SqlDb;
  readonly #batches: SqlDb;
  readonly #sql: ReturnType<typeof statementsFor>;

  /**
   * @internal Created by `Store.open`. `batches` is the database holding batch jobs when it is not the
   * cache's own (mock mode keeps them with the operator's state).
   */
  constructor(db: SqlDb, batches: SqlDb = db) {
    this.#db = db;
    this.#batches = batches;
    this.#sql = statementsFor(db.dialect);
  }

  async #state(name: string): Promise<number> {
    return ((await this.#db.get(this.#sql.state, name)) as { value: number } | undefined)?.value ?? 0;
  }

  async #setState(name: string, value: number): Promise<void> {
    (await this.#db.run(this.#sql.setState, name, value));
  }

  async #nextSeq(): Promise<number> {
    const seq = await this.#state('seq') + 1;
    await this.#setState('seq', seq);
    return seq;
  }

  /** Folds new cache entries, observations and batch items into the index. Returns the rows processed. */
  async sync(): Promise<number> {
    if (this.#db.readonly) return 0;
    let total = 0;
    for (;;) {
      const n = await this.#db.transaction(() => this.#syncChunk());
      total += n;
      if (n === 0) break;
    }
    // After a large fold (the first index build, a big batch) refresh the planner's statistics: without
    // them SQLite picks e.g. the kind index for `kind=file AND detections>=10` and reads every file row.
    if (total >= ANALYZE_AFTER) await this.#analyze();
    return total;
  }

  /** Like `sync`, yielding to the event loop between chunks (a server keeps answering during a first build). */
  async syncAsync(): Promise<number> {
    if (this.#db.readonly) return 0;
    let total = 0;
    for (;;) {
      const n = await this.#db.transaction(() => this.#syncChunk());
      total += n;
      if (n === 0) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total >= ANALYZE_AFTER) await this.#analyze();
    return total;
  }

  async #analyze(): Promise<void> {
    if (this.#db.dialect.name === 'sqlite') await this.#db.exec('PRAGMA analysis_limit = 1000');
    await this.#db.exec('ANALYZE search_index; ANALYZE search_tags; ANALYZE search_sources; ANALYZE search_edges');
  }

  async #syncChunk(): Promise<number> {
    let n = 0;
    const cacheMark = await this.#state('cache_seq');
    const cacheRows = (await this.#db.all(this.#sql.cacheRows, cacheMark, CHUNK)) as Array<{ seq: number; report: string | Buffer }>;
    for (const row of cacheRows) await this.#indexReport(derive(decodeReport(row.report)));
    if (cacheRows.length > 0) await this.#setState('cache_seq', cacheRows[cacheRows.length - 1]!.seq);
    n += cacheRows.length;
    // observations only once the cache backlog is in, so a file's md5/sha1 already maps to its sha256
    if (cacheRows.length === CHUNK) return n;

    const obsMark = await this.#state('obs_seq');
    const obsRows = (await this.#db.all(this.#sql.obsRows, obsMark, CHUNK)) as ObsRow[];
    for (const o of obsRows) await this.#indexObservation(o);
    if (obsRows.length > 0) await this.#setState('obs_seq', obsRows[obsRows.length - 1]!.seq);
    n += obsRows.length;

    const batchMark = await this.#state('batch_rowid');
    const batchRows = await this.#batches.all<{ rid: number; job_id: string; kind: IndicatorKind | null; indicator_id: string | null }>(this.#sql.batchRows, batchMark, CHUNK);
    for (const b of batchRows) {
      if (b.kind && b.indicator_id) (await this.#db.run(this.#sql.putSource, `batch:${b.job_id}`, b.kind, await this.#canonicalId(b.kind, b.indicator_id), 0));
    }
    if (batchRows.length > 0) await this.#setState('batch_rowid', batchRows[batchRows.length - 1]!.rid);
    return n + batchRows.length;
  }

  /** The id the index uses for an indicator (a file's md5 or sha1 maps to its sha256 once known). */
  async canonicalId(kind: IndicatorKind, id: string): Promise<string> {
    return await this.#canonicalId(kind, id);
  }

  async #canonicalId(kind: IndicatorKind, id: string): Promise<string> {
    if (kind !== 'file') return id;
    return ((await this.#db.get(this.#sql.alias, kind, id)) as { indicator_id: string } | undefined)?.indicator_id ?? id;
  }

  async #indexReport(d: Derived): Promise<void> {
    const k = d.kind;
    for (const alias of d.aliases) (await this.#db.run(this.#sql.putAlias, k, alias, d.canonicalId));
    const existing = (await this.#db.get(this.#sql.providerFetched, k, d.canonicalId, d.record.provider)) as { fetched_at: number } | undefined;
    if (existing && existing.fetched_at > d.record.fetchedAt) return;
    const r = d.record;
    (await this.#db.run(this.#sql.putProvider, k, d.canonicalId, r.provider, r.verdict, r.detections, r.engines, r.threatLabel, r.fetchedAt, JSON.stringify(r)));
    if (d.tags.length > 0 || r.provider === 'virustotal') {
      (await this.#db.run(this.#sql.clearTags, k, d.canonicalId));
      for (const t of d.tags) (await this.#db.run(this.#sql.putTag, t, k, d.canonicalId));
    }
    for (const e of d.edges) await this.#putEdge(e);
    await this.#recompute(k, d.canonicalId, d.indicator, { names: d.names, tags: d.tags, hashes: d.hashes, at: r.fetchedAt });
  }

  async #recompute(kind: IndicatorKind, id: string, indicator: string, extra: { names: string[]; tags: string[]; hashes: FileHashes | null; at: number }): Promise<void> {
    const rows = (await this.#db.all(this.#sql.providers, kind, id)) as Array<{ provider: ProviderName; verdict: Verdict; detections: number | null; engines: number | null; threat_label: string | null }>;
    let verdict: Verdict = 'not_found';
    let detections = 0;
    let engines: number | null = null;
    let label: string | null = null;
    for (const p of rows) {
      if (SEVERITY[p.verdict] > SEVERITY[verdict] || (SEVERITY[p.verdict] === SEVERITY[verdict] && p.provider === 'virustotal')) verdict = p.verdict;
      detections = Math.max(detections, p.detections ?? 0);
      if (p.provider === 'virustotal') {
        engines = p.engines;
        if (p.threat_label) label = p.threat_label;
      } else if (engines === null && p.engines !== null) engines = p.engines;
      if (!label && p.threat_label) label = p.threat_label;
    }
    const providers = `,${rows.map((p) => p.provider).join(',')},`;
    await this.#db.run(this.#sql.putIndex, kind, id, indicator, verdict, SEVERITY[verdict], detections, engines, label, extra.names.length > 0 ? JSON.stringify(extra.names) : '', `,${extra.tags.join(',')},`, providers, extra.hashes ? JSON.stringify(extra.hashes) : null, extra.at, extra.at, await this.#nextSeq());
  }

  async #indexObservation(o: ObsRow): Promise<void> {
    const id = await this.#canonicalId(o.kind, o.indicator_id);
    const existing = (await this.#db.get(this.#sql.hasIndex, o.kind, id)) as { indicator: string } | undefined;
    const fetched = (await this.#db.get(this.#sql.providerFetched, o.kind, id, o.provider)) as { fetched_at: number } | undefined;
    if (!fetched || fetched.fetched_at < o.at) {
      // history knows an answer the cache no longer holds (rotated out) or never held: index it from the observation
      const stats = o.stats ? (JSON.parse(o.stats) as ProviderRecord['stats']) : null;
      const engines = stats?.engines ?? null;
      const record: ProviderRecord = { provider: o.provider, found: o.verdict !== 'not_found', verdict: o.verdict, detections: o.detections, engines, threatLabel: o.threat_label, reputation: o.reputation, stats, lastAnalysisAt: null, firstSeenAt: null, fetchedAt: o.at };
      (await this.#db.run(this.#sql.putProvider, o.kind, id, o.provider, o.verdict, o.detections, engines, o.threat_label, o.at, JSON.stringify(record)));
      await this.#recompute(o.kind, id, existing?.indicator ?? o.indicator, { names: [], tags: [], hashes: null, at: o.at });
    }
    (await this.#db.run(this.#sql.seen, o.at, o.at, await this.#nextSeq(), o.kind, id));
  }

  /** Removes what a cache clear with this filter took away (see forget.ts). Returns the indicators dropped. */
  async forget(filter: CacheFilter): Promise<number> {
    if (this.#db.readonly) return 0;
    return await forgetCached(this.#db, filter, filter.id === undefined ? undefined : await this.#canonicalId(filter.kind ?? 'file', filter.id));
  }

  /** Records a link between two indicators (VirusTotal relationships, Cowrie sessions, ...). */
  async putEdge(e: EdgeRecord): Promise<void> {
    await this.#putEdge(e);
  }

  async #putEdge(e: EdgeRecord): Promise<void> {
    const src = await this.#canonicalId(e.src.kind, e.src.id);
    const dst = await this.#canonicalId(e.dst.kind, e.dst.id);
    (await this.#db.run(this.#sql.putEdge, e.src.kind, src, e.relation, e.dst.kind, dst, e.src.value, e.dst.value, JSON.stringify(e.evidence), e.at));
  }

  /** Tags indicators with a source (`cowrie:<run>`, `watchlist:<name>`, ...), so searches can filter on it. */
  async putSource(source: string, items: ReadonlyArray<{ kind: IndicatorKind; id: string }>, at: number): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const i of items) await tx.run(this.#sql.putSource, source, i.kind, await this.#canonicalId(i.kind, i.id), at);
    });
  }

  /** One page of matching indicators, with the total count. Call `sync()` first for fresh results. */
  async search(query: SearchQuery = {}, options: { count?: boolean } = {}): Promise<SearchPage> {
    return await this.#search(query, options);
  }

  async #search(query: SearchQuery, options: { count?: boolean }): Promise<SearchPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50) || 1, 1), 1000);
    const counting = pageSql(query, INDEX_COLUMNS, limit, false, this.#db.dialect.ilike);
    const total = options.count === false ? -1 : ((await this.#db.get(counting.countSql, ...counting.countParams)) as { n: number }).n;
    const probe = total > PROBE_ABOVE && (query.tag !== undefined || query.source !== undefined);
    const p = probe ? pageSql(query, INDEX_COLUMNS, limit, true, this.#db.dialect.ilike) : counting;
    const rows = (await this.#db.all(p.sql, ...p.params)) as IndexRow[];
    const last = rows[rows.length - 1];
    const nextCursor = rows.length === limit && last ? encodeCursor(last[p.column as keyof IndexRow] as number | string, last.kind, last.indicator_id) : null;
    return { items: await Promise.all(rows.map((r) => this.#toRecord(r))), total, nextCursor, feedCursor: await this.#feedCursor() };
  }

  /** Every matching indicator, page by page (bounded memory), in the query's order. */
  async *iterate(query: SearchQuery = {}, pageSize = 500): AsyncGenerator<IndicatorRecord> {
    let cursor = query.cursor;
    for (;;) {
      const page = await this.#search({ ...query, limit: pageSize, ...(cursor ? { cursor } : {}) }, { count: false });
      yield* page.items;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  async count(query: SearchQuery = {}): Promise<number> {
    const p = pageSql({ ...query, cursor: undefined }, INDEX_COLUMNS, 1, false, this.#db.dialect.ilike);
    return ((await this.#db.get(p.countSql, ...p.countParams)) as { n: number }).n;
  }

  /** Whether one indicator matches the filters (exports link only to indicators they contain). */
  async matches(query: SearchQuery, kind: IndicatorKind, id: string): Promise<boolean> {
    const w = where([...filterConditions(query, this.#db.dialect.ilike), ['s.kind = ? AND s.indicator_id = ?', kind, await this.#canonicalId(kind, id)]]);
    const from = fromClause(query);
    return (await this.#db.get(`SELECT 1 AS hit${from.sql}${w.sql}`, ...from.params, ...w.params)) !== undefined;
  }

  /** Counts, time range, detections over time and upstream answers for reports. */
  async summary(query: SearchQuery = {}): Promise<SearchSummary> {
    return await summarize(this.#db, query);
  }

  async feedCursor(): Promise<number> {
    return await this.#feedCursor();
  }

  async #feedCursor(): Promise<number> {
    return ((await this.#db.get(this.#sql.feedCursor)) as { value: number } | undefined)?.value ?? 0;
  }

  /** One indicator's record (by any of its ids), or undefined when nothing is known about it. */
  async get(kind: IndicatorKind, id: string): Promise<IndicatorRecord | undefined> {
    const row = (await this.#db.get(`SELECT ${INDEX_COLUMNS} FROM search_index s WHERE s.kind = ? AND s.indicator_id = ?`, kind, await this.#canonicalId(kind, id))) as IndexRow | undefined;
    return row ? await this.#toRecord(row) : undefined;
  }

  async sources(kind: IndicatorKind, id: string): Promise<string[]> {
    return ((await this.#db.all(this.#sql.sources, kind, await this.#canonicalId(kind, id))) as Array<{ source: string }>).map((r) => r.source);
  }

  /** Links out of and into one indicator (newest first, at most `limit` each way). */
  async edges(kind: IndicatorKind, id: string, limit = 200): Promise<EdgeRecord[]> {
    const cid = await this.#canonicalId(kind, id);
    const out = (await this.#db.all(this.#sql.edgesFrom, kind, cid, limit)) as EdgeRow[];
    const into = (await this.#db.all(this.#sql.edgesTo, kind, cid, limit)) as EdgeRow[];
    return [...out, ...into].map(toEdge);
  }

  /** Other indicators carrying the same threat label (for clustering). */
  async sameLabel(label: string, except: { kind: IndicatorKind; id: string }, limit = 50): Promise<Array<{ kind: IndicatorKind; id: string; value: string }>> {
    return ((await this.#db.all(this.#sql.sameLabel, label, except.kind, except.id, limit)) as Array<{ kind: IndicatorKind; indicator_id: string; indicator: string }>).map((r) => ({ kind: r.kind, id: r.indicator_id, value: r.indicator }));
  }

  async #toRecord(r: IndexRow): Promise<IndicatorRecord> {
    const providers = ((await this.#db.all(this.#sql.providers, r.kind, r.indicator_id)) as Array<{ record: string }>).map((p) => JSON.parse(p.record) as ProviderRecord);
    const hasVt = r.providers.includes(',virustotal,');
    return {
      kind: r.kind,
      id: r.indicator_id,
      indicator: r.indicator,
      verdict: r.verdict,
      detections: r.detections,
      engines: r.engines,
      threatLabel: r.threat_label,
      names: r.names === '' ? [] : (JSON.parse(r.names) as string[]),
      tags: r.tags.split(',').filter((t) => t !== ''),
      hashes: r.hashes ? (JSON.parse(r.hashes) as FileHashes) : null,
      permalink: hasVt ? permalinkOf(r.kind, r.indicator_id) : null,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      observations: r.observations,
      providers,
      seq: r.updated_seq,
    };
  }
}
