import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import { CLEAN_SHA256, MALICIOUS_SHA256, type MockRoute, type MockServer, keyLabel, startMock } from './index.js';
import { KEY, call } from './test-support/http.js';

const servers: MockServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function premium(options = {}): Promise<MockServer> {
  const mock = await startMock({ profile: 'premium', ...options });
  servers.push(mock);
  return mock;
}

// biome-ignore lint/suspicious/noExplicitAny: control answers are arbitrary JSON
async function control(mock: MockServer, name: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${mock.url}/_mock/${name}`, {
    method: body === undefined && name === 'stats' ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.json() };
}

test('setVerdict changes the answer between two lookups, for every kind', async () => {
  const mock = await premium();
  const before = await call(mock, `/files/${CLEAN_SHA256}`);
  assert.equal(before.body.data.attributes.last_analysis_stats.malicious, 0);
  mock.setVerdict('file', CLEAN_SHA256, { malicious: 7, suspicious: 1 });
  const after = await call(mock, `/files/${before.body.data.attributes.md5}`);
  const stats = after.body.data.attributes.last_analysis_stats;
  assert.equal(stats.malicious, 7);
  assert.equal(stats.suspicious, 1);
  assert.equal(Object.values(stats as Record<string, number>).reduce((a, b) => a + b, 0), 75, 'undetected fills up to the engines');
  assert.ok(after.body.data.attributes.popular_threat_classification);
  mock.setVerdict('file', MALICIOUS_SHA256, 'not_found');
  assert.equal((await call(mock, `/files/${MALICIOUS_SHA256}`)).status, 404);
  mock.setVerdict('url', 'http://flip.example/', { malicious: 3 });
  const url = await call(mock, `/urls/${Buffer.from('http://flip.example/').toString('base64url')}`);
  assert.equal(url.body.data.attributes.last_analysis_stats.malicious, 3);
  mock.setVerdict('domain', 'example.com', 'not_found');
  assert.equal((await call(mock, '/domains/example.com')).status, 404);
  mock.setVerdict('ip', '10.0.0.1', { malicious: 0, suspicious: 0, harmless: 90 });
  assert.equal((await call(mock, '/ip_addresses/10.0.0.1')).body.data.attributes.last_analysis_stats.harmless, 90);
  assert.throws(() => mock.setVerdict('file', 'nope', 'not_found'), /not a file indicator/);
});

test('the control API over HTTP: stats, verdicts, faults, limits, reset (no key needed)', async () => {
  const mock = await premium();
  await call(mock, `/files/${CLEAN_SHA256}`);
  const stats = await control(mock, 'stats');
  assert.equal(stats.status, 200);
  assert.deepEqual(stats.body, mock.stats());
  assert.equal(stats.body.byKey[keyLabel(KEY)], 1);

  assert.equal((await control(mock, 'verdicts', { kind: 'file', id: CLEAN_SHA256, stats: { malicious: 5 } })).status, 200);
  assert.equal((await call(mock, `/files/${CLEAN_SHA256}`)).body.data.attributes.last_analysis_stats.malicious, 5);
  assert.equal((await control(mock, 'verdicts', { kind: 'file', id: CLEAN_SHA256, stats: 'not_found' })).status, 200);
  assert.equal((await call(mock, `/files/${CLEAN_SHA256}`)).status, 404);
  assert.equal((await control(mock, 'verdicts', { kind: 'planet', id: 'x', stats: {} })).status, 400);

  assert.equal((await control(mock, 'faults', { errorRate: 1 })).status, 200);
  assert.equal((await call(mock, '/domains/example.com')).status, 503);
  assert.equal((await control(mock, 'faults', {})).status, 200);
  assert.equal((await call(mock, '/domains/example.com')).status, 200);
  const badFaults = await control(mock, 'faults', { errorRate: 3 });
  assert.equal(badFaults.status, 400);
  assert.match(badFaults.body.error.message, /errorRate/);

  assert.equal((await control(mock, 'limits', { minute: 0 })).status, 200);
  assert.equal((await call(mock, '/domains/example.com')).status, 429);
  const limits = (await fetch(`${mock.url}/_mock/limits`).then((r) => r.json())) as { minute: number };
  assert.equal(limits.minute, 0);
  assert.equal((await control(mock, 'limits', {})).status, 200);

  assert.equal((await control(mock, 'reset', {})).status, 200);
  const zero = mock.stats();
  assert.equal(zero.total, 0);
  assert.deepEqual(zero.byEndpoint, {});
  const quotas = await call(mock, `/users/${KEY}/overall_quotas`);
  assert.equal(quotas.body.data.api_requests_daily.user.used, 0, 'reset zeroes the quota counters');
  assert.equal((await fetch(`${mock.url}/_mock/stats`, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${mock.url}/_mock/nothing`)).status, 404);
});

