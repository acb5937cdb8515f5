/**
 * A pool of upstream keys for one provider (keys an organisation holds: premium keys per team, a
 * premium key with a public one behind it). Each member keeps its own governor windows and health;
 * the pool picks the member a call goes to (`primary-first`: the first healthy key with room, then
 * the next; `spread`: the key with most room) and applies one interactive reserve to the pool as a
 * whole: batch and background work stop when the pool's day/month totals reach the reserve.
 */
import { type Clock, systemClock } from '../clock/index.js';
import type { KeyPolicy } from '../config/index.js';
import { KeyUnhealthyError } from './errors.js';
import type { MemoryGovernor } from './memory.js';
import { reservedLimit } from './state.js';
import { statusFor } from './status.js';
import type { AcquireOptions, Governor, QuotaSummary } from './types.js';

export type { KeyPolicy };

export interface PoolMember {
  /** governor key */
  key: string;
  /** what quotas, metrics and logs show (never the secret) */
  label: string;
}

/** One member's quota as the pool shows it. */
export interface PoolKeySummary extends QuotaSummary {
  label: string;
  /** the upstream refused the key (401/403): it is out of rotation until the gateway restarts */
  revoked: boolean;
}

export type PoolGrant = { ok: true; key: string } | { ok: false; retryInMs: number; reason: string };

/** Longest sleep between two looks at the pool (limits may rise, keys come back on a restart). */
const MAX_SLEEP_MS = 60_000;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Calls a member could still take in its tightest window. */
function room(s: QuotaSummary): number {
  return s.windows.reduce((min, w) => Math.min(min, w.remaining), Number.POSITIVE_INFINITY);
}

export class KeyPool {
  readonly #clock: Clock;

  constructor(
    readonly governor: Governor,
    readonly members: readonly PoolMember[],
    readonly policy: KeyPolicy = 'primary-first',
    clock: Clock = systemClock,
  ) {
    if (members.length === 0) throw new RangeError('a key pool needs at least one key');
    this.#clock = clock;
  }

  get keys(): string[] {
    return this.members.map((m) => m.key);
  }

  labelOf(key: string): string {
    return this.members.find((m) => m.key === key)?.label ?? key;
  }

  /** Every member's quota, in pool order. */
  async summaries(options: { threshold?: number } = {}): Promise<PoolKeySummary[]> {
    return Promise.all(
      this.members.map(async (m) => {
        const s = await this.governor.summary(m.key, options);
        return { ...s, label: m.label, revoked: !s.keyHealthy };
      }),
    );
  }

  /** True while some member is still in rotation. */
  async anyHealthy(except?: string): Promise<boolean> {
    const all = await this.summaries();
    return all.some((s) => s.keyHealthy && s.key !== except);
  }

