import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Clock, systemClock } from '../clock/index.js';
import { BatchRepository } from './batches/repository.js';
import { CacheRepository } from './cache-entries/repository.js';
import { DailyCounterRepository } from './daily/repository.js';
import { type Db, openDatabase } from './db/connection.js';
import { assertMigrated, migrate } from './db/migrate.js';
import { MIGRATIONS } from './db/migrations.js';
import type { SqlDb } from './db/sql.js';
import { SqliteDb } from './db/sqlite-db.js';
import { type DatabaseState, WriteQueue, guardStore } from './outage.js';
import { HistoryRepository } from './history/repository.js';
import { KvRepository } from './kv/repository.js';
import { UsageRepository } from './usage/repository.js';
import { SearchRepository } from './search/repository.js';
import { SessionRepository } from './sessions/repository.js';
import { TokenRepository } from './tokens/repository.js';
import { WatchlistRepository } from './watchlists/repository.js';
import { WebhookRepository } from './webhooks/repository.js';
import { YaraRepository } from './yara/repository.js';

export interface StoreOptions {
  /** Required unless `file` is given (config decides it: `loadConfig().dataDir`). Created with mode 0700 when missing. */
  dataDir?: string;
  /** Default: `<dataDir>/vt-gateway.sqlite`. */
  file?: string;
  clock?: Clock;
  /** Open without writing: no directory creation, no migration (the schema must be current). */
  readonly?: boolean;
  /**
   * Where the operator's state lives when it differs from `dataDir` (mock mode): tokens, webhooks,
   * batch jobs and settings are read and written there, in `<operatorDir>/vt-gateway.sqlite`, so
   * they are the same whatever the mode; cache entries and history (simulated answers) stay in
   * `dataDir`. Operator rows an older version left in `dataDir` are moved over on open.
   */
  operatorDir?: string;
  /**
   * `postgres://...`: the store lives in PostgreSQL instead of a SQLite file (config:
   * `--database` / `VTG_DATABASE_URL`). With `operatorDir` (mock mode) the simulated answers go to
   * the schema `vtg_mock` of the same database and the operator's state stays in the default schema.
   */
  databaseUrl?: string;
  /** PostgreSQL: writes kept in memory while the server is unreachable (default 10,000); see outage.ts. */
  writeQueueLimit?: number;
}

/** The schema of simulated answers on PostgreSQL (mock mode). */
export const MOCK_SCHEMA = 'vtg_mock';

/** Operator tables, parents before children (moved together from an older mock-mode file). */
const OPERATOR_TABLES = ['tokens', 'token_spend', 'webhooks', 'webhook_deliveries', 'batch_jobs', 'batch_items', 'settings'] as const;

export const DATABASE_FILE = 'vt-gateway.sqlite';

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The gateway's durable state in one SQLite file or one PostgreSQL database, behind asynchronous repositories; one per process. */
export class Store {
  readonly path: string;
  readonly readonly: boolean;
  readonly cache: CacheRepository;
  readonly history: HistoryRepository;
  readonly batches: BatchRepository;
  readonly webhooks: WebhookRepository;
  readonly tokens: TokenRepository;
  readonly kv: KvRepository;
  /** Upstream calls per hour per key (in this data dir's file: a simulator's usage stays with the simulator). */
  readonly usage: UsageRepository;
  readonly watchlists: WatchlistRepository;
  readonly search: SearchRepository;
  /** Local YARA matches, history of the files they matched. */
  readonly yara: YaraRepository;
  /** Dashboard sign-in sessions (operator state: beside the tokens). */
  readonly sessions: SessionRepository;
  readonly daily: DailyCounterRepository;
  /** Schema versions applied by this open (empty when the file was already current). */
  readonly migrated: readonly number[];
  readonly #db: SqlDb;
  /** The operator's database when it is not this one (mock mode). */
  readonly #operator: SqlDb | undefined;
  /** PostgreSQL: the writes waiting for an unreachable server. */
  #queue: WriteQueue | undefined;

  private constructor(db: SqlDb, path: string, clock: Clock, migrated: number[], operator?: SqlDb) {
    this.#db = db;
    this.#operator = operator;
    this.path = path;
    this.readonly = db.readonly;
    this.migrated = migrated;
    const own = operator ?? db;
    this.cache = new CacheRepository(db, { clock, path, fileSize: () => this.fileSize() });
    this.history = new HistoryRepository(db);
    this.watchlists = new WatchlistRepository(own, clock);
    this.batches = new BatchRepository(own, clock);
    this.webhooks = new WebhookRepository(own, clock);
    this.tokens = new TokenRepository(own, clock);
    this.kv = new KvRepository(own, clock);
    this.usage = new UsageRepository(db);
    this.search = new SearchRepository(db, own);
    this.yara = new YaraRepository(db);
    this.sessions = new SessionRepository(own);
    this.daily = new DailyCounterRepository(db);
  }

