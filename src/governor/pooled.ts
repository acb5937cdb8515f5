/**
 * A governor view in which each key pool also answers under its own name (e.g. `virustotal:pool`):
 * summaries and ETAs over the pool, grants on the member the pool's policy picks. Every other key
 * goes to the governor underneath unchanged, so a pool of one key is never wrapped at all.
 */
import type { CallKind } from '../providers/types.js';
import type { KeyPool } from './pool.js';
import type { AcquireOptions, Governor, QuotaLimits, QuotaSummary, ReconcileReport, TryAcquireResult } from './types.js';

const WINDOWS = ['minute', 'hour', 'day', 'month'] as const;

export class PooledGovernor implements Governor {
  constructor(
    readonly inner: Governor,
    readonly pools: ReadonlyMap<string, KeyPool>,
  ) {}

  configure(key: string, limits: QuotaLimits): void {
    const pool = this.pools.get(key);
    if (!pool) {
      this.inner.configure(key, limits);
      return;
    }
    for (const k of pool.keys) this.inner.configure(k, limits);
  }

  /** A pool's limits are its members' summed, window by window. */
  limits(key: string): QuotaLimits {
    const pool = this.pools.get(key);
    if (!pool) return this.inner.limits(key);
    const all = pool.keys.map((k) => this.inner.limits(k));
    const out: QuotaLimits = {};
    for (const w of WINDOWS) if (all.every((l) => l[w] !== undefined)) out[w] = all.reduce((n, l) => n + (l[w] as number), 0);
    return out;
  }

  async acquire(key: string, options?: AcquireOptions): Promise<void> {
    const pool = this.pools.get(key);
    if (!pool) return this.inner.acquire(key, options);
    await pool.acquire(options);
  }

  async tryAcquire(key: string, options?: AcquireOptions): Promise<TryAcquireResult> {
    const pool = this.pools.get(key);
    if (!pool) return this.inner.tryAcquire(key, options);
    const r = await pool.tryAcquire(options);
    return r.ok ? { ok: true } : r;
  }

  pause(key: string, until: number): void {
    const pool = this.pools.get(key);
    if (!pool) {
      this.inner.pause(key, until);
      return;
    }
    for (const k of pool.keys) this.inner.pause(k, until);
  }

  setKeyHealthy(key: string, healthy: boolean): void {
    const pool = this.pools.get(key);
    if (!pool) {
      this.inner.setKeyHealthy(key, healthy);
      return;
    }
    for (const k of pool.keys) this.inner.setKeyHealthy(k, healthy);
  }

  /** A pool's grants are given back on the member that made them (the scheduler knows which). */
  async release(key: string, options?: { kind?: CallKind }): Promise<void> {
    if (!this.pools.has(key)) await this.inner.release(key, options);
  }

  /** Reconciliation is per member key (each key reads its own counters). */
  async reconcile(key: string, report: ReconcileReport): Promise<void> {
    if (!this.pools.has(key)) await this.inner.reconcile(key, report);
  }

  summary(key: string, options?: { threshold?: number }): Promise<QuotaSummary> {
    const pool = this.pools.get(key);
    return pool ? pool.summary(key, options) : this.inner.summary(key, options);
  }

  eta(key: string, calls: number, options?: { reserve?: number }): Promise<number> {
    const pool = this.pools.get(key);
    return pool ? pool.eta(calls, options) : this.inner.eta(key, calls, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
