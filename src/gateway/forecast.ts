/**
 * Usage history (upstream calls per hour per governor key, 90 days) and the quota forecast built on
 * it: at the current pace, when each window (minute aside) runs out and how many calls are left at
 * its next reset.
 */
import type { Clock } from '../clock/index.js';
import type { Governor, QuotaSummary, WindowName } from '../governor/index.js';

const HOUR = 3600_000;
const KEEP_MS = 90 * 86_400_000;
/** Hours of history the pace is measured over. */
export const PACE_HOURS = 6;

interface Kv {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}

/** Calls per hour per key, kept 90 days; persisted (in the store's settings) on each new hour and at close. */
export class UsageHistory {
  readonly #hours = new Map<string, Map<number, number>>();
  readonly #kv: Kv | undefined;
  #lastHour = 0;
  /** Something was recorded since the last save (an idle run writes nothing). */
  #dirty = false;

  constructor(
    readonly clock: Clock,
    kv?: Kv,
  ) {
    this.#kv = kv;
  }

  /** Reads the saved history (once, before use). */
  async load(): Promise<void> {
    const saved = await this.#kv?.get('usage.hours');
    if (saved) {
      try {
        const doc = JSON.parse(saved) as Record<string, Record<string, number>>;
        for (const [key, hours] of Object.entries(doc)) this.#hours.set(key, new Map(Object.entries(hours).map(([h, n]) => [Number(h), n])));
      } catch {
        // a damaged record starts a new history
      }
    }
  }

  record(key: string, calls = 1, at = this.clock.now()): void {
    const hour = Math.floor(at / HOUR) * HOUR;
    let m = this.#hours.get(key);
    if (!m) {
      m = new Map();
      this.#hours.set(key, m);
    }
    m.set(hour, (m.get(hour) ?? 0) + calls);
    this.#dirty = true;
    if (hour !== this.#lastHour) {
      if (this.#lastHour !== 0) void this.save().catch(() => {});
      this.#lastHour = hour;
    }
  }

  /** Hour buckets (start, calls) since `since`, oldest first. */
  series(key: string, since: number): Array<{ hour: number; calls: number }> {
    const m = this.#hours.get(key);
    if (!m) return [];
    return [...m.entries()]
      .filter(([h]) => h + HOUR > since)
      .sort((a, b) => a[0] - b[0])
      .map(([hour, calls]) => ({ hour, calls }));
  }

  /** Calls in the last `hours` hours. */
  since(key: string, since: number): number {
    return this.series(key, since).reduce((n, b) => n + b.calls, 0);
  }

  async save(): Promise<void> {
    if (!this.#kv || !this.#dirty) return;
    this.#dirty = false;
    const cutoff = this.clock.now() - KEEP_MS;
    const doc: Record<string, Record<string, number>> = {};
    for (const [key, m] of this.#hours) {
      for (const h of [...m.keys()]) if (h < cutoff) m.delete(h);
      doc[key] = Object.fromEntries(m);
    }
    await this.#kv.set('usage.hours', JSON.stringify(doc));
  }
}

/** Wraps a governor so every grant is counted in the usage history (a release gives it back). */
export function countingGovernor(governor: Governor, usage: UsageHistory): Governor {
  return new Proxy(governor, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'acquire')
        return async (key: string, options?: unknown) => {
          await (value as Governor['acquire']).call(target, key, options as never);
          usage.record(key);
        };
      if (prop === 'tryAcquire')
        return async (key: string, options?: unknown) => {
          const r = await (value as Governor['tryAcquire']).call(target, key, options as never);
          if (r.ok) usage.record(key);
          return r;
        };
      if (prop === 'release')
        return async (key: string, options?: unknown) => {
          await (value as Governor['release']).call(target, key, options as never);
          usage.record(key, -1);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface WindowForecast {
  window: Exclude<WindowName, 'minute'>;
  limit: number;
  used: number;
  remaining: number;
  resetsAt: number;
  /** When the window runs out at the current pace; null when it lasts until its reset. */
  exhaustsAt: number | null;
  /** Calls left when the window resets, at the current pace. */
  leftAtReset: number;
}

export interface QuotaForecast {
  key: string;
  at: number;
  /** Calls per hour over the last `PACE_HOURS` hours. */
  pacePerHour: number;
  windows: WindowForecast[];
}

/** The forecast from a governor summary and the pace. Pure. */
export function forecastOf(summary: QuotaSummary, pacePerHour: number, now: number): QuotaForecast {
  const windows: WindowForecast[] = [];
  for (const w of summary.windows) {
    if (w.window === 'minute' || !Number.isFinite(w.limit)) continue;
    const hoursLeft = Math.max(0, w.resetsAt - now) / HOUR;
    const projected = pacePerHour * hoursLeft;
    const exhaustsAt = pacePerHour > 0 && projected > w.remaining ? now + Math.round((w.remaining / pacePerHour) * HOUR) : null;
    windows.push({
      window: w.window,
      limit: w.limit,
      used: w.used,
      remaining: w.remaining,
      resetsAt: w.resetsAt,
      exhaustsAt,
      leftAtReset: Math.max(0, Math.floor(w.remaining - projected)),
    });
  }
  return { key: summary.key, at: now, pacePerHour: Math.round(pacePerHour * 100) / 100, windows };
}

/** The forecast of one governor key at this moment. */
export async function forecastKey(governor: Governor, usage: UsageHistory, key: string, clock: Clock): Promise<QuotaForecast> {
  const now = clock.now();
  const summary = await governor.summary(key);
  const pace = Math.max(0, usage.since(key, now - PACE_HOURS * HOUR)) / PACE_HOURS;
  return forecastOf(summary, pace, now);
}
