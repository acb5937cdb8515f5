import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { FakeClock } from '../clock/index.js';
import { defaultDataDir, SchemaTooNewError, Store } from './index.js';
import { makeTempDir } from './test-support/temp-dir.js';

const tmp = makeTempDir();
after(tmp.remove);

test('defaultDataDir: VTG_DATA_DIR, then XDG_DATA_HOME, then ~/.local/share', async () => {
  assert.equal(defaultDataDir({ VTG_DATA_DIR: '/srv/vtg', XDG_DATA_HOME: '/x', HOME: '/home/a' }), '/srv/vtg');
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x', HOME: '/home/a' }), '/x/vt-gateway');
  assert.equal(defaultDataDir({ HOME: '/home/a' }), '/home/a/.local/share/vt-gateway');
});

test('open creates an owner-only data dir and file with WAL, NORMAL sync and incremental auto-vacuum', async () => {
  const dataDir = join(tmp.dir, 'nested', 'data');
  const store = await Store.open({ dataDir });
  try {
    assert.equal(store.path, join(dataDir, 'vt-gateway.sqlite'));
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(store.path).mode & 0o777, 0o600);
    assert.deepEqual(store.migrated, [1, 15, 16, 17, 18, 19, 20]);
    assert.deepEqual(await store.integrityCheck(), ['ok']);
  } finally {
    await store.close();
  }
  const raw = new Database(join(dataDir, 'vt-gateway.sqlite'), { readonly: true });
  try {
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.pragma('auto_vacuum', { simple: true }), 2, 'INCREMENTAL is 2');
    const versions = raw.prepare('SELECT version FROM schema_migrations').pluck().all();
    assert.deepEqual(versions, [1, 15, 16, 17, 18, 19, 20]);
  } finally {
    raw.close();
  }
});

test('migrations are idempotent: a second open applies nothing and keeps the data', async () => {
  const file = join(tmp.dir, 'twice.sqlite');
  const first = await Store.open({ file });
  await first.kv.set('ledger', '{"day":3}');
  await first.close();
  const second = await Store.open({ file });
  try {
    assert.deepEqual(second.migrated, []);
    assert.equal(await second.kv.get('ledger'), '{"day":3}');
  } finally {
    await second.close();
  }
});

test('a current file opens without the write lock (another process may be writing); a file missing a step gets it', async () => {
  const file = join(tmp.dir, 'busy.sqlite');
  await (await Store.open({ file })).close();
  const writer = new Database(file);
  writer.exec('BEGIN IMMEDIATE');
  try {
    // migrations take the write lock only when something is missing: this open neither waits nor fails
    const store = await Store.open({ file });
    try {
      assert.deepEqual(store.migrated, []);
      assert.equal(await store.kv.get('missing'), undefined);
    } finally {
      await store.close();
    }
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
  // a step the file lacks (its record and its table gone) is applied again on the next open
  const raw = new Database(file);
  raw.exec('DROP TABLE usage_hours; DELETE FROM schema_migrations WHERE version = 20');
  raw.close();
  const again = await Store.open({ file });
  try {
    assert.deepEqual(again.migrated, [20]);
  } finally {
    await again.close();
  }
});

test('a database from a newer vt-gateway is refused with a clear error', async () => {
  const file = join(tmp.dir, 'future.sqlite');
  await (await Store.open({ file })).close();
  const raw = new Database(file);
  raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future');
  raw.close();
  await assert.rejects(async () => await Store.open({ file }), (e: unknown) => e instanceof SchemaTooNewError && /upgrade vt-gateway/.test(e.message));
});

test('readonly open reads an existing store and refuses writes; a missing file is an error', async () => {
  const file = join(tmp.dir, 'ro.sqlite');
  const writer = await Store.open({ file });
  await writer.kv.set('k', 'v');
  await writer.close();
  const reader = await Store.open({ file, readonly: true });
  try {
    assert.equal(await reader.kv.get('k'), 'v');
    await assert.rejects(async () => await reader.kv.set('k', 'w'), /readonly/i);
  } finally {
    await reader.close();
  }
  const missing = join(tmp.dir, 'absent', 'x.sqlite');
  await assert.rejects(async () => await Store.open({ file: missing, readonly: true }));
  assert.equal(existsSync(join(tmp.dir, 'absent')), false, 'readonly open creates nothing');
});

test('kv keeps the latest value per name and deletes it', async () => {
  const clock = new FakeClock(Date.UTC(2026, 2, 1));
  const store = await Store.open({ file: join(tmp.dir, 'kv.sqlite'), clock });
  try {
    assert.equal(await store.kv.get('missing'), undefined);
    await store.kv.set('quota', 'a');
    await store.kv.set('quota', 'b');
    assert.equal(await store.kv.get('quota'), 'b');
    assert.equal(await store.kv.delete('quota'), true);
    assert.equal(await store.kv.get('quota'), undefined);
  } finally {
    await store.close();
  }
});

test('fileSize counts the database and its WAL; close is safe twice', async () => {
  const store = await Store.open({ file: join(tmp.dir, 'size.sqlite') });
  const before = store.fileSize();
  for (let i = 0; i < 200; i++) await store.kv.set(`k${i}`, 'v'.repeat(1000));
  assert.ok(store.fileSize() > before + 150_000, 'writes show up in fileSize');
  await store.close();
  await store.close();
  assert.equal(store.isOpen, false);
});
