import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { makeTempDir } from '../test-support/temp-dir.js';
import { openDatabase } from './connection.js';
import { numberedPlaceholders } from './placeholders.js';
import { SqliteDb } from './sqlite-db.js';

const tmp = makeTempDir();
after(tmp.remove);

test('an async write transaction keeps other writers of the process out: a plain write waits for it and survives its rollback', async () => {
  const db = new SqliteDb(openDatabase(join(tmp.dir, 'tx.sqlite')));
  try {
    await db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
    // another request's write, started (outside the transaction's async context) while it is open
    let opened!: () => void;
    const plain = new Promise<void>((resolve) => {
      opened = resolve;
    }).then(() => db.run('INSERT INTO t (x) VALUES (?)', 2));
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (x) VALUES (?)', 1);
        opened();
        await new Promise((r) => setImmediate(r));
        // a transaction started inside this one joins it rather than wait for it (no deadlock)
        await db.transaction(async (inner) => inner.run('INSERT INTO t (x) VALUES (?)', 3));
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(await plain, 1);
    assert.deepEqual(await db.all('SELECT x FROM t ORDER BY x'), [{ x: 2 }], 'the rollback took 1 and 3, not the other writer\'s 2');
    assert.equal(await db.transaction(async (tx) => (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n), 1);
  } finally {
    await db.close();
  }
});

test("a finished transaction, committed or rolled back, leaves node's async hooks off (on, they cost every callback and write of every request)", () => {
  const probe = fileURLToPath(new URL('../test-support/async-hooks-probe.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', probe, tmp.dir], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { before: false, runAll: false, inside: true, committed: false, rolledBack: false });
});

test('runAll: statements in one transaction (all or none), after an open transaction of the process, joining one it runs inside', async () => {
  const db = new SqliteDb(openDatabase(join(tmp.dir, 'run-all.sqlite')));
  try {
    await db.exec('CREATE TABLE t (x INTEGER NOT NULL UNIQUE)');
    await db.runAll([
      ['INSERT INTO t (x) VALUES (?)', 1],
      ['INSERT INTO t (x) VALUES (?)', 2],
    ]);
    // the second statement fails: the first is rolled back with it
    await assert.rejects(
      db.runAll([
        ['INSERT INTO t (x) VALUES (?)', 3],
        ['INSERT INTO t (x) VALUES (?)', 1],
      ]),
      /UNIQUE/,
    );
    assert.deepEqual(await db.all('SELECT x FROM t ORDER BY x'), [{ x: 1 }, { x: 2 }]);
    // started while another transaction is open (outside it): it lands after that one's rollback
    let opened!: () => void;
    const waiting = new Promise<void>((resolve) => {
      opened = resolve;
    }).then(() => db.runAll([['INSERT INTO t (x) VALUES (?)', 4]]));
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (x) VALUES (?)', 5);
        opened();
        await new Promise((r) => setImmediate(r));
        // inside it: joins it (no deadlock), and goes with its rollback
        await db.runAll([['INSERT INTO t (x) VALUES (?)', 6]]);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    await waiting;
    assert.deepEqual(await db.all('SELECT x FROM t ORDER BY x'), [{ x: 1 }, { x: 2 }, { x: 4 }]);
  } finally {
    await db.close();
  }
});

test('? placeholders become $1.. for PostgreSQL, except inside quoted strings and identifiers', () => {
  assert.equal(numberedPlaceholders("SELECT ? AS \"a?\", '?' || ? FROM t WHERE x = ? AND y LIKE '%?%'"), "SELECT $1 AS \"a?\", '?' || $2 FROM t WHERE x = $3 AND y LIKE '%?%'");
});