test('two servers give the same answers for the same indicators', async () => {
  const a = await premium();
  const b = await premium();
  const paths = [
    `/files/${CLEAN_SHA256}`,
    `/files/${MALICIOUS_SHA256}`,
    '/files/0123456789abcdef0123456789abcdef',
    '/urls/aHR0cDovL3d3dy52aXJ1c3RvdGFsLmNvbQ',
    '/domains/example.org',
    '/ip_addresses/45.148.10.95',
    '/domains/example.org/subdomains?limit=3',
  ];
  for (const path of paths) {
    const [x, y] = await Promise.all([call(a, path), call(b, path)]);
    assert.equal(x.status, y.status, path);
    assert.equal(JSON.stringify(x.body).replaceAll(a.url, 'ORIGIN'), JSON.stringify(y.body).replaceAll(b.url, 'ORIGIN'), path);
  }
});

test('extra simulators plug in as routes with the shared stats and faults', async () => {
  const urlhaus: MockRoute = async (req, res, url, ctx) => {
    if (!url.pathname.startsWith('/urlhaus/')) return false;
    const key = String(req.headers['auth-key'] ?? '');
    if (await ctx.applyFaults(req, res, 'POST /urlhaus/v1/url/', key)) return true;
    const body = await ctx.readBody(req);
    ctx.json(res, 200, { query_status: 'ok', echo: body.toString() });
    ctx.record('POST /urlhaus/v1/url/', key, 200);
    return true;
  };
  const mock = await premium({ routes: [urlhaus] });
  const res = await fetch(`${mock.url}/urlhaus/v1/url/`, { method: 'POST', body: 'url=x', headers: { 'auth-key': 'uh-key-123456' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { query_status: 'ok', echo: 'url=x' });
  assert.equal(mock.stats().byEndpoint['POST /urlhaus/v1/url/'], 1);
  assert.equal(mock.stats().byKey[keyLabel('uh-key-123456')], 1);
  mock.setFaults({ quotaStorm: true });
  const stormed = await fetch(`${mock.url}/urlhaus/v1/url/`, { method: 'POST', body: 'url=x' });
  assert.equal(stormed.status, 429);
  assert.equal(mock.stats().rejected429, 1);
  assert.equal((await fetch(`${mock.url}/elsewhere`)).status, 404);
});

test('close() resolves with an upload in flight and when called twice', async () => {
  const mock = await startMock({ profile: 'premium' });
  const { body } = await call(mock, '/files/upload_url');
  const target = new URL(body.data);
  const req = request(target, {
    method: 'POST',
    headers: { 'x-apikey': KEY, 'content-type': 'multipart/form-data; boundary=b', 'content-length': '100000' },
  });
  const outcome = new Promise((resolve) => {
    req.on('response', () => resolve('answered'));
    req.on('error', () => resolve('failed'));
  });
  req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\npartial content');
  await new Promise((resolve) => req.on('socket', (s) => s.once('connect', resolve)));
  await Promise.all([mock.close(), mock.close()]);
  assert.equal(await outcome, 'failed');
});

test('several keys with limits of their own; a key revoked at runtime is answered 401 (control API and method)', async () => {
  const other = 'second-api-key-fedcba9876543210';
  const mock = await premium({ keyLimits: { [KEY]: { minute: 1 } } });
  assert.equal((await call(mock, '/domains/a.example')).status, 200);
  assert.equal((await call(mock, '/domains/b.example')).status, 429, 'the first key has 1 a minute of its own');
  assert.equal((await call(mock, '/domains/b.example', { key: other })).status, 200, 'the second keeps the profile');
  assert.equal((await control(mock, 'key-limits', { key: other, limits: { minute: 1 } })).status, 200);
  assert.equal((await call(mock, '/domains/c.example', { key: other })).status, 429);
  const quotas = await call(mock, `/users/${KEY}/overall_quotas`);
  assert.equal(quotas.body.data.api_requests_daily.user.allowed, 1_000_000, 'overall_quotas reports the key its own limits');

  assert.equal((await control(mock, 'revoke', { key: other })).status, 200);
  const refused = await call(mock, '/domains/d.example', { key: other });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.code, 'WrongCredentialsError');
  mock.revokeKey(KEY);
  assert.equal((await call(mock, '/domains/e.example')).status, 401);
  assert.equal((await control(mock, 'revoke', {})).status, 400);
  assert.ok(!JSON.stringify(mock.stats()).includes(other), 'stats show labels, never keys');
});
