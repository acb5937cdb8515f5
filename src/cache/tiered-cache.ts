import { type Clock, systemClock } from '../clock/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import type { ProviderName, Report } from '../providers/types.js';
import type {
  CacheEntry,
  CacheFilter,
  CacheHitDelta,
  CacheInfo,
  CacheLimits,
  CacheListPage,
  CacheListQuery,
  CacheRepository,
} from '../store/index.js';
import { LruCache } from './lru.js';
import type { RedisCacheTier } from './redis-tier.js';
import { DEFAULT_TTL_POLICY, type TtlPolicy, ttlFor } from './ttl.js';
import type { CacheLookup, CacheStats, CacheTierName, RedisTierState } from './types.js';

export interface TieredCacheOptions {
  /** The SQLite tier (`store.cache`). */
  repository: CacheRepository;
  /** The shared tier, when configured. */
  redis?: RedisCacheTier | null;
  clock?: Clock;
  policy?: TtlPolicy;
  /** Memory LRU size (default 10,000 entries); 0 turns the memory tier off. */
  memoryEntries?: number;
  /** Rotation limits, shown by `info()`. */
  limits?: CacheLimits | null;
  /** Usage counters are written to SQLite this often (default 10 s) and on `close`. */
  flushIntervalMs?: number;
  /** Told about every write and delete, so other instances can drop their memory copies (`dropLocal`). */
  onChange?: (change: CacheChange) => void;
}

/** A write (a newer answer for one indicator) or a delete, as other instances' memory tiers need to hear it. */
export type CacheChange =
  | { op: 'set'; provider: ProviderName; kind: IndicatorKind; id: string; fetchedAt: number }
  | { op: 'delete'; filter: CacheFilter };

export interface TieredCacheInfo extends CacheInfo {
  memory: { entries: number; maxEntries: number };
  redis: RedisTierState;
}

/** The last key built, by its parts: a hot indicator's repeated reads reuse one (flat, hashed) key string. */
let lastKey = { provider: '', kind: '', id: '', key: '\u0000\u0000' };

function keyOf(provider: string, kind: string, id: string): string {
  const last = lastKey;
  if (id === last.id && kind === last.kind && provider === last.provider) return last.key;
  const key = `${provider}\u0000${kind}\u0000${id}`;
  lastKey = { provider, kind, id, key };
  return key;
}

function matches(entry: CacheEntry, filter: CacheFilter): boolean {
  const r = entry.report;
  return (
    (filter.provider === undefined || r.provider === filter.provider) &&
    (filter.kind === undefined || r.kind === filter.kind) &&
    (filter.id === undefined || r.id === filter.id)
  );
}

/** The newer of two candidate answers (by fetch time). */
function newer(a: Found | undefined, b: Found | undefined): Found | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.entry.fetchedAt > a.entry.fetchedAt ? b : a;
}

const HIT_COUNTER: Record<CacheTierName, string> = { memory: 'hits.memory', redis: 'hits.redis', sqlite: 'hits.sqlite' };

interface Found {
  entry: CacheEntry;
  tier: CacheTierName;
}

/**
 * Memory LRU, then Redis (if configured), then SQLite. A hit in a lower tier is copied up with its
 * own `expiresAt` (never a fresh TTL), so re-promotion cannot keep an old answer alive. Expired
 * entries are returned with `fresh: false` so the caller can serve stale data when the quota is out.
 */
export class TieredCache {
  readonly #repo: CacheRepository;
  readonly #redis: RedisCacheTier | null;
  readonly #clock: Clock;
  readonly #policy: TtlPolicy;
  readonly #memory: LruCache<string, CacheEntry> | null;
  readonly #limits: CacheLimits | null;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #onChange: ((change: CacheChange) => void) | undefined;
  readonly #stats = { hits: { memory: 0, redis: 0, sqlite: 0 }, misses: 0, stale: 0, writes: 0 };
  #pendingCounters: Record<string, number> = {};
  #pendingHits = new Map<string, CacheHitDelta>();
  #closed = false;

  constructor(options: TieredCacheOptions) {
    this.#repo = options.repository;
    this.#redis = options.redis ?? null;
    this.#clock = options.clock ?? systemClock;
    this.#policy = options.policy ?? DEFAULT_TTL_POLICY;
    const memoryEntries = options.memoryEntries ?? 10_000;
    this.#memory = memoryEntries > 0 ? new LruCache(memoryEntries) : null;
    this.#limits = options.limits ?? null;
    this.#onChange = options.onChange;
    const every = options.flushIntervalMs ?? 10_000;
    if (every > 0) {
      this.#timer = setInterval(() => void this.#flushQuietly(), every);
      this.#timer.unref();
    }
  }

  get policy(): TtlPolicy {
    return this.#policy;
  }

