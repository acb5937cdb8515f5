import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { TestPostgresServer, postgresUnavailableReason } from '../../test-support/postgres-server.js';
import { Store } from '../index.js';
import { makeTempDir } from '../test-support/temp-dir.js';
import { postgresDialect } from './dialect.js';
import { MIGRATIONS } from './migrations.js';

const skip = postgresUnavailableReason();
if (skip) console.log(`# ${skip}`);
const tmp = makeTempDir();
after(tmp.remove);

/** table -> its column names, sorted */
type Shape = Record<string, string[]>;

async function sqliteShape(): Promise<Shape> {
  const file = join(tmp.dir, 'shape.sqlite');
  await (await Store.open({ file })).close();
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'").all() as Array<{ name: string }>;
    return Object.fromEntries(tables.map((t) => [t.name, (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(t.name) as Array<{ name: string }>).map((c) => c.name).sort()]));
  } finally {
    db.close();
  }
}

test('one schema definition: every migration applies on PostgreSQL and gives the tables and columns SQLite has', { skip }, async () => {
  const pg = await TestPostgresServer.start();
  try {
    pg.createDatabase('schema');
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) pg.psql(`BEGIN; ${m.statements(postgresDialect).join(';\n')}; COMMIT`, 'schema');
    const rows = pg.psql("SELECT table_name || ' ' || column_name FROM information_schema.columns WHERE table_schema = 'public'", 'schema').split('\n');
    const shape: Shape = {};
    for (const row of rows) {
      const [table, column] = row.split(' ') as [string, string];
      // SQLite's implicit rowid is a real column on PostgreSQL (the search index reads batch items in its order)
      if (table === 'batch_items' && column === 'rowid') continue;
      shape[table] = [...(shape[table] ?? []), column];
    }
    for (const columns of Object.values(shape)) columns.sort();
    assert.deepEqual(shape, await sqliteShape());
    assert.equal(pg.psql("SELECT data_type FROM information_schema.columns WHERE table_name = 'cache_entries' AND column_name = 'report'", 'schema'), 'bytea', 'deflated reports are bytes');
    assert.equal(pg.psql("SELECT data_type FROM information_schema.columns WHERE table_name = 'observations' AND column_name = 'at'", 'schema'), 'bigint', 'epoch milliseconds need 64 bits');
  } finally {
    pg.close();
  }
});
