/**
 * Usage history (upstream calls per hour per governor key, 90 days, in `usage_hours`) and the quota forecast built on
 * it: at the current pace, when each window (minute aside) runs out and how many calls are left at
 * its next reset.
 */
import type { Clock } from '../clock/index.js';
import type { Governor, QuotaSummary, WindowName } from '../governor/index.js';

const HOUR = 3600_000;
const KEEP_MS = 90 * 86_400_000;
/** Hours of history the pace is measured over. */
export const PACE_HOURS = 6;

/** Where the history is kept: one row per key and hour (`store.usage`). */
export interface UsageStore {
  add(rows: ReadonlyArray<{ key: string; hour: number; calls: number }>, keepFrom: number): Promise<void>;
  since(since: number): Promise<Array<{ key: string; hour: number; calls: number }>>;
}

/** The settings value an earlier version kept the whole history in (moved to the table once). */
interface LegacyKv {
  get(name: string): Promise<string | undefined> | string | undefined;
  delete(name: string): Promise<boolean> | boolean;
}

const LEGACY_KEY = 'usage.hours';

type Hours = Map<string, Map<number, number>>;

function bump(hours: Hours, key: string, hour: number, calls: number): void {
  let m = hours.get(key);
  if (!m) {
    m = new Map();
    hours.set(key, m);
  }
  m.set(hour, (m.get(hour) ?? 0) + calls);
}

/**
 * Calls per hour per key, kept 90 days. Saved (on each new hour and at close) as additions to one row
 * per key and hour, so the processes sharing a data dir add up rather than overwrite each other; each
 * save reads the rows back, so the forecast sees the others' calls too.
 */
export class UsageHistory {
  /** What the forecast reads: the saved rows plus this process's calls not saved yet. */
  #hours: Hours = new Map();
  #pending: Hours = new Map();
  readonly #store: UsageStore | undefined;
  readonly #legacy: LegacyKv | undefined;
  #lastHour = 0;

  constructor(
    readonly clock: Clock,
    store?: { hours: UsageStore; legacy?: LegacyKv },
  ) {
    this.#store = store?.hours;
    this.#legacy = store?.legacy;
  }

  /** Reads the saved history (once, before use); a history still in the old settings value moves to the table. */
  async load(): Promise<void> {
    if (!this.#store) return;
    const saved = await this.#legacy?.get(LEGACY_KEY);
    if (saved) {
      const rows: Array<{ key: string; hour: number; calls: number }> = [];
      try {
        const doc = JSON.parse(saved) as Record<string, Record<string, number>>;
        for (const [key, hours] of Object.entries(doc)) for (const [h, n] of Object.entries(hours)) rows.push({ key, hour: Number(h), calls: n });
      } catch {
        // a damaged record is dropped; the table starts empty
      }
      await this.#store.add(rows, this.clock.now() - KEEP_MS);
      await this.#legacy?.delete(LEGACY_KEY);
    }
    await this.#reload();
  }

  async #reload(): Promise<void> {
    if (!this.#store) return;
    const rows = await this.#store.since(this.clock.now() - KEEP_MS);
    const hours: Hours = new Map();
    for (const r of rows) bump(hours, r.key, r.hour, r.calls);
    for (const [key, m] of this.#pending) for (const [hour, calls] of m) bump(hours, key, hour, calls);
    this.#hours = hours;
  }

  record(key: string, calls = 1, at = this.clock.now()): void {
    const hour = Math.floor(at / HOUR) * HOUR;
    bump(this.#hours, key, hour, calls);
    if (this.#store) bump(this.#pending, key, hour, calls);
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

  /** Adds this process's new calls to the saved rows (and drops hours older than 90 days). */
  async save(): Promise<void> {
    const cutoff = this.clock.now() - KEEP_MS;
    if (!this.#store) {
      for (const m of this.#hours.values()) for (const h of [...m.keys()]) if (h < cutoff) m.delete(h);
      return;
    }
    const rows: Array<{ key: string; hour: number; calls: number }> = [];
    for (const [key, m] of this.#pending) for (const [hour, calls] of m) rows.push({ key, hour, calls });
    this.#pending = new Map();
    try {
      if (rows.length > 0) await this.#store.add(rows, cutoff);
    } catch (err) {
      for (const r of rows) bump(this.#pending, r.key, r.hour, r.calls); // kept for the next save
      throw err;
    }
    await this.#reload();
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
  // a key pool's pace is its members' (each grant is counted under the key it went out on)
  const keys = summary.keys?.map((k) => k.key) ?? [key];
  const calls = keys.reduce((n, k) => n + usage.since(k, now - PACE_HOURS * HOUR), 0);
  const pace = Math.max(0, calls) / PACE_HOURS;
  return forecastOf(summary, pace, now);
}
