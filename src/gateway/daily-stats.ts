/**
 * "Today" on the dashboard and in `/api/stats`: the UTC day's lookups, cache hits, upstream calls,
 * errors and 429s, kept in the store so a restart does not reset them and several instances on one
 * store add up. Each process counts in memory (the hot path never writes) and adds what it counted
 * since the last flush to the day's row every `intervalMs` and on close; calls counted just before
 * midnight and flushed just after land on the new day (at most one interval's worth).
 */
import type { Clock } from '../clock/index.js';
import { type DailyCounterRepository, utcDayKey } from '../store/index.js';

export const DAILY_NAMES = ['lookups', 'cacheHits', 'staleServed', 'upstreamCalls', 'singleFlightJoins', 'errors', 'upstream429', 'changes'] as const;
export type DailyName = (typeof DAILY_NAMES)[number];
export type DailyCounts = Record<DailyName, number>;

export interface DayFigures extends DailyCounts {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Lookups answered without a call of their own: cache hits, stale answers and single-flight joins. */
  upstreamCallsSaved: number;
  hitRatio: number;
}

const KEEP_DAYS = 400;
const DAY_MS = 86_400_000;

function zero(): DailyCounts {
  return Object.fromEntries(DAILY_NAMES.map((n) => [n, 0])) as DailyCounts;
}

export class DailyStats {
  readonly #repo: DailyCounterRepository;
  readonly #clock: Clock;
  /** This process's counters since it started (cumulative). */
  readonly #read: () => DailyCounts;
  readonly #intervalMs: number;
  /** The counters as of the last flush. */
  #flushed = zero();
  /** The stored totals of `#storedDay`, read back at the last flush (every instance's share). */
  #stored: Partial<DailyCounts> = {};
  #storedDay = '';
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(repo: DailyCounterRepository, clock: Clock, read: () => DailyCounts, intervalMs = 10_000) {
    this.#repo = repo;
    this.#clock = clock;
    this.#read = read;
    this.#intervalMs = intervalMs;
  }

  /** Reads today's stored totals (at open). */
  async load(): Promise<void> {
    const day = utcDayKey(this.#clock.now());
    this.#stored = await this.#repo.day(day);
    this.#storedDay = day;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush().catch(() => {}), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and adds what is left (a store that fails now loses only these seconds' counts). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush().catch(() => {});
  }

  /** Adds what was counted since the last flush to today's row, then reads the day's totals back. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const now = this.#clock.now();
    const day = utcDayKey(now);
    const current = this.#read();
    const delta = zero();
    for (const n of DAILY_NAMES) delta[n] = current[n] - this.#flushed[n];
    await this.#repo.add(day, delta);
    this.#flushed = current;
    if (day !== this.#storedDay) await this.#repo.pruneBefore(utcDayKey(now - KEEP_DAYS * DAY_MS));
    this.#stored = await this.#repo.day(day);
    this.#storedDay = day;
  }

  /** Today's figures: the stored totals plus what this process counted since its last flush. */
  today(): DayFigures {
    const day = utcDayKey(this.#clock.now());
    const stored = day === this.#storedDay ? this.#stored : {};
    const current = this.#read();
    const c = zero();
    for (const n of DAILY_NAMES) c[n] = (stored[n] ?? 0) + current[n] - this.#flushed[n];
    const saved = c.cacheHits + c.staleServed + c.singleFlightJoins;
    return { day, ...c, upstreamCallsSaved: saved, hitRatio: c.lookups > 0 ? (c.cacheHits + c.staleServed) / c.lookups : 0 };
  }
}
