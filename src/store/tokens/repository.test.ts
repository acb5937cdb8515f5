import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { hashToken, Store, utcDayKey } from '../index.js';
import { makeTempDir } from '../test-support/temp-dir.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

const tmp = makeTempDir();
after(tmp.remove);
const T0 = Date.UTC(2026, 0, 15, 12);
let n = 0;
const open = async () => await openTestStore(`tokens-${++n}`, { clock: new FakeClock(T0) });
const openSqlite = async () => await Store.open({ file: join(tmp.dir, `tokens-file-${++n}.sqlite`), clock: new FakeClock(T0) });

storeTest('create returns a vtg_ token once; verify accepts it and nothing else', async () => {
  const store = await open();
  try {
    const { token, record } = await store.tokens.create({ name: 'soar', role: 'analyst', dailyBudget: 50 });
    assert.match(token, /^vtg_[A-Za-z0-9_-]{43}$/, "'vtg_' + 32 random bytes in base64url");
    assert.deepEqual(record, { id: record.id, name: 'soar', role: 'analyst', dailyBudget: 50, uploadPolicy: null, createdAt: T0, revokedAt: null });
    assert.deepEqual(await store.tokens.verify(token), record);
    assert.equal(await store.tokens.verify(`${token}x`), undefined);
    assert.equal(await store.tokens.verify(hashToken(token)), undefined, 'the hash is not a credential');
    assert.equal(await store.tokens.verify(''), undefined);
    assert.notEqual((await store.tokens.create({ name: 'ci', role: 'reader' })).token, token);
  } finally {
    await store.close();
  }
});

test('the token is never stored in clear: absent from the raw database and WAL bytes, and from list()', async () => {
  const store = await openSqlite();
  const created = [await store.tokens.create({ name: 'admin', role: 'admin' }), await store.tokens.create({ name: 'ci', role: 'reader' })];
  const listed = JSON.stringify(await store.tokens.list());
  const path = store.path;
  const bytesWhileOpen = Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
  await store.close();
  const bytesAfterClose = readFileSync(path);
  for (const { token } of created) {
    assert.equal(bytesWhileOpen.includes(token), false);
    assert.equal(bytesAfterClose.includes(token), false);
    assert.equal(bytesAfterClose.includes(token.slice(4)), false, 'not even the random part');
    assert.equal(listed.includes(token), false);
    assert.equal(listed.includes(hashToken(token)), false, 'list() never returns the hash');
  }
  assert.ok(bytesAfterClose.includes(hashToken(created[0]?.token ?? '')), 'the hash is what is stored');
});

storeTest('revoke by id or name stops verify; names are unique among live tokens only', async () => {
  const store = await open();
  try {
    const first = await store.tokens.create({ name: 'ci', role: 'reader' });
    await assert.rejects(async () => await store.tokens.create({ name: 'ci', role: 'reader' }), /already exists/);
    assert.equal(await store.tokens.count(), 1);
    assert.equal(await store.tokens.revoke('ci'), true);
    assert.equal(await store.tokens.verify(first.token), undefined);
    assert.equal(await store.tokens.revoke('ci'), false, 'nothing live left to revoke');
    const second = await store.tokens.create({ name: 'ci', role: 'analyst' });
    assert.equal(await store.tokens.count(), 1);
    assert.equal(await store.tokens.revoke(second.record.id), true);
    assert.equal(await store.tokens.count(), 0);
    assert.deepEqual(
      (await store.tokens.list()).map((r) => [r.name, r.revokedAt]),
      [
        ['ci', T0],
        ['ci', T0],
      ],
    );
  } finally {
    await store.close();
  }
});

storeTest('bad token input is refused with a clear message', async () => {
  const store = await open();
  try {
    await assert.rejects(async () => await store.tokens.create({ name: '  ', role: 'reader' }), /name/);
    await assert.rejects(async () => await store.tokens.create({ name: 'x', role: 'root' as 'admin' }), /role/);
    await assert.rejects(async () => await store.tokens.create({ name: 'x', role: 'reader', dailyBudget: -1 }), /dailyBudget/);
  } finally {
    await store.close();
  }
});

storeTest('spend adds up per token and UTC day', async () => {
  const store = await open();
  try {
    const a = (await store.tokens.create({ name: 'a', role: 'analyst', dailyBudget: 10 })).record;
    const b = (await store.tokens.create({ name: 'b', role: 'analyst' })).record;
    assert.equal(await store.tokens.spentToday(a.id, '2026-01-15'), 0);
    assert.deepEqual(await store.tokens.spend(a.id, '2026-01-15', 2), { spentToday: 2 });
    assert.deepEqual(await store.tokens.spend(a.id, '2026-01-15', 3), { spentToday: 5 });
    assert.deepEqual(await store.tokens.spend(a.id, '2026-01-16', 1), { spentToday: 1 });
    await store.tokens.spend(b.id, '2026-01-15', 7);
    assert.equal(await store.tokens.spentToday(a.id, '2026-01-15'), 5);
    assert.equal(await store.tokens.spentToday(b.id, '2026-01-15'), 7);
  } finally {
    await store.close();
  }
});

storeTest('utcDayKey is the UTC day, whatever the local time zone', async () => {
  assert.equal(utcDayKey(Date.UTC(2026, 0, 15, 23, 59, 59, 999)), '2026-01-15');
  assert.equal(utcDayKey(Date.UTC(2026, 0, 16, 0, 0, 0)), '2026-01-16');
});

storeTest('update changes a live token\'s budget and upload policy; revoked or unknown tokens are not found', async () => {
  const store = await open();
  try {
    const { token, record } = await store.tokens.create({ name: 'scanner', role: 'analyst', uploadPolicy: 'never' });
    assert.equal(record.uploadPolicy, 'never');
    assert.equal(await store.tokens.uploadPolicy(record.id), 'never');
    const changed = await store.tokens.update('scanner', { uploadPolicy: 'always', dailyBudget: 9 });
    assert.deepEqual({ policy: changed?.uploadPolicy, budget: changed?.dailyBudget }, { policy: 'always', budget: 9 });
    assert.equal((await store.tokens.verify(token))?.uploadPolicy, 'always', 'the policy travels with the verified record');
    assert.equal((await store.tokens.update(record.id, { uploadPolicy: null }))?.uploadPolicy, null);
    assert.equal((await store.tokens.update(record.id, {}))?.dailyBudget, 9, 'absent fields are left alone');
    await assert.rejects(store.tokens.update('scanner', { uploadPolicy: 'sometimes' as 'never' }), /uploadPolicy/);
    await assert.rejects(store.tokens.create({ name: 'y', role: 'reader', uploadPolicy: 'sometimes' as 'never' }), /uploadPolicy/);
    await store.tokens.revoke('scanner');
    assert.equal(await store.tokens.update('scanner', { dailyBudget: 1 }), undefined);
    assert.equal(await store.tokens.uploadPolicy(record.id), null);
  } finally {
    await store.close();
  }
});
