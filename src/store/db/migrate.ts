import type { Migration } from './migrations.js';
import type { SqlDb } from './sql.js';

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
const TABLE_EXISTS = {
  sqlite: "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
  postgres: "SELECT 1 AS present FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
} as const;

function latest(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * Applies every migration not yet recorded, each in its own write transaction that re-checks the
 * version inside the lock, so several processes (or instances on one PostgreSQL) opening the same new
 * database apply each step once. Returns the versions applied by this call.
 */
export async function migrate(db: SqlDb, migrations: readonly Migration[], now: () => number): Promise<number[]> {
  // the usual open finds every step recorded: read-only checks, no write transaction (start-up cost of every command)
  if (await isCurrent(db, migrations)) return [];
  // PostgreSQL: CREATE TABLE IF NOT EXISTS races with itself across instances, so it runs under the write lock.
  await db.transaction(async (tx) => tx.exec(CREATE_TABLE));
  const current = (await db.get<{ version: number | null }>(SELECT_MAX))?.version ?? 0;
  if (current > latest(migrations)) throw new SchemaTooNewError(current, latest(migrations));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    await db.transaction(async (tx) => {
      if (await tx.get(SELECT_ONE, migration.version)) return;
      for (const sql of migration.statements(db.dialect)) await tx.exec(sql);
      await tx.run(INSERT, migration.version, migration.name, now());
      applied.push(migration.version);
    });
  }
  return applied;
}

/** Every migration is recorded and none newer: nothing to apply. Reads only. */
async function isCurrent(db: SqlDb, migrations: readonly Migration[]): Promise<boolean> {
  if ((await db.get(TABLE_EXISTS[db.dialect.name])) === undefined) return false;
  const recorded = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  return migrations.every((m) => recorded.has(m.version)) && [...recorded].every((v) => v <= latest(migrations));
}

/** For read-only opens: the schema must already be complete, since nothing can be migrated. */
export async function assertMigrated(db: SqlDb, migrations: readonly Migration[]): Promise<void> {
  const want = latest(migrations);
  const hasTable = (await db.get(TABLE_EXISTS[db.dialect.name])) !== undefined;
  const current = hasTable ? ((await db.get<{ version: number | null }>(SELECT_MAX))?.version ?? 0) : 0;
  if (current > want) throw new SchemaTooNewError(current, want);
  if (current < want) {
    throw new Error(`database schema version ${current} is older than ${want}; open it once read-write to migrate it`);
  }
}
