import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { TestPostgresServer, postgresUnavailableReason } from './postgres-server.js';

const skip = postgresUnavailableReason();
if (skip) console.log(`# ${skip}`);

test('a throw-away PostgreSQL: starts on loopback, answers, survives a crash-stop and restart, leaves nothing behind', { skip }, async () => {
  const pg = await TestPostgresServer.start();
  try {
    assert.match(pg.url(), /^postgres:\/\/vtg@127\.0\.0\.1:\d+\/postgres$/);
    assert.equal(pg.psql('SELECT 1 + 1'), '2');
    const url = pg.createDatabase('store_test');
    assert.ok(url.endsWith('/store_test'));
    pg.psql('CREATE TABLE kept (n INTEGER); INSERT INTO kept VALUES (7)', 'store_test');
    pg.stopSync('immediate');
    assert.equal(pg.running, false);
    assert.throws(() => pg.psql('SELECT 1'), /psql failed/, 'down means refused');
    pg.startSync();
    assert.equal(pg.psql('SELECT n FROM kept', 'store_test'), '7', 'committed rows survive the crash');
  } finally {
    pg.close();
  }
  assert.equal(existsSync(pg.dir), false);
});