  /**
   * A fresh answer from the memory tier alone, synchronously (counted as a hit), when it is no older
   * than `maxAgeMs`; otherwise undefined, counting nothing: the caller then asks `get`, which looks
   * down the tiers. The cache-hit path of a busy server takes no promise this way.
   */
  getFreshInMemory(provider: ProviderName, kind: IndicatorKind, id: string, maxAgeMs?: number): CacheLookup | undefined {
    if (!this.#memory) return undefined;
    const key = keyOf(provider, kind, id);
    const entry = this.#memory.get(key);
    if (!entry) return undefined;
    const now = this.#clock.now();
    if (entry.expiresAt <= now || (maxAgeMs !== undefined && Math.max(0, now - entry.fetchedAt) > maxAgeMs)) return undefined;
    return this.#hit(entry, 'memory', now, id, key);
  }

  /** The best answer for an indicator: the first fresh one going down the tiers, else the newest stale one. */
  async get(provider: ProviderName, kind: IndicatorKind, id: string): Promise<CacheLookup | undefined> {
    const key = keyOf(provider, kind, id);
    let now = this.#clock.now();
    const inMemory = this.#memory?.get(key);
    if (inMemory && inMemory.expiresAt > now) return this.#hit(inMemory, 'memory', now, id, key);
    let best: Found | undefined = inMemory ? { entry: inMemory, tier: 'memory' } : undefined;

    if (this.#redis) {
      const shared = await this.#redis.get(provider, kind, id);
      now = this.#clock.now();
      if (shared && shared.expiresAt > now) {
        this.#memory?.set(key, shared);
        return this.#hit(shared, 'redis', now, id, key);
      }
      best = newer(best, shared && { entry: shared, tier: 'redis' });
    }

    const stored = await this.#repo.get(provider, kind, id);
    if (stored && stored.expiresAt > now) {
      this.#memory?.set(key, stored);
      if (this.#redis) await this.#redis.set(stored);
      return this.#hit(stored, 'sqlite', now, id, key);
    }
    best = newer(best, stored && { entry: stored, tier: 'sqlite' });

    this.#stats.misses++;
    this.#count('misses');
    if (!best) return undefined;
    this.#stats.stale++;
    this.#count('stale');
    return { entry: best.entry, fresh: false, ageMs: Math.max(0, now - best.entry.fetchedAt), tier: best.tier };
  }

  /**
   * Which of `ids` (one provider and kind) have a fresh answer in some tier, as `get` would find it,
   * but for a whole list at once and counting nothing: memory first, then Redis one by one (when
   * configured), then one SQLite query per few hundred ids for the rest.
   */
  async freshIds(provider: ProviderName, kind: IndicatorKind, ids: readonly string[]): Promise<Set<string>> {
    const fresh = new Set<string>();
    let rest: string[] = [];
    const now = this.#clock.now();
    for (const id of ids) {
      const inMemory = this.#memory?.peek(keyOf(provider, kind, id));
      if (inMemory && inMemory.expiresAt > now) fresh.add(id);
      else rest.push(id);
    }
    if (this.#redis && rest.length > 0) {
      const left: string[] = [];
      for (const id of rest) {
        const shared = await this.#redis.get(provider, kind, id);
        if (shared && shared.expiresAt > this.#clock.now()) fresh.add(id);
        else left.push(id);
      }
      rest = left;
    }
    if (rest.length === 0) return fresh;
    const expiries = await this.#repo.expiresAtMany(provider, kind, rest);
    const at = this.#clock.now();
    for (const [id, expiresAt] of expiries) if (expiresAt > at) fresh.add(id);
    return fresh;
  }

  /**
   * Stores a new upstream answer in every tier, fresh for the policy's TTL from `now`
   * (default: the clock). Returns the stored entry.
   */
  async set(report: Report, now: number = this.#clock.now()): Promise<CacheEntry> {
    const entry = this.#entryFor(report, now);
    const written = await this.#repo.put(report, entry.expiresAt);
    // An older answer (e.g. a slow request finishing late) must not shadow a newer stored one.
    const current = written ? entry : ((await this.#repo.get(report.provider, report.kind, report.id)) ?? entry);
    this.#memory?.set(keyOf(report.provider, report.kind, report.id), current);
    if (this.#redis) await this.#redis.set(current);
    this.#stats.writes++;
    this.#onChange?.({ op: 'set', provider: report.provider, kind: report.kind, id: report.id, fetchedAt: current.fetchedAt });
    return current;
  }

  /** `set` for many reports: one SQLite transaction; memory and Redis get each entry too. */
  async setMany(reports: readonly Report[], now: number = this.#clock.now()): Promise<number> {
    const entries = reports.map((r) => this.#entryFor(r, now));
    const written = await this.#repo.putMany(entries.map((e) => ({ report: e.report, expiresAt: e.expiresAt })));
    for (const e of entries) {
      this.#memory?.set(keyOf(e.report.provider, e.report.kind, e.report.id), e);
      if (this.#redis) await this.#redis.set(e);
      this.#onChange?.({ op: 'set', provider: e.report.provider, kind: e.report.kind, id: e.report.id, fetchedAt: e.fetchedAt });
    }
    this.#stats.writes += entries.length;
    return written;
  }

  /** Removes matching entries from every tier (all of them with no filter). Returns the SQLite count. */
  async delete(filter: CacheFilter = {}): Promise<number> {
    this.#dropMemory(filter);
    if (this.#redis) await this.#redis.delete(filter);
    const removed = await this.#repo.delete(filter);
    this.#onChange?.({ op: 'delete', filter });
    return removed;
  }

  /** Another instance changed the cache: drop what this memory tier holds of it (older copies only, for a write). */
  dropLocal(change: CacheChange): void {
    if (change.op === 'delete') {
      this.#dropMemory(change.filter);
      return;
    }
    const key = keyOf(change.provider, change.kind, change.id);
    const held = this.#memory?.get(key);
    if (held && held.fetchedAt < change.fetchedAt) this.#memory?.delete(key);
  }

  #dropMemory(filter: CacheFilter): void {
    if (!this.#memory) return;
    for (const [key, entry] of [...this.#memory.entries()]) if (matches(entry, filter)) this.#memory.delete(key);
  }

  /** Entries stored in SQLite, newest first. */
  async list(query: CacheListQuery): Promise<CacheListPage> {
    return this.#repo.list(query);
  }

  /** The SQLite tier's info (persisted hit/miss counters included) plus the state of the upper tiers. */
  async info(): Promise<TieredCacheInfo> {
    await this.flush();
    return {
      ...(await this.#repo.info(this.#limits)),
      memory: { entries: this.#memory?.size ?? 0, maxEntries: this.#memory?.maxEntries ?? 0 },
      redis: this.#redis?.state() ?? 'disabled',
    };
  }

  /** Counters since this instance started, for metrics. */
  stats(): CacheStats {
    return {
      hits: { ...this.#stats.hits },
      misses: this.#stats.misses,
      stale: this.#stats.stale,
      writes: this.#stats.writes,
      memory: { entries: this.#memory?.size ?? 0, maxEntries: this.#memory?.maxEntries ?? 0 },
      redis: { state: this.#redis?.state() ?? 'disabled', errors: this.#redis?.errors ?? 0 },
    };
  }

  /** Writes pending usage counters and per-entry hits to SQLite (one transaction). */
  async flush(): Promise<void> {
    const counters = this.#pendingCounters;
    const hits = this.#pendingHits;
    if (Object.keys(counters).length === 0 && hits.size === 0) return;
    // Taken before the write (a concurrent flush must not write them twice), put back when it fails,
    // so a failed flush is retried with nothing lost.
    this.#pendingCounters = {};
    this.#pendingHits = new Map();
    try {
      await this.#repo.addUsage(counters, [...hits.values()]);
    } catch (error) {
      for (const [name, n] of Object.entries(counters)) this.#pendingCounters[name] = (this.#pendingCounters[name] ?? 0) + n;
      for (const [key, h] of hits) {
        const pending = this.#pendingHits.get(key);
        if (pending) pending.n += h.n;
        else this.#pendingHits.set(key, h);
      }
      throw error;
    }
  }

  /** Flushes counters and stops the timer. Does not close the store or the Redis tier (their owners do). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#flushQuietly();
  }

  #entryFor(report: Report, now: number): CacheEntry {
    return { report, fetchedAt: report.fetchedAt, expiresAt: now + ttlFor(report, this.#policy, now), hits: 0 };
  }

  /** Counts a fresh hit of `entry`, found under `id` (`key` is its cache key; a store may answer an alias). */
  #hit(entry: CacheEntry, tier: CacheTierName, now: number, id: string, key: string): CacheLookup {
    this.#stats.hits[tier]++;
    this.#count(HIT_COUNTER[tier]);
    const r = entry.report;
    const own = r.id === id ? key : keyOf(r.provider, r.kind, r.id);
    const pending = this.#pendingHits.get(own);
    if (pending) pending.n++;
    else this.#pendingHits.set(own, { provider: r.provider, kind: r.kind, id: r.id, n: 1 });
    return { entry, fresh: true, ageMs: Math.max(0, now - entry.fetchedAt), tier };
  }

  #count(name: string): void {
    this.#pendingCounters[name] = (this.#pendingCounters[name] ?? 0) + 1;
  }

  async #flushQuietly(): Promise<void> {
    try {
      await this.flush();
    } catch {
      // The store may be closed or busy; counters are best effort and the next flush retries.
    }
  }
}
