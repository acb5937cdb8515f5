import type { SqlDb } from '../db/sql.js';

const SQL = {
  add: `INSERT INTO daily_counters (day, name, value) VALUES (?, ?, ?)
    ON CONFLICT (day, name) DO UPDATE SET value = daily_counters.value + excluded.value`,
  day: 'SELECT name, value FROM daily_counters WHERE day = ?',
  prune: 'DELETE FROM daily_counters WHERE day < ?',
} as const;

/**
 * Named counters per UTC day (`YYYY-MM-DD`), added to by every process on the store, so the day's
 * figures survive a restart and sum over instances.
 */
export class DailyCounterRepository {
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb) {
    this.#db = db;
  }

  /** Adds each (non-zero) delta to the day's counter of that name. */
  async add(day: string, deltas: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(deltas).filter(([, n]) => n !== 0);
    if (entries.length === 0) return;
    await this.#db.runAll(entries.map(([name, n]) => [SQL.add, day, name, n] as const));
  }

  /** The day's counters by name (absent names were never added to). */
  async day(day: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const row of (await this.#db.all(SQL.day, day)) as Array<{ name: string; value: number }>) out[row.name] = row.value;
    return out;
  }

  /** Deletes the days before `day`; returns how many rows. */
  async pruneBefore(day: string): Promise<number> {
    return (await this.#db.run(SQL.prune, day));
  }
}
