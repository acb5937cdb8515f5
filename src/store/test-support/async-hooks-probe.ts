/**
 * Run as a process of its own (node:test keeps async hooks on in its own process): opens a SQLite
 * database in the directory given, runs a committed and a rolled-back transaction, and prints whether
 * node's async hooks were on before, inside and after them (`{before, inside, committed, rolledBack}`);
 * first, `runAll` (statements without a callback): whether it ever switched them on (`runAll`).
 */
import { executionAsyncResource } from 'node:async_hooks';
import { join } from 'node:path';
import { openDatabase } from '../db/connection.js';
import { SqliteDb } from '../db/sqlite-db.js';

/** Promise callbacks run inside an async resource of their own only while node's async hooks are on. */
const hooksOn = () => new Promise<boolean>((resolve) => Promise.resolve().then(() => resolve(executionAsyncResource() instanceof Promise)));

const db = new SqliteDb(openDatabase(join(process.argv[2] as string, 'hooks.sqlite')));
await db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
const before = await hooksOn();
await db.runAll([['INSERT INTO t (x) VALUES (?)', 0]]);
// node loads its promise hooks the first time anything switches async hooks on
const runAll = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes('NativeModule internal/promise_hooks');
let inside = false;
await db.transaction(async (tx) => {
  await tx.run('INSERT INTO t (x) VALUES (?)', 1);
  inside = await hooksOn();
});
const committed = await hooksOn();
await db
  .transaction(async () => {
    throw new Error('rolled back');
  })
  .catch(() => undefined);
const rolledBack = await hooksOn();
await db.close();
process.stdout.write(`${JSON.stringify({ before, runAll, inside, committed, rolledBack })}\n`);
