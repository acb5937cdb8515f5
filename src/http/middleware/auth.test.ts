// Tokens and roles: who may call what, per-token daily budgets, and the open-server guard.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { Gateway, secondsToUtcMidnight } from '../../gateway/index.js';
import { CLEAN_SHA256, EICAR_MD5, type MockServer } from '../../mock/index.js';
import { startServer } from '../server.js';
import { call, createToken, firstAdminToken, isolatedEnv, type TestServer, until, withUpstreamServer } from '../test-support/harness.js';
import { upstreamCalls, upstreamEnv } from '../test-support/upstream.js';

let mock: MockServer;
let t: TestServer;
const tokens: Record<'admin' | 'analyst' | 'analyst2' | 'reader' | 'budget', string> = {
  admin: '',
  analyst: '',
  analyst2: '',
  reader: '',
  budget: '',
};

const json = (body: unknown, method = 'POST'): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

withUpstreamServer({
  ready: async (up) => {
    ({ mock, server: t } = up);
    // open mode: the first admin token is created over HTTP from loopback
    tokens.admin = await firstAdminToken(t.url);
    const make = async (name: string, role: string, dailyBudget?: number) => (await createToken(t.url, tokens.admin, name, role, dailyBudget)).token;
    tokens.analyst = await make('ana', 'analyst');
    tokens.analyst2 = await make('bob', 'analyst');
    tokens.reader = await make('rita', 'reader');
    tokens.budget = await make('cheap', 'analyst', 2);
  },
});

