/**
 * The cache in front of every upstream call: TTL policy, an in-memory LRU, an optional shared Redis
 * tier and the SQLite store underneath (`TieredCache`), plus rotation of the SQLite tier (`CacheRotator`).
 */
export { DEFAULT_TTL_POLICY, ttlFor, type ProviderTtl, type TtlPolicy } from './ttl.js';
export { LruCache } from './lru.js';
export type { RedisCacheTier, RedisCacheTierOptions } from './redis-tier.js';

/** Opens the Redis cache tier; ioredis is loaded only when Redis is configured. */
export async function openRedisCacheTier(options: import('./redis-tier.js').RedisCacheTierOptions): Promise<import('./redis-tier.js').RedisCacheTier> {
  const { RedisCacheTier } = await import('./redis-tier.js');
  return new RedisCacheTier(options);
}
export { type CacheChange, TieredCache, type TieredCacheInfo, type TieredCacheOptions } from './tiered-cache.js';
export { CacheRotator, DEFAULT_CACHE_LIMITS, type CacheRotatorOptions } from './rotator.js';
export type { CacheLookup, CacheStats, CacheTierName, RedisTierState } from './types.js';
export type { CacheEntry, CacheFilter, CacheInfo, CacheLimits, CacheListPage, CacheListQuery, PruneResult } from '../store/index.js';
