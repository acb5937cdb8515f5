/**
 * The store's repository tests run on both engines: SQLite (a file per store) and PostgreSQL (a
 * database per store on one throw-away server per test file, started on first use). `storeTest`
 * registers a test once per engine (the PostgreSQL run is named `postgres: ...` and skips with a
 * visible note when initdb is missing); inside it, `openTestStore(name)` opens the store of that
 * engine named `name` (the same name opens the same database again: reopen tests).
 */
import { after, test } from 'node:test';
import { join } from 'node:path';
import { TestPostgresServer, postgresUnavailableReason } from '../../test-support/postgres-server.js';
import { Store, type StoreOptions } from '../index.js';
import { makeTempDir } from './temp-dir.js';

export type EngineName = 'sqlite' | 'postgres';

const pgSkip = postgresUnavailableReason();
let noted = false;
const tmp = makeTempDir();
let server: Promise<TestPostgresServer> | undefined;
const databases = new Set<string>();
let current: EngineName = 'sqlite';

after(async () => {
  if (server !== undefined) (await server).close();
  tmp.remove();
});

/** The engine of the test running now. */
export function currentEngine(): EngineName {
  return current;
}

/** Registers `fn` as a test on SQLite and on PostgreSQL. */
export function storeTest(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    current = 'sqlite';
    await fn();
  });
  if (pgSkip && !noted) {
    noted = true;
    console.log(`# PostgreSQL runs of the store tests skipped: ${pgSkip}`);
  }
  test(`postgres: ${name}`, { skip: pgSkip }, async () => {
    current = 'postgres';
    await fn();
  });
}

/** A PostgreSQL URL for the database `name` (created on first use) on this file's server. */
export async function testDatabaseUrl(name: string): Promise<string> {
  server ??= TestPostgresServer.start();
  const pg = await server;
  const db = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!databases.has(db)) {
    pg.createDatabase(db);
    databases.add(db);
  }
  return pg.url(db);
}

/** Opens the store `name` on the current test's engine. */
export async function openTestStore(name: string, options: Omit<StoreOptions, 'file' | 'dataDir' | 'databaseUrl'> = {}): Promise<Store> {
  if (current === 'sqlite') return await Store.open({ ...options, file: join(tmp.dir, `${name}.sqlite`) });
  return await Store.open({ ...options, databaseUrl: await testDatabaseUrl(name) });
}
