/**
 * The few spellings that differ between SQL dialects. DML in the repositories is written in the
 * common subset (`?` placeholders, `ON CONFLICT ... DO UPDATE`, `RETURNING`, row values); DDL takes
 * its type names from here, so a PostgreSQL dialect is a second object, not a second store.
 */
export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** Auto-numbered 64-bit primary key column type. */
  serialPrimaryKey: string;
  /** 64-bit integer (epoch milliseconds, counters). */
  bigint: string;
  /** Small boolean-as-integer column (0/1). */
  flag: string;
  /** JSON stored as text (parsed by the repository). */
  json: string;
  /** Compressed bytes (deflated reports). SQLite files keep the type name they were created with. */
  bytes: string;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  serialPrimaryKey: 'INTEGER PRIMARY KEY',
  bigint: 'BIGINT',
  flag: 'SMALLINT',
  json: 'TEXT',
  bytes: 'TEXT',
};

/** The same schema on PostgreSQL (one definition: `MIGRATIONS` takes its type names from here). */
export const postgresDialect: Dialect = {
  name: 'postgres',
  serialPrimaryKey: 'BIGSERIAL PRIMARY KEY',
  bigint: 'BIGINT',
  flag: 'SMALLINT',
  json: 'TEXT',
  bytes: 'BYTEA',
};
