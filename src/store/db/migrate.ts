import type { Db } from './connection.js';
import type { Dialect } from './dialect.js';
import type { Migration } from './migrations.js';

/** The file was written by a newer version of vt-gateway than this one. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`database schema version ${found} is newer than this vt-gateway supports (${supported}); upgrade vt-gateway`);
    this.name = 'SchemaTooNewError';
  }
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;
const SELECT_MAX = 'SELECT MAX(version) AS version FROM schema_migrations';
const SELECT_ONE = 'SELECT 1 AS present FROM schema_migrations WHERE version = ?';
const INSERT = 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)';
const TABLE_EXISTS = "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

function latest(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * Applies every migration not yet recorded, each in its own IMMEDIATE transaction that re-checks the
 * version inside the lock, so several processes opening the same new file apply each step once.
 * Returns the versions applied by this call.
 */
export function migrate(db: Db, migrations: readonly Migration[], dialect: Dialect, now: () => number): number[] {
  db.exec(CREATE_TABLE);
  const current = (db.prepare(SELECT_MAX).get() as { version: number | null }).version ?? 0;
  if (current > latest(migrations)) throw new SchemaTooNewError(current, latest(migrations));
  const applied: number[] = [];
  const isApplied = db.prepare(SELECT_ONE);
  const record = db.prepare(INSERT);
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const apply = db.transaction(() => {
      if (isApplied.get(migration.version)) return;
      for (const sql of migration.statements(dialect)) db.exec(sql);
      record.run(migration.version, migration.name, now());
      applied.push(migration.version);
    });
    apply.immediate();
  }
  return applied;
}

/** For read-only opens: the schema must already be complete, since nothing can be migrated. */
export function assertMigrated(db: Db, migrations: readonly Migration[]): void {
  const want = latest(migrations);
  const hasTable = db.prepare(TABLE_EXISTS).get() !== undefined;
  const current = hasTable ? ((db.prepare(SELECT_MAX).get() as { version: number | null }).version ?? 0) : 0;
  if (current > want) throw new SchemaTooNewError(current, want);
  if (current < want) {
    throw new Error(`database schema version ${current} is older than ${want}; open it once read-write to migrate it`);
  }
}