describe('authentication', () => {
  test('once a token exists, requests without one are refused, in both dialects', async () => {
    const none = await call(t.url, `/api/files/${EICAR_MD5}`);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'Unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const v3 = await call(t.url, `/api/v3/files/${EICAR_MD5}`);
    assert.equal(v3.status, 401);
    assert.deepEqual(v3.body, { error: { code: 'AuthenticationRequiredError', message: 'X-Apikey header is missing' } });
  });

  test('unknown and revoked tokens are refused', async () => {
    const bad = await call(t.url, '/api/quota', { token: 'vtg_not-a-real-token-at-all-0000000000' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'InvalidToken');
    const v3 = await call(t.url, `/api/v3/files/${EICAR_MD5}`, { token: 'whatever' });
    assert.deepEqual(v3.body, { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } });
    const temp = await call(t.url, '/api/tokens', { ...json({ name: 'temp', role: 'reader' }), token: tokens.admin });
    assert.equal((await call(t.url, '/api/quota', { token: temp.body.token })).status, 200);
    const revoke = await call(t.url, `/api/tokens/${temp.body.record.id}`, { method: 'DELETE', token: tokens.admin });
    assert.equal(revoke.status, 200);
    assert.equal((await call(t.url, '/api/quota', { token: temp.body.token })).status, 401);
  });

  test('a token revoked outside the server (e.g. by the CLI) is refused within a second, on the fast path too', async () => {
    const temp = await call(t.url, '/api/tokens', { ...json({ name: 'revoked-elsewhere', role: 'reader' }), token: tokens.admin });
    const path = `/api/files/${EICAR_MD5}`;
    await call(t.url, path, { token: tokens.analyst });
    assert.equal((await call(t.url, path, { token: temp.body.token })).status, 200, 'verified (and remembered)');
    assert.ok(await t.gateway.tokens.revoke(temp.body.record.id));
    const refused = await until(async () => {
      const r = await call(t.url, path, { token: temp.body.token });
      return r.status === 401 ? r : undefined;
    }, 5_000);
    assert.equal(refused.body.error.code, 'InvalidToken');
  });

  test('health, metrics and the API documents stay readable without a token', async () => {
    assert.equal((await call(t.url, '/api/health')).status, 200);
    assert.equal((await call(t.url, '/metrics')).status, 200);
    assert.equal((await call(t.url, '/api/openapi.json')).status, 200);
    const page = await call(t.url, '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<input id="token" name="token"/, 'without a session the dashboard shows only its sign-in form');
  });

  test('a token is accepted as Bearer on /api and as x-apikey on /api/v3', async () => {
    assert.equal((await call(t.url, `/api/files/${EICAR_MD5}`, { token: tokens.analyst })).status, 200);
    assert.equal((await call(t.url, `/api/v3/files/${EICAR_MD5}`, { token: tokens.analyst })).status, 200);
  });

  test('the token list shows records, never tokens or hashes', async () => {
    const list = await call(t.url, '/api/tokens', { token: tokens.admin });
    assert.equal(list.status, 200);
    assert.ok(list.body.tokens.length >= 5);
    for (const secret of Object.values(tokens)) assert.ok(!list.text.includes(secret));
  });
});

describe('roles', () => {
  test('analysts may not administer the cache or tokens', async () => {
    const clear = await call(t.url, '/api/cache', { method: 'DELETE', token: tokens.analyst });
    assert.equal(clear.status, 403);
    assert.equal(clear.body.error.code, 'Forbidden');
    assert.equal((await call(t.url, '/api/cache/prune', { method: 'POST', token: tokens.analyst })).status, 403);
    assert.equal((await call(t.url, '/api/tokens', { token: tokens.analyst })).status, 403);
    assert.equal((await call(t.url, '/api/cache/prune', { method: 'POST', token: tokens.admin })).status, 200);
  });

  test('a reader gets cached answers and never spends quota', async () => {
    await call(t.url, `/api/files/${EICAR_MD5}`, { token: tokens.analyst });
    const cached = await call(t.url, `/api/files/${EICAR_MD5}`, { token: tokens.reader });
    assert.equal(cached.status, 200);
    assert.equal(cached.body.report.verdict, 'malicious');
    const before = upstreamCalls(mock, 'GET /domains/{domain}');
    const uncached = await call(t.url, '/api/domains/never-looked-up.example.org', { token: tokens.reader });
    assert.equal(uncached.status, 404);
    assert.equal(uncached.body.error.code, 'NotCached');
    const v3 = await call(t.url, '/api/v3/domains/never-looked-up.example.org', { token: tokens.reader });
    assert.equal(v3.status, 404);
    assert.equal(v3.body.error.code, 'NotFoundError');
    assert.equal(upstreamCalls(mock, 'GET /domains/{domain}'), before, 'no upstream call for a reader');
  });

  test('a reader may not scan, rescan, batch, register webhooks or list relationships (enrich is cache-only for readers)', async () => {
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.bin');
    const refusals = [
      await call(t.url, '/api/scan/file', { method: 'POST', body: form, token: tokens.reader }),
      await call(t.url, '/api/scan/url', { ...json({ url: 'http://a.example.com/' }), token: tokens.reader }),
      await call(t.url, '/api/batch', { ...json({ indicators: ['example.com'] }), token: tokens.reader }),
      await call(t.url, '/api/rescan', { ...json({ indicator: CLEAN_SHA256 }), token: tokens.reader }),
      await call(t.url, '/api/webhooks', { ...json({ url: 'http://127.0.0.1:9/x', events: ['batch.completed'] }), token: tokens.reader }),
    ];
    for (const r of refusals) assert.equal(r.status, 403, r.text);
    const v3 = await call(t.url, '/api/v3/urls', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'url=http%3A%2F%2Fa.example.com%2F',
      token: tokens.reader,
    });
    assert.equal(v3.status, 403);
    assert.equal(v3.body.error.code, 'ForbiddenError');
    const rel = await call(t.url, `/api/v3/files/${CLEAN_SHA256}/contacted_domains`, { token: tokens.reader });
    assert.equal(rel.status, 403);
  });

  test("analysts see their own batches and webhooks only; admins see everyone's", async () => {
    const batch = await call(t.url, '/api/batch', { ...json({ indicators: ['example.com'] }), token: tokens.analyst });
    assert.equal(batch.status, 202);
    const id = batch.body.job.id;
    assert.equal((await call(t.url, `/api/batch/${id}`, { token: tokens.analyst })).status, 200);
    assert.equal((await call(t.url, `/api/batch/${id}`, { token: tokens.analyst2 })).status, 404);
    assert.equal((await call(t.url, `/api/batch/${id}/results`, { token: tokens.analyst2 })).status, 404);
    assert.equal((await call(t.url, `/api/batch/${id}`, { method: 'DELETE', token: tokens.analyst2 })).status, 404);
    assert.equal((await call(t.url, `/api/batch/${id}`, { token: tokens.admin })).status, 200);
    const theirs = await call(t.url, '/api/batch', { token: tokens.analyst2 });
    assert.ok(!theirs.body.jobs.some((j: { id: string }) => j.id === id));

    const hook = await call(t.url, '/api/webhooks', { ...json({ url: 'http://127.0.0.1:9/hook', events: ['batch.completed'] }), token: tokens.analyst });
    assert.equal(hook.status, 201, hook.text);
    assert.equal((await call(t.url, `/api/webhooks/${hook.body.id}/deliveries`, { token: tokens.analyst2 })).status, 404);
    assert.equal((await call(t.url, `/api/webhooks/${hook.body.id}`, { method: 'DELETE', token: tokens.analyst2 })).status, 404);
    const adminList = await call(t.url, '/api/webhooks', { token: tokens.admin });
    assert.ok(adminList.body.webhooks.some((h: { id: string }) => h.id === hook.body.id));
    assert.ok(!adminList.text.includes(hook.body.secret), 'secrets are never listed');
    assert.equal((await call(t.url, `/api/webhooks/${hook.body.id}`, { method: 'DELETE', token: tokens.analyst })).status, 200);
  });
});

