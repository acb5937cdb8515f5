/**
 * Upstream calls per hour per governor key (the usage history behind the quota forecast), one row per
 * key and hour, kept 90 days. Writes add to a row, so several processes on one data dir (`vtg serve`
 * and a `vtg batch`) each add their own calls and none overwrites another's.
 */
import type { SqlDb } from '../db/sql.js';

export interface UsageHour {
  key: string;
  /** Epoch ms of the hour's start. */
  hour: number;
  calls: number;
}

const SQL = {
  add: `INSERT INTO usage_hours (key, hour, calls) VALUES (?, ?, ?)
    ON CONFLICT (key, hour) DO UPDATE SET calls = usage_hours.calls + excluded.calls`,
  prune: 'DELETE FROM usage_hours WHERE hour < ?',
  since: 'SELECT key, hour, calls FROM usage_hours WHERE hour >= ? ORDER BY key, hour',
} as const;

export class UsageRepository {
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb) {
    this.#db = db;
  }

  /** Adds calls to their hours (one transaction) and drops hours before `keepFrom`. */
  async add(rows: readonly UsageHour[], keepFrom: number): Promise<void> {
    await this.#db.runAll([...rows.map((r) => [SQL.add, r.key, r.hour, r.calls] as const), [SQL.prune, keepFrom] as const]);
  }

  /** Every key's hours from `since`, by key then hour. */
  async since(since: number): Promise<UsageHour[]> {
    return await this.#db.all<UsageHour>(SQL.since, since);
  }
}
