/**
 * The few spellings that differ between SQL dialects. DML in the repositories is written in the
 * common subset (`?` placeholders, `ON CONFLICT ... DO UPDATE`, `ON CONFLICT DO NOTHING`, `RETURNING`,
 * row values); DDL takes its type names from here, and the rest of the differences are named below.
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
  /** The smaller / larger of two values (SQLite's two-argument MIN/MAX). */
  least: string;
  greatest: string;
  /** Case-insensitive LIKE (SQLite's LIKE already is, for ASCII). */
  ilike: string;
  /**
   * Extra column definition for tables read in insertion order by an implicit row id (SQLite's
   * `rowid`): PostgreSQL has none, so it gets a real column of that name.
   */
  rowidColumn: string;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  serialPrimaryKey: 'INTEGER PRIMARY KEY',
  bigint: 'BIGINT',
  flag: 'SMALLINT',
  json: 'TEXT',
  bytes: 'TEXT',
  least: 'MIN',
  greatest: 'MAX',
  ilike: 'LIKE',
  rowidColumn: '',
};

/** The same schema on PostgreSQL (one definition: `MIGRATIONS` takes its type names from here). */
export const postgresDialect: Dialect = {
  name: 'postgres',
  serialPrimaryKey: 'BIGSERIAL PRIMARY KEY',
  bigint: 'BIGINT',
  flag: 'SMALLINT',
  json: 'TEXT',
  bytes: 'BYTEA',
  least: 'LEAST',
  greatest: 'GREATEST',
  ilike: 'ILIKE',
  rowidColumn: 'rowid BIGSERIAL NOT NULL,',
};
