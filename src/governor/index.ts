/**
 * The quota governor: counts and grants upstream calls per key (sliding minute, UTC hour/day/month,
 * token bucket, pauses, key health, interactive reserve). It never calls an upstream itself.
 */
export type {
  AcquireOptions,
  CalendarWindow,
  Governor,
  QuotaLimits,
  QuotaStatus,
  QuotaSummary,
  QuotaWindowSummary,
  ReconcileReport,
  TryAcquireResult,
  WindowName,
} from './types.js';
export { DEFAULT_LIMITS } from './defaults.js';
export { keyLabel } from './key-label.js';
export { statusFor } from './status.js';
export { GovernorClosedError, KeyUnhealthyError } from './errors.js';
export { MemoryGovernor, type MemoryGovernorOptions } from './memory.js';
export { KeyPool, type KeyPolicy, type PoolGrant, type PoolKeySummary, type PoolMember } from './pool.js';
export { PooledGovernor } from './pooled.js';
export type { RedisGovernor, RedisGovernorEvent, RedisGovernorOptions } from './redis.js';

/** Opens the Redis governor; ioredis is loaded only when Redis is configured. */
export async function openRedisGovernor(options: import('./redis.js').RedisGovernorOptions): Promise<import('./redis.js').RedisGovernor> {
  const { RedisGovernor } = await import('./redis.js');
  return new RedisGovernor(options);
}
export type { QuotaSnapshot } from './state.js';