describe('daily budgets', () => {
  test('a token over its budget gets 429 BudgetExceeded with Retry-After until 00:00 UTC, but cached answers still flow', async () => {
    const a = await call(t.url, '/api/domains/budget-one.example.com', { token: tokens.budget });
    const b = await call(t.url, '/api/domains/budget-two.example.com', { token: tokens.budget });
    assert.equal(a.body.source, 'upstream');
    assert.equal(b.body.source, 'upstream');
    const before = upstreamCalls(mock, 'GET /domains/{domain}');
    const over = await call(t.url, '/api/domains/budget-three.example.com', { token: tokens.budget });
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'BudgetExceeded');
    const retry = Number(over.headers.get('retry-after'));
    const expected = secondsToUtcMidnight(Date.now());
    assert.ok(Math.abs(retry - expected) <= 2, `Retry-After ${retry} vs ${expected}`);
    assert.equal(upstreamCalls(mock, 'GET /domains/{domain}'), before, 'the refused lookup made no call');
    const cached = await call(t.url, '/api/domains/budget-one.example.com', { token: tokens.budget });
    assert.equal(cached.status, 200);
    const scan = await call(t.url, '/api/scan/url', { ...json({ url: 'http://budget.example.com/' }), token: tokens.budget });
    assert.equal(scan.status, 429);
    const batch = await call(t.url, '/api/batch', { ...json({ indicators: ['example.com'] }), token: tokens.budget });
    assert.equal(batch.status, 429);
    const v3 = await call(t.url, '/api/v3/domains/budget-four.example.com', { token: tokens.budget });
    assert.equal(v3.status, 429);
    assert.equal(v3.body.error.code, 'QuotaExceededError');
    // other tokens are not affected
    assert.equal((await call(t.url, '/api/domains/budget-three.example.com', { token: tokens.analyst })).status, 200);
  });

  test("a batch's upstream calls are charged to its owner's budget when it completes", async () => {
    const created = await call(t.url, '/api/tokens', { ...json({ name: 'batcher', role: 'analyst', dailyBudget: 3 }), token: tokens.admin });
    const token = created.body.token as string;
    const batch = await call(t.url, '/api/batch', { ...json({ indicators: ['charge-1.example.com', 'charge-2.example.com'] }), token });
    assert.equal(batch.status, 202);
    assert.equal(batch.body.job.budget, 3, 'the batch may spend at most what the token has left');
    await until(async () => (await call(t.url, `/api/batch/${batch.body.job.id}`, { token })).body.job.status === 'completed');
    await until(async () => (await t.gateway.tokens.spentToday(created.body.record.id, new Date().toISOString().slice(0, 10))) === 2);
    const batch2 = await call(t.url, '/api/batch', { ...json({ indicators: ['charge-3.example.com', 'charge-4.example.com'] }), token });
    assert.equal(batch2.body.job.budget, 1, 'one call left today');
  });
});

describe('binding', () => {
  test('an open server (no tokens) refuses to listen on a non-loopback address', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vtg-bind-'));
    const gateway = await Gateway.open({ config: loadConfig({ env: isolatedEnv(dataDir, upstreamEnv(mock)), overrides: { dataDir } }) });
    try {
      await assert.rejects(startServer({ gateway, host: '0.0.0.0', port: 0 }), /refusing to listen on 0\.0\.0\.0 with no API tokens/);
    } finally {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
