// No open door: an off-loopback server stays closed without tokens, and web pages the operator
// visits cannot drive the service (cross-site requests, DNS rebinding, form-encoded JSON routes).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { EICAR_SHA256 } from '../mock/index.js';
import { call, rawCall, type TestServer, withUpstreamServer } from './test-support/harness.js';

const jsonInit = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});

describe('a server bound off loopback (requireTokens) with its last token revoked', () => {
  let t: TestServer;
  // requireTokens is what a non-loopback bind implies; the test server itself stays on 127.0.0.1
  const up = withUpstreamServer({ server: { requireTokens: true } });
  before(() => {
    t = up.server;
  });

  test('refuses to revoke the last admin token, and stays closed when tokens vanish elsewhere', async () => {
    const root = (await t.gateway.tokens.create({ name: 'root', role: 'admin' })).token;
    const ci = await t.gateway.tokens.create({ name: 'ci', role: 'analyst' });
    assert.equal((await call(t.url, '/api/tokens/ci', { method: 'DELETE', token: root })).status, 200);
    const last = await call(t.url, '/api/tokens/root', { method: 'DELETE', token: root });
    assert.equal(last.status, 409, last.text);
    assert.equal(last.body.error.code, 'LastAdminToken');
    assert.ok(ci.record.id);

    // the CLI revokes it behind the server's back: the server must close, not open
    await t.gateway.tokens.revoke('root');
    const anon = await call(t.url, '/api/tokens', jsonInit({ name: 'evil', role: 'admin' }));
    assert.equal(anon.status, 401, anon.text);
    assert.equal(await t.gateway.tokens.count(), 0);
    const lookup = await call(t.url, `/api/files/${EICAR_SHA256}`);
    assert.equal(lookup.status, 401, lookup.text);
    const v3 = await call(t.url, `/api/v3/files/${EICAR_SHA256}`);
    assert.equal(v3.status, 401, v3.text);
    assert.equal((await call(t.url, '/api/health')).status, 200);
  });
});

describe('an open loopback server (no tokens) and hostile web pages', () => {
  let t: TestServer;
  let origin: string;
  const up = withUpstreamServer();
  before(() => {
    t = up.server;
    origin = t.url;
  });

  test('cross-site Origins are refused on state-changing requests', async () => {
    const evil = { origin: 'https://evil.example' };
    const batch = await rawCall(t.url, '/api/batch', { method: 'POST', headers: { ...evil, 'content-type': 'text/plain' }, body: 'example.com\n' });
    assert.equal(batch.status, 403, batch.text);
    assert.equal(batch.body.error.code, 'CrossOriginRefused');
    const scan = await rawCall(t.url, '/api/scan/url', {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'url=https%3A%2F%2Fexample.com%2F',
    });
    assert.equal(scan.status, 403, scan.text);
    const token = await rawCall(t.url, '/api/tokens', { method: 'POST', headers: evil, body: '{"name":"x","role":"admin"}' });
    assert.equal(token.status, 403, token.text);
    const nullOrigin = await rawCall(t.url, '/api/tokens', { method: 'POST', headers: { origin: 'null', 'content-type': 'application/json' }, body: '{"name":"x","role":"admin"}' });
    assert.equal(nullOrigin.status, 403, nullOrigin.text);
    // a page on another local port is another origin too
    const sibling = await rawCall(t.url, '/api/cache/prune', { method: 'POST', headers: { origin: 'http://127.0.0.1:1' } });
    assert.equal(sibling.status, 403, sibling.text);
    // a cross-site subresource (an <img> GET) may not spend quota either
    const img = await rawCall(t.url, '/api/lookup/example.com', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } });
    assert.equal(img.status, 403, img.text);
    assert.equal(await t.gateway.tokens.count(), 0);
  });

  test('the same origin, and clients that send no Origin, are served', async () => {
    const same = await rawCall(t.url, '/api/batch', {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ indicators: ['example.com'], dryRun: true }),
    });
    assert.ok(same.status < 300, same.text);
    const nav = await rawCall(t.url, '/', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
    assert.equal(nav.status, 200);
  });

  test('JSON routes require application/json; forms only where VirusTotal clients send them', async () => {
    const none = await rawCall(t.url, '/api/tokens', { method: 'POST', body: '{"name":"x","role":"admin"}' });
    assert.equal(none.status, 415, none.text);
    assert.equal(none.body.error.code, 'UnsupportedMediaType');
    const plain = await rawCall(t.url, '/api/scan/url', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'url=https%3A%2F%2Fexample.com%2F' });
    assert.equal(plain.status, 415, plain.text);
    const multi = await rawCall(t.url, '/api/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: '--b\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://example.com/\r\n--b--\r\n',
    });
    assert.equal(multi.status, 415, multi.text);
    assert.equal(await t.gateway.tokens.count(), 0);
  });

  test('a Host that is not one of the server names is refused (DNS rebinding)', async () => {
    const port = new URL(t.url).port;
    const rebound = await rawCall(t.url, `/api/files/${EICAR_SHA256}`, { headers: { host: `rebind.evil.example:${port}` } });
    assert.equal(rebound.status, 421, rebound.text);
    assert.equal(rebound.body.error.code, 'UnknownHost');
    const routed = await rawCall(t.url, '/api/quota', { headers: { host: 'rebind.evil.example' } });
    assert.equal(routed.status, 421);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost']) {
      const ok = await rawCall(t.url, '/api/health', { headers: { host } });
      assert.equal(ok.status, 200, `${host}: ${ok.text}`);
    }
  });

  test('a URL over 16 KB gets the JSON error shape', async () => {
    const long = await rawCall(t.url, `/api/lookup/${'a'.repeat(17 * 1024)}`);
    assert.equal(long.status, 431, long.text);
    assert.equal(long.body.error.code, 'HeadersTooLarge');
  });
});

describe('allowed host names for a reverse proxy', () => {
  let t: TestServer;
  const up = withUpstreamServer({ env: { VTG_ALLOWED_HOSTS: 'vtg.internal.example, .proxy.example' } });
  before(() => {
    t = up.server;
  });

  test('configured names (and subdomains of a leading-dot name) are served', async () => {
    assert.equal((await rawCall(t.url, '/api/health', { headers: { host: 'vtg.internal.example' } })).status, 200);
    assert.equal((await rawCall(t.url, '/api/health', { headers: { host: 'a.proxy.example:443' } })).status, 200);
    assert.equal((await rawCall(t.url, '/api/health', { headers: { host: 'proxy.example.evil' } })).status, 421);
    const sameOrigin = await rawCall(t.url, '/api/cache/prune', { method: 'POST', headers: { host: 'vtg.internal.example', origin: 'https://vtg.internal.example' } });
    assert.ok(sameOrigin.status < 300, sameOrigin.text);
  });
});
