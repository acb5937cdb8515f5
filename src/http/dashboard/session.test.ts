// Dashboard sessions: sign-in sets an HttpOnly SameSite=Strict cookie; signed out, every page and data
// route is refused; state changes need the CSRF header; cross-site posts are refused; sign-out ends it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startTestServer, type TestServer } from '../test-support/harness.js';

let t: TestServer;
let admin = '';

const json = (body: unknown, method = 'POST'): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  t = await startTestServer();
  const first = await call(t.url, '/api/tokens', json({ name: 'root', role: 'admin' }));
  assert.equal(first.status, 201, first.text);
  admin = first.body.token;
});
after(() => t?.close());

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${t.url}/dashboard/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url }, body: new URLSearchParams({ token }) });
  assert.equal(r.status, 303);
  const set = r.headers.get('set-cookie') ?? '';
  assert.match(set, /^vtg_session=[A-Za-z0-9_-]{20,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
  const cookie = set.split(';')[0] as string;
  const page = await call(t.url, '/', { headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)?.[1];
  assert.ok(csrf, 'the signed-in page carries its CSRF token');
  return { cookie, csrf };
}

const DATA_ROUTES = ['/api/stats', '/api/providers', '/api/quota', '/api/events', '/api/batch', '/api/tokens', '/api/webhooks', '/api/history/changes', '/api/lookup?q=example.com', '/api/cache/info'];

test('signed out, the page is only the sign-in form and every data route is refused', async () => {
  const page = await call(t.url, '/');
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/dashboard\/login">/);
  assert.doesNotMatch(page.text, /csrf-token|app\.js|VirusTotal quota/);
  for (const path of DATA_ROUTES) {
    assert.equal((await call(t.url, path)).status, 401, path);
    assert.equal((await call(t.url, path, { headers: { cookie: 'vtg_session=forged' } })).status, 401, `${path} with a forged cookie`);
  }
});

test('a wrong token does not sign in', async () => {
  const r = await fetch(`${t.url}/dashboard/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=nope' });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('set-cookie'), null);
  assert.match(await r.text(), /unknown or revoked/);
});

test('signed in, the cookie reads data; state changes need the CSRF header; sign-out ends the session', async () => {
  const { cookie, csrf } = await signIn(admin);
  for (const path of DATA_ROUTES.filter((p) => p !== '/api/events')) assert.equal((await call(t.url, path, { headers: { cookie } })).status, 200, path);
  const events = await fetch(`${t.url}/api/events`, { headers: { cookie } });
  assert.equal(events.status, 200);
  assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = events.body?.getReader();
  let text = '';
  while (!text.includes('event: batches')) text += new TextDecoder().decode((await reader?.read())?.value);
  await reader?.cancel();
  assert.match(text, /event: overview\ndata: \{"stats":/);

  const body = JSON.stringify({ name: 'from-dashboard', role: 'reader' });
  const noCsrf = await call(t.url, '/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.body.error.code, 'CsrfTokenMismatch');
  const wrongCsrf = await call(t.url, '/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(43) }, body });
  assert.equal(wrongCsrf.status, 403);
  const ok = await call(t.url, '/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf }, body });
  assert.equal(ok.status, 201, ok.text);

  const out = await call(t.url, '/dashboard/logout', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie') ?? '', /vtg_session=; .*Max-Age=0/);
  assert.equal((await call(t.url, '/api/stats', { headers: { cookie } })).status, 401, 'the session is gone');
  assert.match((await call(t.url, '/', { headers: { cookie } })).text, /action="\/dashboard\/login"/);
});

test('a cross-site form post is refused, with or without the CSRF token', async () => {
  const { cookie, csrf } = await signIn(admin);
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const headers of [
    { ...form, cookie, origin: 'https://evil.example' },
    { ...form, cookie, 'sec-fetch-site': 'cross-site' },
    { ...form, cookie, origin: 'https://evil.example', 'x-csrf-token': csrf },
  ]) {
    const r = await call(t.url, '/api/batch', { method: 'POST', headers, body: 'indicators=example.com' });
    assert.equal(r.status, 403, JSON.stringify(headers));
    // the server-wide Host/Origin rule (middleware/host-origin.ts) refuses it before the session check does
    assert.ok(['CrossOriginRefused', 'CrossSiteRequest'].includes(r.body.error.code), r.text);
  }
  const login = await call(t.url, '/dashboard/login', { method: 'POST', headers: { ...form, origin: 'https://evil.example' }, body: `token=${admin}` });
  assert.equal(login.status, 403, 'login CSRF: a cross-site sign-in is refused');
  assert.equal(login.headers.get('set-cookie'), null);
});

test('a revoked token ends its sessions', async () => {
  const made = await call(t.url, '/api/tokens', { ...json({ name: 'short-lived', role: 'reader' }), token: admin });
  const { cookie } = await signIn(made.body.token);
  assert.equal((await call(t.url, '/api/stats', { headers: { cookie } })).status, 200);
  assert.equal((await call(t.url, "/api/tokens/short-lived", { method: 'DELETE', token: admin })).status, 200);
  assert.equal((await call(t.url, '/api/stats', { headers: { cookie } })).status, 401);
});

test('retrying a webhook delivery that is not a dead letter is a 409; an unknown webhook a 404', async () => {
  const hook = await t.gateway.webhooks.create({ owner: null, url: 'https://hooks.example/x', events: ['verdict.changed'], secret: 's'.repeat(20) });
  const r = await call(t.url, `/api/webhooks/${hook.id}/deliveries/nope/retry`, { method: 'POST', token: admin });
  assert.equal(r.status, 409, r.text);
  assert.equal((await call(t.url, '/api/webhooks/missing/deliveries/nope/retry', { method: 'POST', token: admin })).status, 404);
});