  /** Opens (creating and migrating when needed) the store's SQLite file or PostgreSQL database. */
  static async open(options: StoreOptions = {}): Promise<Store> {
    const clock = options.clock ?? systemClock;
    const readonly = options.readonly === true;
    if (options.databaseUrl !== undefined) return await Store.#openPostgres(options.databaseUrl, options, clock, readonly);
    const dir = options.dataDir;
    if (options.file === undefined && dir === undefined) throw new TypeError('Store.open needs a dataDir or a file (see loadConfig().dataDir)');
    const path = resolve(options.file ?? join(dir as string, DATABASE_FILE));
    const db = await Store.#openSqlite(path, clock, readonly);
    try {
      const migrated = db.migrated;
      const operatorPath = options.operatorDir === undefined ? undefined : resolve(join(options.operatorDir, DATABASE_FILE));
      if (operatorPath === undefined || operatorPath === path) return new Store(db.db, path, clock, migrated);
      const operator = await Store.#openSqlite(operatorPath, clock, readonly);
      try {
        if (!readonly) moveOperatorRows(operator.db.raw, path);
      } catch (error) {
        await operator.db.close();
        throw error;
      }
      return new Store(db.db, path, clock, migrated, operator.db);
    } catch (error) {
      await db.db.close();
      throw error;
    }
  }

  static async #openSqlite(path: string, clock: Clock, readonly: boolean): Promise<{ db: SqliteDb; migrated: number[] }> {
    if (!readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new SqliteDb(openDatabase(path, { readonly }));
    try {
      let migrated: number[] = [];
      if (readonly) await assertMigrated(db, MIGRATIONS);
      else {
        migrated = await migrate(db, MIGRATIONS, () => clock.now());
        // Holds token hashes and webhook secrets: owner-only.
        chmodSync(path, 0o600);
      }
      return { db, migrated };
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  static async #openPostgres(url: string, options: StoreOptions, clock: Clock, readonly: boolean): Promise<Store> {
    // loaded only for PostgreSQL: a SQLite store never loads the pg driver
    const { PgDb } = await import('./db/pg-db.js');
    const opened: SqlDb[] = [];
    const open = async (schema?: string) => {
      if (schema && !readonly) {
        const admin = new PgDb(url, { max: 1 });
        try {
          await admin.transaction(async (tx) => tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
        } finally {
          await admin.close();
        }
      }
      const db = new PgDb(url, { readonly, ...(schema ? { schema } : {}) });
      opened.push(db);
      if (readonly) {
        await assertMigrated(db, MIGRATIONS);
        return { db, migrated: [] as number[] };
      }
      return { db, migrated: await migrate(db, MIGRATIONS, () => clock.now()) };
    };
    try {
      const mock = options.operatorDir !== undefined && options.dataDir !== undefined && resolve(options.operatorDir) !== resolve(options.dataDir);
      const main = await open(mock ? MOCK_SCHEMA : undefined);
      const operator = mock ? (await open()).db : undefined;
      const store = new Store(main.db, redactUrl(url), clock, main.migrated, operator);
      store.#queue = new WriteQueue(options.writeQueueLimit ?? 10_000);
      guardStore(
        { cache: store.cache, history: store.history, batches: store.batches, webhooks: store.webhooks, tokens: store.tokens, kv: store.kv, usage: store.usage, watchlists: store.watchlists, search: store.search, yara: store.yara, sessions: store.sessions, daily: store.daily },
        store.#queue,
      );
      return store;
    } catch (error) {
      for (const db of opened) await db.close();
      throw error;
    }
  }

  /**
   * The database's state for `/api/health`: SQLite is a file (always `up`); PostgreSQL is `down`
   * while unreachable, with the writes queued for it.
   */
  database(): DatabaseState | { engine: 'sqlite'; state: 'up' } {
    return this.#queue?.state() ?? { engine: 'sqlite', state: 'up' };
  }

  /** Which engine holds the store. */
  get engine(): 'sqlite' | 'postgres' {
    return this.#db.dialect.name;
  }

  /** Bytes on disk: the database file plus its WAL (PostgreSQL: 0, see `cache.sizeBytes()`). */
  fileSize(): number {
    if (this.#db.dialect.name !== 'sqlite') return 0;
    return sizeOf(this.path) + sizeOf(`${this.path}-wal`);
  }

  /** `PRAGMA integrity_check` findings; `['ok']` for a sound file (PostgreSQL: `['ok']` when it answers). */
  async integrityCheck(): Promise<string[]> {
    if (this.#db instanceof SqliteDb) return (this.#db.raw.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    await this.#db.get('SELECT 1 AS ok');
    return ['ok'];
  }

  /** Whether the database answers a trivial query now (PostgreSQL can be down; SQLite is a file). */
  async ping(): Promise<boolean> {
    try {
      await this.#db.get('SELECT 1 AS ok');
      return true;
    } catch {
      return false;
    }
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  /** Closes the database (a clean close of a SQLite file also checkpoints the WAL). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#queue) {
      // one last attempt at the queued writes; what still cannot reach the server is lost with the process
      await this.#queue.flush();
      this.#queue.close();
    }
    await this.#db.close();
    await this.#operator?.close();
  }
}

/** The URL without its password (it names the store in `cache info` and logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

/**
 * Moves the operator rows an older version kept in the answers file (mock mode) into the operator
 * file, once: copied where absent, then deleted there, in one transaction.
 */
function moveOperatorRows(operator: Db, answersPath: string): void {
  operator.prepare('ATTACH DATABASE ? AS answers').run(answersPath);
  try {
    operator.transaction(() => {
      for (const table of OPERATOR_TABLES) operator.exec(`INSERT OR IGNORE INTO main.${table} SELECT * FROM answers.${table}`);
      for (const table of [...OPERATOR_TABLES].reverse()) operator.exec(`DELETE FROM answers.${table}`);
    })();
  } finally {
    operator.exec('DETACH DATABASE answers');
  }
}
