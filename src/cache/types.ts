import type { CacheEntry } from '../store/index.js';

export type CacheTierName = 'memory' | 'redis' | 'sqlite';
export type RedisTierState = 'ready' | 'down' | 'disabled';

/** What `TieredCache.get` found. `fresh` is false for an expired entry (a stale fallback). */
export interface CacheLookup {
  entry: CacheEntry;
  fresh: boolean;
  /** now - entry.fetchedAt. */
  ageMs: number;
  /** The tier that answered. */
  tier: CacheTierName;
}

/** In-process counters since the cache was created (for metrics). */
export interface CacheStats {
  hits: Record<CacheTierName, number>;
  /** Lookups with no fresh entry in any tier (stale answers included). */
  misses: number;
  /** Misses that still found an expired entry. */
  stale: number;
  writes: number;
  memory: { entries: number; maxEntries: number };
  redis: { state: RedisTierState; errors: number };
}
