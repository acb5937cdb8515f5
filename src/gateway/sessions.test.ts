// Dashboard sessions in the store: the file holds neither the session id nor the token; a session
// is found by its id until it expires; a tampered seal or a malformed id finds nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { Store } from '../store/index.js';
import { SESSION_TTL_MS, SessionService } from './sessions.js';

const hashOf = (id: string): string => createHash('sha256').update(`vtg-session:${id}`).digest('hex');

test('sessions are stored hashed and sealed, expire, and refuse tampering', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vtg-session-service-'));
  const clock = new FakeClock(Date.UTC(2026, 11, 4, 8));
  const store = await Store.open({ dataDir, clock });
  try {
    const made = await store.tokens.create({ name: 'root', role: 'admin' });
    const sessions = new SessionService(store.sessions, clock);
    const s = await sessions.create(made.token, made.record.id);
    assert.match(s.id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(s.expiresAt, clock.now() + SESSION_TTL_MS);
    const open = await sessions.create(null, null);

    // a second service on the same file (another process, or after a restart) finds it
    const again = await new SessionService(store.sessions, clock).get(s.id);
    assert.deepEqual(again, s);
    assert.equal((await sessions.get(open.id))?.token, null);
    assert.notEqual(open.csrf, s.csrf);

    await store.close();
    const bytes = (await readFile(join(dataDir, 'vt-gateway.sqlite'))).toString('latin1') + (await readFile(join(dataDir, 'vt-gateway.sqlite-wal')).catch(() => Buffer.alloc(0))).toString('latin1');
    assert.ok(!bytes.includes(s.id), 'the file never holds a session id');
    assert.ok(!bytes.includes(made.token), 'nor a token');
    assert.ok(!bytes.includes(s.csrf), 'nor a CSRF token');
  } finally {
    if (store.isOpen) await store.close();
  }

  const reopened = await Store.open({ dataDir, clock });
  try {
    const sessions = new SessionService(reopened.sessions, clock);
    assert.equal(await reopened.sessions.count(clock.now()), 2, 'both survive a reopen');
    assert.equal(await sessions.get('x'.repeat(43)), undefined, 'unknown');
    assert.equal(await sessions.get('not a session id'), undefined, 'malformed');
    const s = await sessions.create('vtg_secret', null);
    // a seal opened with another id's key fails its tag check
    const stored = await reopened.sessions.get(hashOf(s.id), clock.now());
    assert.ok(stored?.sealedToken);
    await reopened.sessions.delete(hashOf(s.id));
    await reopened.sessions.create({ ...stored, sealedToken: `${stored.sealedToken.slice(0, -2)}AA` });
    assert.equal(await sessions.get(s.id), undefined, 'tampered');

    await clock.advance(SESSION_TTL_MS);
    assert.equal(await reopened.sessions.count(clock.now()), 0);
    await sessions.delete(s.id);
  } finally {
    await reopened.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
