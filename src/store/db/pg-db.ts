/**
 * `SqlDb` on PostgreSQL through a `pg` pool. `?` placeholders become `$n`; int8 and numeric come back
 * as JS numbers (epoch ms and counters fit in 2^53); a transaction runs on one client and first takes
 * a transaction-scoped advisory lock, so write transactions are serialised across every instance the
 * way SQLite's IMMEDIATE transactions are across processes (read-then-write stays correct).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { type Dialect, postgresDialect } from './dialect.js';
import { numberedPlaceholders } from './placeholders.js';
import type { Queryable, SqlDb } from './sql.js';

/** The advisory lock key every write transaction takes ("vtg" in ASCII). */
const WRITE_LOCK = 0x767467;
const INT8 = 20;
const NUMERIC = 1700;

function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

export interface PgDbOptions {
  /** A schema of its own (created when missing): mock mode keeps simulated answers apart from the operator's state. */
  schema?: string;
  readonly?: boolean;
  /** Connections in the pool (default 8). */
  max?: number;
}

type Client = Pick<pg.PoolClient, 'query'>;

function queryable(dialect: Dialect, client: () => Client): Queryable {
  const q = async (sql: string, params: unknown[]) => await client().query({ text: numberedPlaceholders(sql), values: params });
  return {
    dialect,
    get: async <T>(sql: string, ...params: unknown[]) => (await q(sql, params)).rows[0] as T | undefined,
    all: async <T>(sql: string, ...params: unknown[]) => (await q(sql, params)).rows as T[],
    run: async (sql: string, ...params: unknown[]) => (await q(sql, params)).rowCount ?? 0,
    exec: async (sql: string) => void (await client().query(sql)),
  };
}

export class PgDb implements SqlDb {
  readonly dialect: Dialect = postgresDialect;
  readonly readonly: boolean;
  readonly #pool: pg.Pool;
  readonly #direct: Queryable;
  readonly #inside = new AsyncLocalStorage<Queryable>();
  /** Transactions inside `#inside.run` now (they may overlap: each has a pool client of its own). */
  #running = 0;
  #open = true;

  /** Opens the pool (lazily: the first query connects). */
  constructor(url: string, options: PgDbOptions = {}) {
    this.readonly = options.readonly === true;
    const settings = [options.schema ? `-c search_path=${options.schema}` : '', this.readonly ? '-c default_transaction_read_only=on' : ''].filter(Boolean).join(' ');
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 8,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      types: { getTypeParser } as pg.CustomTypesConfig,
      ...(settings ? { options: settings } : {}),
    });
    // A server that goes away kills idle clients: the pool drops them and the next query reconnects.
    this.#pool.on('error', () => {});
    this.#direct = queryable(this.dialect, () => this.#pool);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #current(): Queryable {
    return this.#inside.getStore() ?? this.#direct;
  }

  get<T = unknown>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    return this.#current().get<T>(sql, ...params);
  }

  all<T = unknown>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.#current().all<T>(sql, ...params);
  }

  run(sql: string, ...params: unknown[]): Promise<number> {
    return this.#current().run(sql, ...params);
  }

  exec(sql: string): Promise<void> {
    return this.#current().exec(sql);
  }

  runAll(statements: ReadonlyArray<readonly [sql: string, ...params: unknown[]]>): Promise<void> {
    return this.transaction(async (tx) => {
      for (const [sql, ...params] of statements) await tx.run(sql, ...params);
    });
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    const open = this.#inside.getStore();
    if (open) return await fn(open);
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (!this.readonly) await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const tx = queryable(this.dialect, () => client);
      let result: R;
      this.#running++;
      try {
        result = await this.#inside.run(tx, () => fn(tx));
      } finally {
        // with none open, the storage is disabled: left enabled, node's async hooks stay on for the life
        // of the process (a cost on every callback, write and promise); the next transaction enables it
        if (--this.#running === 0) this.#inside.disable();
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollback) {
        broken = rollback as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#pool.end();
  }
}
