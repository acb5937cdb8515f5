/**
 * `SqlDb` on better-sqlite3. Reads run at once on statements prepared once per SQL text (the cache-hit
 * path stays one prepared `get`). Write transactions are async (`fn` awaits its statements), so they
 * take an in-process lock first: while one is open, other transactions and plain writes of this
 * process wait for it rather than land inside it. Across processes, BEGIN IMMEDIATE and `retryBusy`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './connection.js';
import { type Dialect, sqliteDialect } from './dialect.js';
import type { Queryable, SqlDb } from './sql.js';
import { StatementCache } from './statements.js';
import { retryBusy } from './write.js';

export class SqliteDb implements SqlDb {
  readonly dialect: Dialect = sqliteDialect;
  readonly raw: Db;
  readonly #statements: StatementCache;
  readonly #inside = new AsyncLocalStorage<Queryable>();
  readonly #tx: Queryable;
  #tail: Promise<void> = Promise.resolve();
  #locked = false;

  constructor(db: Db) {
    this.raw = db;
    this.#statements = new StatementCache(db);
    const s = this.#statements;
    this.#tx = {
      dialect: this.dialect,
      get: async <T>(sql: string, ...params: unknown[]) => s.get(sql).get(...params) as T | undefined,
      all: async <T>(sql: string, ...params: unknown[]) => s.get(sql).all(...params) as T[],
      run: async (sql: string, ...params: unknown[]) => s.get(sql).run(...params).changes,
      exec: async (sql: string) => void db.exec(sql),
    };
  }

  get readonly(): boolean {
    return this.raw.readonly;
  }

  get isOpen(): boolean {
    return this.raw.open;
  }

  get<T = unknown>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    return Promise.resolve(this.#statements.get(sql).get(...params) as T | undefined);
  }

  all<T = unknown>(sql: string, ...params: unknown[]): Promise<T[]> {
    return Promise.resolve(this.#statements.get(sql).all(...params) as T[]);
  }

  run(sql: string, ...params: unknown[]): Promise<number> {
    const write = () => retryBusy(this.raw, () => this.#statements.get(sql).run(...params).changes);
    if (!this.#locked || this.#inside.getStore()) return Promise.resolve(write());
    return this.#exclusive(async () => write());
  }

  async exec(sql: string): Promise<void> {
    if (!this.#locked || this.#inside.getStore()) retryBusy(this.raw, () => this.raw.exec(sql));
    else await this.#exclusive(async () => retryBusy(this.raw, () => this.raw.exec(sql)));
  }

  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    const open = this.#inside.getStore();
    if (open) return fn(open);
    return this.#exclusive(async () => {
      retryBusy(this.raw, () => this.raw.exec('BEGIN IMMEDIATE'));
      try {
        const result = await this.#inside.run(this.#tx, () => fn(this.#tx));
        this.raw.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw error;
      } finally {
        // transactions never overlap (#exclusive): none is open now. A storage left enabled keeps node's
        // async hooks on for the life of the process, a cost on every callback, socket write and promise
        // (a fifth of a cache hit's instructions on the server); the next transaction enables it again.
        this.#inside.disable();
      }
    });
  }

  runAll(statements: ReadonlyArray<readonly [sql: string, ...params: unknown[]]>): Promise<void> {
    const runAll = () => {
      for (const [sql, ...params] of statements) this.#statements.get(sql).run(...params);
    };
    // inside an open transaction: they join it
    if (this.#inside.getStore()) return Promise.resolve(runAll());
    const write = () => {
      retryBusy(this.raw, () => this.raw.exec('BEGIN IMMEDIATE'));
      try {
        runAll();
        this.raw.exec('COMMIT');
      } catch (error) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw error;
      }
    };
    // synchronous: nothing of this process can run between BEGIN and COMMIT, unless a transaction is
    // open already (it awaits): then after it
    if (!this.#locked) {
      try {
        write();
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#exclusive(async () => write());
  }

  async close(): Promise<void> {
    if (this.raw.open) this.raw.close();
  }

  async #exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#locked = true;
    try {
      return await fn();
    } finally {
      this.#locked = false;
      release();
    }
  }
}
