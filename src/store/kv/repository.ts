import type { Clock } from '../../clock/index.js';
import type { SqlDb } from '../db/sql.js';

const SQL = {
  get: 'SELECT value FROM settings WHERE name = ?',
  set: `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  delete: 'DELETE FROM settings WHERE name = ?',
} as const;

/** Small named settings (e.g. the quota ledger), one text value each. */
export class KvRepository {
  readonly #clock: Clock;
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb, clock: Clock) {
    this.#clock = clock;
    this.#db = db;
  }

  async get(name: string): Promise<string | undefined> {
    const row = (await this.#db.get(SQL.get, name)) as { value: string } | undefined;
    return row?.value;
  }

  async set(name: string, value: string): Promise<void> {
    (await this.#db.run(SQL.set, name, value, this.#clock.now()));
  }

  async delete(name: string): Promise<boolean> {
    return (await this.#db.run(SQL.delete, name)) > 0;
  }
}
