/**
 * The one query interface the repositories use, with an SQLite implementation (better-sqlite3,
 * prepared statements cached per SQL text) and a PostgreSQL one (a `pg` pool). SQL is written with
 * `?` placeholders in the subset both engines share; the few spellings that differ come from `dialect`.
 */
import type { Dialect } from './dialect.js';

/** Statements on the database, or inside one open transaction. */
export interface Queryable {
  readonly dialect: Dialect;
  /** The first row, or undefined. */
  get<T = unknown>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  all<T = unknown>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
  /** Runs statements with no parameters (DDL). */
  exec(sql: string): Promise<void>;
}

export interface SqlDb extends Queryable {
  readonly readonly: boolean;
  /**
   * Runs `fn` in one write transaction, committed when it resolves and rolled back when it throws.
   * Write transactions are serialised (SQLite: BEGIN IMMEDIATE, retried while another process holds
   * the lock; PostgreSQL: a transaction-scoped advisory lock), so a read-then-write inside one sees no
   * other writer. A transaction started inside another one joins it.
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  /**
   * Runs write statements (each `[sql, ...params]`) in one write transaction, as `transaction` does,
   * with no code of the caller's between them. SQLite runs them synchronously, so it needs no async
   * context to tell its own statements from others: a one-shot command's counters are written without
   * switching on node's async hooks (~15 M instructions at start-up).
   */
  runAll(statements: ReadonlyArray<readonly [sql: string, ...params: unknown[]]>): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
}

/** A UNIQUE constraint refused the row (SQLite's code, or PostgreSQL's SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
