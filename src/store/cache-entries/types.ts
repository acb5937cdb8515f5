import type { IndicatorKind } from '../../indicators/index.js';
import type { ProviderName, Report } from '../../providers/types.js';

/** One cached provider answer. `expiresAt` decides freshness; an expired entry is still returned (stale). */
export interface CacheEntry {
  report: Report;
  /** Epoch ms when the gateway received the report from upstream (equals `report.fetchedAt`). */
  fetchedAt: number;
  /** Epoch ms after which the entry is stale. Never moved forward except by a new upstream answer. */
  expiresAt: number;
  /** How many times the entry answered a lookup (persisted in batches by the cache layer). */
  hits: number;
}

/** A report to store, with its expiry (used by `putMany`). */
export interface CacheWrite {
  report: Report;
  expiresAt: number;
}

/** Selects cache entries: nothing = all, `kind` / `provider` narrow it, `id` picks one indicator. */
export interface CacheFilter {
  provider?: ProviderName;
  kind?: IndicatorKind;
  id?: string;
}

export interface CacheListQuery {
  provider?: ProviderName;
  kind?: IndicatorKind;
  /** Page size (1..1000). */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface CacheListPage {
  /** Newest first (by `fetchedAt`). */
  items: CacheEntry[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Rotation limits (defaults: 100 MB, 30 days, 10,000 entries per provider and kind). */
export interface CacheLimits {
  /** Bytes in use by the database file (pages in use, WAL excluded) above which the oldest entries go. */
  maxBytes: number;
  /** Entries fetched longer ago than this are removed. */
  maxAgeMs: number;
  /** Newest entries kept for each (provider, kind) pair. */
  maxPerKind: number;
}

/** Hit/miss counters persisted by the cache layer. Keys are free-form (`hits.memory`, `misses`, ...). */
export type CacheCounters = Record<string, number>;

export interface CacheInfo {
  path: string;
  /** Database file + WAL on disk. */
  sizeBytes: number;
  /** Entry count per indicator kind (every kind present, 0 when none). */
  entries: Record<IndicatorKind, number>;
  byProvider: Partial<Record<ProviderName, number>>;
  /** Entries past their `expiresAt` (kept as stale fallbacks until rotation removes them). */
  expired: number;
  oldestFetchedAt: number | null;
  newestFetchedAt: number | null;
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 when there was no lookup yet. */
  hitRatio: number;
  /** Raw persisted counters (per tier). */
  counters: CacheCounters;
  limits: CacheLimits | null;
}

/** Per-entry hit increments, flushed in batches. */
export interface CacheHitDelta {
  provider: ProviderName;
  kind: IndicatorKind;
  id: string;
  n: number;
}

export interface PruneOptions {
  /** Rows deleted per transaction (default 500); the loop yields to the event loop between them. */
  chunkSize?: number;
  /** Time source for the age rule (default: the store's clock). */
  now?: number;
}

export interface PruneResult {
  removed: { age: number; count: number; size: number; total: number };
  /** Pages returned to the file system by incremental vacuum. */
  reclaimedPages: number;
  sizeBefore: number;
  sizeAfter: number;
  /** True when the size rule could not be met by removing cache entries alone (other tables are too big). */
  overSizeLimit: boolean;
}
