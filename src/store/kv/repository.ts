import type { Clock } from '../../clock/index.js';
import type { Db } from '../db/connection.js';
import { StatementCache } from '../db/statements.js';

const SQL = {
  get: 'SELECT value FROM settings WHERE name = ?',
  set: `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  delete: 'DELETE FROM settings WHERE name = ?',
} as const;

/** Small named settings (e.g. the quota ledger), one text value each. */
export class KvRepository {
  readonly #clock: Clock;
  readonly #statements: StatementCache;

  /** @internal Created by `Store.open`. */
  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    this.#statements = new StatementCache(db);
  }

  async get(name: string): Promise<string | undefined> {
    const row = this.#statements.get(SQL.get).get(name) as { value: string } | undefined;
    return row?.value;
  }

  async set(name: string, value: string): Promise<void> {
    this.#statements.get(SQL.set).run(name, value, this.#clock.now());
  }

  async delete(name: string): Promise<boolean> {
    return this.#statements.get(SQL.delete).run(name).changes > 0;
  }
}
