/**
 * The search index (issue #15): one row per indicator (files folded onto their sha256), built
 * incrementally from `cache_entries` and `observations` by `SearchRepository.sync`, with its own
 * tables so the cache and history code stay untouched. Version 15 leaves room for other steps.
 */
import type { Dialect } from '../db/dialect.js';
import type { Migration } from '../db/migration.js';

export const SEARCH_MIGRATION: Migration = {
  version: 15,
  name: 'search index, sources and correlation edges',
  statements: (d: Dialect) => [
    `CREATE TABLE search_index (
      kind TEXT NOT NULL,
      indicator_id TEXT NOT NULL,
      indicator TEXT NOT NULL,
      verdict TEXT NOT NULL,
      severity INTEGER NOT NULL,
      detections INTEGER NOT NULL,
      engines INTEGER,
      threat_label TEXT,
      names TEXT NOT NULL,
      tags TEXT NOT NULL,
      providers TEXT NOT NULL,
      hashes ${d.json},
      first_seen ${d.bigint} NOT NULL,
      last_seen ${d.bigint} NOT NULL,
      observations INTEGER NOT NULL,
      updated_seq ${d.bigint} NOT NULL,
      PRIMARY KEY (kind, indicator_id)
    )`,
    // each sort key is followed by (kind, indicator_id), the cursor's tie-breakers, so a page is an index range
    'CREATE INDEX search_index_last ON search_index (last_seen, kind, indicator_id)',
    'CREATE INDEX search_index_first ON search_index (first_seen, kind, indicator_id)',
    'CREATE INDEX search_index_detections ON search_index (detections, kind, indicator_id)',
    'CREATE INDEX search_index_value ON search_index (indicator, kind, indicator_id)',
    'CREATE INDEX search_index_kind_last ON search_index (kind, last_seen, indicator_id)',
    'CREATE INDEX search_index_kind_detections ON search_index (kind, detections, indicator_id)',
    'CREATE INDEX search_index_verdict_last ON search_index (verdict, last_seen, kind, indicator_id)',
    'CREATE INDEX search_index_label ON search_index (threat_label)',
    'CREATE INDEX search_index_updated ON search_index (updated_seq)',
    `CREATE TABLE search_providers (
      kind TEXT NOT NULL,
      indicator_id TEXT NOT NULL,
      provider TEXT NOT NULL,
      verdict TEXT NOT NULL,
      detections INTEGER,
      engines INTEGER,
      threat_label TEXT,
      fetched_at ${d.bigint} NOT NULL,
      record ${d.json} NOT NULL,
      PRIMARY KEY (kind, indicator_id, provider)
    )`,
    'CREATE INDEX search_providers_provider ON search_providers (provider, kind, indicator_id)',
    `CREATE TABLE search_aliases (
      kind TEXT NOT NULL,
      alias_id TEXT NOT NULL,
      indicator_id TEXT NOT NULL,
      PRIMARY KEY (kind, alias_id)
    )`,
    `CREATE TABLE search_tags (
      tag TEXT NOT NULL,
      kind TEXT NOT NULL,
      indicator_id TEXT NOT NULL,
      PRIMARY KEY (tag, kind, indicator_id)
    )`,
    'CREATE INDEX search_tags_indicator ON search_tags (kind, indicator_id)',
    `CREATE TABLE search_sources (
      source TEXT NOT NULL,
      kind TEXT NOT NULL,
      indicator_id TEXT NOT NULL,
      at ${d.bigint} NOT NULL,
      PRIMARY KEY (source, kind, indicator_id)
    )`,
    'CREATE INDEX search_sources_indicator ON search_sources (kind, indicator_id)',
    `CREATE TABLE search_edges (
      src_kind TEXT NOT NULL,
      src_id TEXT NOT NULL,
      relation TEXT NOT NULL,
      dst_kind TEXT NOT NULL,
      dst_id TEXT NOT NULL,
      src_value TEXT NOT NULL,
      dst_value TEXT NOT NULL,
      evidence ${d.json} NOT NULL,
      at ${d.bigint} NOT NULL,
      PRIMARY KEY (src_kind, src_id, relation, dst_kind, dst_id)
    )`,
    'CREATE INDEX search_edges_dst ON search_edges (dst_kind, dst_id)',
    `CREATE TABLE search_state (
      name TEXT PRIMARY KEY,
      value ${d.bigint} NOT NULL
    )`,
  ],
};
