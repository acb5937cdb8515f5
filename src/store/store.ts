import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Clock, systemClock } from '../clock/index.js';
import { BatchRepository } from './batches/repository.js';
import { CacheRepository } from './cache-entries/repository.js';
import { DailyCounterRepository } from './daily/repository.js';
import { type Db, openDatabase } from './db/connection.js';
import { sqliteDialect } from './db/dialect.js';
import { assertMigrated, migrate } from './db/migrate.js';
import { MIGRATIONS } from './db/migrations.js';
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
}

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

/** The gateway's durable state in one SQLite file, behind asynchronous repositories (better-sqlite3 underneath); one per process. */
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
  readonly #db: Db;
  /** The operator's file when it is not this one (mock mode). */
  readonly #operator: Db | undefined;

  private constructor(db: Db, path: string, clock: Clock, readonly: boolean, migrated: number[], operator?: Db) {
    this.#db = db;
    this.#operator = operator;
    this.path = path;
    this.readonly = readonly;
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

  /** Opens (creating and migrating when needed) the store's SQLite file. */
  static async open(options: StoreOptions = {}): Promise<Store> {
    const clock = options.clock ?? systemClock;
    const readonly = options.readonly === true;
    const dir = options.dataDir;
    if (options.file === undefined && dir === undefined) throw new TypeError('Store.open needs a dataDir or a file (see loadConfig().dataDir)');
    const path = resolve(options.file ?? join(dir as string, DATABASE_FILE));
    if (!readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = openDatabase(path, { readonly });
    try {
      let migrated: number[] = [];
      if (readonly) assertMigrated(db, MIGRATIONS);
      else {
        migrated = migrate(db, MIGRATIONS, sqliteDialect, () => clock.now());
        // Holds token hashes and webhook secrets: owner-only.
        chmodSync(path, 0o600);
      }
      const operatorPath = options.operatorDir === undefined ? undefined : resolve(join(options.operatorDir, DATABASE_FILE));
      if (operatorPath === undefined || operatorPath === path) return new Store(db, path, clock, readonly, migrated);
      const operator = Store.#openOperator(operatorPath, clock, readonly);
      try {
        if (!readonly) moveOperatorRows(operator, path);
      } catch (error) {
        operator.close();
        throw error;
      }
      return new Store(db, path, clock, readonly, migrated, operator);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  static #openOperator(path: string, clock: Clock, readonly: boolean): Db {
    if (!readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = openDatabase(path, { readonly });
    try {
      if (readonly) assertMigrated(db, MIGRATIONS);
      else {
        migrate(db, MIGRATIONS, sqliteDialect, () => clock.now());
        chmodSync(path, 0o600);
      }
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Bytes on disk: the database file plus its WAL. */
  fileSize(): number {
    return sizeOf(this.path) + sizeOf(`${this.path}-wal`);
  }

  /** `PRAGMA integrity_check` findings; `['ok']` for a sound file. */
  async integrityCheck(): Promise<string[]> {
    return (this.#db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Closes the file (a clean close also checkpoints the WAL). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    if (this.#operator?.open) this.#operator.close();
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
