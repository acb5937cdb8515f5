import type { MockQuotaLimits } from './types.js';

export type Window = 'minute' | 'hour' | 'day' | 'month';

export const PROFILE_LIMITS: Record<'public' | 'premium', Required<MockQuotaLimits>> = {
  public: { minute: 4, hour: 240, day: 500, month: 15_500 },
  premium: { minute: 1000, hour: 60_000, day: 1_000_000, month: 30_000_000 },
};

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Calendar {
  window: number;
  used: number;
}

interface KeyQuota {
  /** Times of granted requests in the last 60 s, oldest first. */
  minute: number[];
  hour: Calendar;
  day: Calendar;
  month: Calendar;
}

function monthIndex(now: number): number {
  const d = new Date(now);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function windowOf(kind: 'hour' | 'day' | 'month', now: number): number {
  if (kind === 'hour') return Math.floor(now / HOUR_MS);
  if (kind === 'day') return Math.floor(now / DAY_MS);
  return monthIndex(now);
}

/**
 * Per-key quota counters: a sliding 60 s window for the minute quota and UTC calendar windows for
 * the hour, day and month. Only granted requests count.
 */
export class QuotaLedger {
  #keys = new Map<string, KeyQuota>();
  #limits: Required<MockQuotaLimits>;
  /** Keys with limits of their own (a pool of keys of different tiers). */
  #keyLimits = new Map<string, Required<MockQuotaLimits>>();

  constructor(limits: Required<MockQuotaLimits>) {
    this.#limits = { ...limits };
  }

  get limits(): Required<MockQuotaLimits> {
    return { ...this.#limits };
  }

  setLimits(limits: Required<MockQuotaLimits>): void {
    this.#limits = { ...limits };
  }

  /** Gives one key limits of its own. */
  setKeyLimits(key: string, limits: Required<MockQuotaLimits>): void {
    this.#keyLimits.set(key, { ...limits });
  }

  /** The limits `key` is held to: its own, else everyone's. */
  limitsOf(key: string): Required<MockQuotaLimits> {
    return { ...(this.#keyLimits.get(key) ?? this.#limits) };
  }

  reset(): void {
    this.#keys.clear();
  }

  #state(key: string, now: number): KeyQuota {
    let q = this.#keys.get(key);
    if (!q) {
      q = {
        minute: [],
        hour: { window: windowOf('hour', now), used: 0 },
        day: { window: windowOf('day', now), used: 0 },
        month: { window: windowOf('month', now), used: 0 },
      };
      this.#keys.set(key, q);
    }
    const cutoff = now - MINUTE_MS;
    let drop = 0;
    while (drop < q.minute.length && (q.minute[drop] as number) <= cutoff) drop++;
    if (drop > 0) q.minute.splice(0, drop);
    for (const kind of ['hour', 'day', 'month'] as const) {
      const w = windowOf(kind, now);
      if (q[kind].window !== w) q[kind] = { window: w, used: 0 };
    }
    return q;
  }

  /** Grants and counts one request, or names the first exhausted window (nothing is counted then). */
  take(key: string, now: number): { ok: true } | { ok: false; window: Window } {
    const q = this.#state(key, now);
    const limits = this.#keyLimits.get(key) ?? this.#limits;
    if (q.minute.length >= limits.minute) return { ok: false, window: 'minute' };
    for (const kind of ['hour', 'day', 'month'] as const) {
      if (q[kind].used >= limits[kind]) return { ok: false, window: kind };
    }
    q.minute.push(now);
    q.hour.used++;
    q.day.used++;
    q.month.used++;
    return { ok: true };
  }

  /** Requests counted in each window for this key right now. */
  used(key: string, now: number): Record<Window, number> {
    const q = this.#state(key, now);
    return { minute: q.minute.length, hour: q.hour.used, day: q.day.used, month: q.month.used };
  }
}
