// Open mode (no token configured, loopback only): the dashboard opens without signing in, and a page
// load without a cookie stores nothing (it used to keep one session row per load, up to 10,000).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startTestServer, type TestServer } from '../test-support/harness.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t?.close();
});

test('50 cookieless page loads in open mode leave no more than a handful of session rows; the page still works', async () => {
  const before = await t.gateway.tokens.sessions.count();
  let page = await call(t.url, '/');
  for (let i = 1; i < 50; i++) {
    page = await call(t.url, '/');
    assert.equal(page.status, 200);
  }
  assert.ok((await t.gateway.tokens.sessions.count()) - before <= 3, `session rows: ${await t.gateway.tokens.sessions.count()}`);
  assert.match(page.text, /id="main"/, 'the dashboard itself, not the sign-in form');
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)?.[1];
  assert.ok(csrf, 'the page carries a CSRF token for its scripts');
  // what the page's scripts do in open mode: read, and change state with the header they always send
  assert.equal((await call(t.url, '/api/stats')).status, 200);
  const cookie = page.headers.get('set-cookie')?.split(';')[0];
  const made = await call(t.url, '/api/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ indicators: ['example.com'], dryRun: true }),
  });
  assert.equal(made.status, 200, made.text);
});