  /** Waits for a grant on some member and returns its governor key; rejects when no member is healthy. */
  async acquire(options: AcquireOptions = {}): Promise<string> {
    for (;;) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const r = await this.tryAcquire(options);
      if (r.ok) return r.key;
      await this.#clock.sleep(Math.min(MAX_SLEEP_MS, Math.max(1, r.retryInMs)), options.signal);
    }
  }

  /** A grant now on the member the policy picks, or how long until one could be granted. */
  async tryAcquire(options: AcquireOptions = {}): Promise<PoolGrant> {
    const healthy = (await this.summaries()).filter((s) => s.keyHealthy);
    if (healthy.length === 0) throw new KeyUnhealthyError(this.members.map((m) => m.label).join(', '));
    const reserveWait = this.#reserveWait(healthy, options.reserve ?? 0);
    if (reserveWait > 0) return { ok: false, retryInMs: reserveWait, reason: 'reserve' };
    const order = this.policy === 'spread' ? [...healthy].sort((a, b) => room(b) - room(a)) : healthy;
    let wait = Number.POSITIVE_INFINITY;
    let reason = '';
    for (const s of order) {
      let r: Awaited<ReturnType<Governor['tryAcquire']>>;
      try {
        // the reserve was applied to the pool as a whole above
        r = await this.governor.tryAcquire(s.key, { kind: options.kind ?? 'lookup' });
      } catch (err) {
        if (err instanceof KeyUnhealthyError) continue;
        throw err;
      }
      if (r.ok) return { ok: true, key: s.key };
      // a member busy with its own waiters (a task's later calls) is asked again shortly, not every ms
      const retry = r.reason === 'queued' ? Math.max(50, r.retryInMs) : r.retryInMs;
      if (retry < wait) {
        wait = retry;
        reason = r.reason;
      }
    }
    if (!Number.isFinite(wait)) throw new KeyUnhealthyError(this.members.map((m) => m.label).join(', '));
    return { ok: false, retryInMs: wait, reason };
  }

  /** ms until the pool's day/month totals leave room for a caller keeping `reserve` free (0 = now). */
  #reserveWait(healthy: PoolKeySummary[], reserve: number): number {
    if (reserve <= 0) return 0;
    const now = this.#clock.now();
    let wait = 0;
    for (const w of ['day', 'month'] as const) {
      const windows = healthy.map((s) => s.windows.find((x) => x.window === w));
      // a member without this window is unlimited in it: the pool is too
      if (windows.some((x) => x === undefined)) continue;
      const used = windows.reduce((n, x) => n + (x?.used ?? 0), 0);
      const limit = windows.reduce((n, x) => n + (x?.limit ?? 0), 0);
      if (used >= reservedLimit(limit, w, reserve)) {
        wait = Math.max(wait, Math.min(...windows.map((x) => x?.resetsAt ?? now)) - now);
      }
    }
    return Math.max(0, wait);
  }

  /** The pool's quota: windows summed over the members in rotation, and each member's own. */
  async summary(key: string, options: { threshold?: number } = {}): Promise<QuotaSummary> {
    const keys = await this.summaries(options);
    const live = keys.filter((s) => s.keyHealthy);
    const counted = live.length > 0 ? live : keys;
    const first = counted[0] as PoolKeySummary;
    const windows = first.windows
      .filter((w) => counted.every((s) => s.windows.some((x) => x.window === w.window)))
      .map((w) => {
        const all = counted.map((s) => s.windows.find((x) => x.window === w.window) as (typeof s.windows)[number]);
        const used = all.reduce((n, x) => n + x.used, 0);
        const limit = all.reduce((n, x) => n + x.limit, 0);
        const percent = limit > 0 ? Math.round((used / limit) * 10000) / 100 : 100;
        return { window: w.window, used, limit, remaining: Math.max(0, limit - used), percent, resetsAt: Math.min(...all.map((x) => x.resetsAt)) };
      });
    const ledger = { ...first.ledger };
    for (const s of keys) if (s !== first) for (const [k, n] of Object.entries(s.ledger)) ledger[k as keyof typeof ledger] = (ledger[k as keyof typeof ledger] ?? 0) + n;
    const hottest = windows.reduce((a, w) => Math.max(a, w.percent), 0);
    const status = statusFor(hottest);
    const reconciled = keys.map((s) => s.lastReconciledAt).filter((t): t is number => t !== null);
    const paused = live.length > 0 && live.every((s) => s.pausedUntil !== null) ? Math.min(...live.map((s) => s.pausedUntil as number)) : null;
    return {
      key,
      windows,
      status: live.length === 0 ? 'critical' : status,
      canMakeRequest: live.some((s) => s.canMakeRequest),
      recommendedBackoffMs: live.length > 0 ? Math.min(...live.map((s) => s.recommendedBackoffMs)) : 0,
      pausedUntil: paused,
      keyHealthy: live.length > 0,
      ledger,
      lastReconciledAt: reconciled.length > 0 ? Math.min(...reconciled) : null,
      ...(first.backend ? { backend: first.backend } : {}),
      keys,
    };
  }

  /** Time until `calls` more calls could all be granted over the pool (each member at its own pace). */
  async eta(calls: number, options: { reserve?: number } = {}): Promise<number> {
    if (calls <= 0) return 0;
    const live = (await this.summaries()).filter((s) => s.keyHealthy).map((s) => s.key);
    if (live.length === 0) return Number.POSITIVE_INFINITY;
    const series = (this.governor as Partial<Pick<MemoryGovernor, 'etaSeries'>>).etaSeries;
    if (typeof series === 'function') {
      // each key's grant times, merged: the pool's `calls`-th grant is the answer
      const all = (await Promise.all(live.map((k) => series.call(this.governor, k, calls, options)))).flat().sort((a, b) => a - b);
      return all[calls - 1] ?? Number.POSITIVE_INFINITY;
    }
    const memo = new Map<string, number>();
    const eta = async (key: string, n: number): Promise<number> => {
      if (n <= 0) return 0;
      const id = `${key}#${n}`;
      let v = memo.get(id);
      if (v === undefined) {
        v = await this.governor.eta(key, n, options);
        memo.set(id, v);
      }
      return v;
    };
    const single = await Promise.all(live.map((k) => eta(k, calls)));
    let hi = Math.min(...single);
    if (calls === 1 || live.length === 1 || hi === 0) return hi;
    if (!Number.isFinite(hi)) hi = 400 * 86_400_000;
    // calls a member can make within t
    const within = async (key: string, t: number): Promise<number> => {
      let lo = 0;
      let top = calls;
      while (lo < top) {
        const mid = Math.ceil((lo + top) / 2);
        if ((await eta(key, mid)) <= t) lo = mid;
        else top = mid - 1;
      }
      return lo;
    };
    const capacity = async (t: number) => {
      let total = 0;
      for (const k of live) total += await within(k, t);
      return total;
    };
    if ((await capacity(0)) >= calls) return 0;
    let lo = 0;
    for (let i = 0; i < 24 && hi - lo > Math.max(1000, hi * 0.01); i++) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await capacity(mid)) >= calls) hi = mid;
      else lo = mid;
    }
    if (hi >= 400 * 86_400_000) return Number.POSITIVE_INFINITY;
    // the answer is when the last member's share can be granted (a grant time, not the search's bound)
    let at = 0;
    for (const k of live) at = Math.max(at, await eta(k, await within(k, hi)));
    return at;
  }
}
