import type { Redis } from 'ioredis';
import type { Clock } from '../clock/index.js';

export type RedisGovernorEvent =
  /** Redis is unreachable: this process now serves from its local share of every limit. */
  | { type: 'fallback'; error: string }
  /** Redis answered again: counts made meanwhile were added to the shared counters. */
  | { type: 'resync'; pushed: number; dataLost: boolean }
  /** Back on the shared counters after the resync grace period. */
  | { type: 'shared' };

export interface RedisGovernorOptions {
  /** a URL (the governor opens and closes its own connection) or a client you own */
  redis: string | Redis;
  clock?: Clock;
  /** key prefix, default 'vtg:gov:' */
  prefix?: string;
  /**
   * Fraction of each limit this process may use while Redis is unreachable (default 0.5, i.e. two
   * instances; use 1/N for N instances). Each limit gets at least 1. It assumes every instance lost
   * Redis together (a Redis outage, not a partition of one instance). A function is asked each time
   * the share is applied (a cluster passes 1 / the instances it last saw alive).
   */
  localShare?: number | (() => number);
  onEvent?: (e: RedisGovernorEvent) => void;
}
