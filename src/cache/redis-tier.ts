import { Redis, type RedisOptions } from 'ioredis';
import { type Clock, systemClock } from '../clock/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import type { ProviderName } from '../providers/types.js';
import type { CacheEntry, CacheFilter } from '../store/index.js';
import type { RedisTierState } from './types.js';

export interface RedisCacheTierOptions {
  /** `redis://[user:pass@]host:port/db`; alternatively host/port/db below. */
  url?: string;
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  /** Longest time a key lives in Redis (VIRUSTOTAL_REDIS_TTL semantics), default 86,400 s. Never longer than the entry's own expiry. */
  ttlMs?: number;
  clock?: Clock;
  /** A command not answered within this time fails (and the tier is skipped for a moment). Default 300 ms. */
  commandTimeoutMs?: number;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
  /** After a failed command, skip Redis for this long before trying again. Default 1000 ms. */
  suspendMs?: number;
  /** Default `vtg:cache:`. */
  keyPrefix?: string;
}

const DEFAULT_TTL_MS = 86_400_000;
const SCAN_BATCH = 500;
const SCAN_ROUNDS_MAX = 10_000;

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function isEntry(value: unknown): value is CacheEntry {
  const v = value as CacheEntry | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.report === 'object' &&
    v.report !== null &&
    typeof v.fetchedAt === 'number' &&
    typeof v.expiresAt === 'number'
  );
}

/**
 * The shared cache tier: one Redis for several gateway instances. It never fails a lookup: when
 * Redis is unreachable or slow, reads return `undefined` and writes return false, at once (no
 * offline queue, short command timeout), while ioredis reconnects in the background.
 */
export class RedisCacheTier {
  readonly ttlMs: number;
  readonly #client: Redis;
  readonly #clock: Clock;
  readonly #prefix: string;
  readonly #suspendMs: number;
  #suspendedUntil = 0;
  #closed = false;
  #errors = 0;
  #lastError: string | null = null;

  constructor(options: RedisCacheTierOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (!(this.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.#clock = options.clock ?? systemClock;
    this.#prefix = options.keyPrefix ?? 'vtg:cache:';
    this.#suspendMs = options.suspendMs ?? 1000;
    const redisOptions: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 300,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
      lazyConnect: false,
    };
    if (options.host !== undefined) redisOptions.host = options.host;
    if (options.port !== undefined) redisOptions.port = options.port;
    if (options.db !== undefined) redisOptions.db = options.db;
    if (options.username !== undefined) redisOptions.username = options.username;
    if (options.password !== undefined) redisOptions.password = options.password;
    this.#client = options.url ? new Redis(options.url, redisOptions) : new Redis(redisOptions);
    // Without a listener, ioredis reports connection errors as unhandled; the tier just goes `down`.
    this.#client.on('error', (error: Error) => this.#noteError(error));
  }

  /** `ready` when Redis answers, `down` while it is unreachable (or just failed), `disabled` after `close`. */
  state(): RedisTierState {
    if (this.#closed) return 'disabled';
    if (this.#client.status !== 'ready' || Date.now() < this.#suspendedUntil) return 'down';
    return 'ready';
  }

  /** Failed commands and connection errors so far. */
  get errors(): number {
    return this.#errors;
  }

  /** The last error's message (connection errors carry no credentials), or null. */
  get lastError(): string | null {
    return this.#lastError;
  }

  key(provider: ProviderName, kind: IndicatorKind, id: string): string {
    return `${this.#prefix}${provider}:${kind}:${id}`;
  }

  /** The entry, or undefined when absent, unreadable or Redis is down. */
  async get(provider: ProviderName, kind: IndicatorKind, id: string): Promise<CacheEntry | undefined> {
    if (this.state() !== 'ready') return undefined;
    try {
      const text = await this.#client.get(this.key(provider, kind, id));
      if (text === null) return undefined;
      const value = JSON.parse(text) as unknown;
      return isEntry(value) ? value : undefined;
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  /**
   * Stores the entry for the rest of its life, capped at `ttlMs`. Its `expiresAt` is kept as is: a
   * promotion from a lower tier never makes an entry fresh for longer. Returns whether it was stored.
   */
  async set(entry: CacheEntry): Promise<boolean> {
    if (this.state() !== 'ready') return false;
    const remaining = Math.min(this.ttlMs, entry.expiresAt - this.#clock.now());
    if (remaining <= 0) return false;
    const r = entry.report;
    try {
      await this.#client.set(this.key(r.provider, r.kind, r.id), JSON.stringify(entry), 'PX', Math.ceil(remaining));
      return true;
    } catch (error) {
      this.#failed(error);
      return false;
    }
  }

  /** Removes matching keys (SCAN + UNLINK for a pattern). Returns how many went; 0 when Redis is down. */
  async delete(filter: CacheFilter = {}): Promise<number> {
    if (this.state() !== 'ready') return 0;
    try {
      if (filter.provider && filter.kind && filter.id !== undefined) {
        return await this.#client.del(this.key(filter.provider, filter.kind, filter.id));
      }
      const pattern = `${escapeGlob(this.#prefix)}${filter.provider ?? '*'}:${filter.kind ?? '*'}:${
        filter.id === undefined ? '*' : escapeGlob(filter.id)
      }`;
      let cursor = '0';
      let removed = 0;
      for (let round = 0; round < SCAN_ROUNDS_MAX; round++) {
        const [next, keys] = await this.#client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        if (keys.length) removed += await this.#client.unlink(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
      return removed;
    } catch (error) {
      this.#failed(error);
      return 0;
    }
  }

  /** Disconnects at once (pending commands fail, which callers already tolerate). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.disconnect();
  }

  #failed(error: unknown): void {
    this.#suspendedUntil = Date.now() + this.#suspendMs;
    this.#noteError(error);
  }

  #noteError(error: unknown): void {
    this.#errors++;
    this.#lastError = error instanceof Error ? error.message : String(error);
  }
}
