// Dashboard sessions in the store (SQLite and PostgreSQL): found by id hash until they expire, shared by a second open
// of the same file (a restart, or another process), and gone with their token.
import assert from 'node:assert/strict';
import { openTestStore, storeTest } from '../test-support/engines.js';

let runs = 0;

storeTest('a session is kept across opens until it expires or is deleted; expired ones are swept', async () => {
  const name = `sessions-${++runs}`;
  const first = await openTestStore(name);
  const token = await first.tokens.create({ name: 'root', role: 'admin' });
  await first.sessions.create({ idHash: 'a'.repeat(64), tokenId: token.record.id, sealedToken: 'sealed', createdAt: 1000, expiresAt: 5000 });
  await first.sessions.create({ idHash: 'b'.repeat(64), tokenId: null, sealedToken: null, createdAt: 1000, expiresAt: 2000 });
  await first.close();

  const second = await openTestStore(name);
  try {
    assert.deepEqual(await second.sessions.get('a'.repeat(64), 4999), { idHash: 'a'.repeat(64), tokenId: token.record.id, sealedToken: 'sealed', createdAt: 1000, expiresAt: 5000 });
    assert.equal(await second.sessions.get('a'.repeat(64), 5000), undefined, 'expired');
    assert.equal(await second.sessions.get('c'.repeat(64), 0), undefined);
    assert.equal(await second.sessions.count(1500), 2);
    assert.equal(await second.sessions.deleteExpired(2000), 1);
    assert.equal(await second.sessions.delete('a'.repeat(64)), true);
    assert.equal(await second.sessions.count(0), 0);
    for (let i = 0; i < 5; i++) await second.sessions.create({ idHash: String(i).repeat(64), tokenId: null, sealedToken: null, createdAt: 0, expiresAt: 10_000 + i });
    assert.equal(await second.sessions.trim(3), 2);
    assert.equal(await second.sessions.get('0'.repeat(64), 0), undefined, 'the ones that expire first go');
    assert.ok(await second.sessions.get('4'.repeat(64), 0));
    assert.equal(await second.sessions.trim(3), 0, 'nothing to trim');
  } finally {
    await second.close();
  }
});
