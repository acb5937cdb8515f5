import type Database from 'better-sqlite3';
import type { Db } from './connection.js';

type Statement = Database.Statement<unknown[], unknown>;

/** Prepares each distinct SQL text once (for queries whose WHERE clause depends on the filters given). */
export class StatementCache {
  readonly #db: Db;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Db) {
    this.#db = db;
  }

  get(sql: string): Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare<unknown[], unknown>(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }
}
