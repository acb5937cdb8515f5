import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { CLEAN_SHA256, type MockServer, keyLabel, startMock } from './index.js';
import { KEY, call, fixture } from './test-support/http.js';

let mock: MockServer;
before(async () => {
  mock = await startMock({ profile: 'premium', keys: [KEY, 'second-key-abcdefgh'] });
});
after(() => mock.close());

function raw(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${mock.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a missing key is 401 AuthenticationRequiredError, a wrong one 401 WrongCredentialsError', async () => {
  const missing = await call(mock, `/files/${CLEAN_SHA256}`, { key: null });
  assert.equal(missing.status, 401);
  assert.deepEqual(missing.body, { error: { code: 'AuthenticationRequiredError', message: 'X-Apikey header is missing' } });
  const wrong = await call(mock, `/files/${CLEAN_SHA256}`, { key: 'not-a-configured-key' });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.body, fixture('error-wrong-credentials.json'));
  const ok = await call(mock, `/files/${CLEAN_SHA256}`, { key: 'second-key-abcdefgh' });
  assert.equal(ok.status, 200);
});

test('unknown paths are 404 NotFoundError and wrong methods 405, as JSON', async () => {
  const unknown = await call(mock, '/nothing/here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'NotFoundError');
  const outside = await call(mock, `${mock.url}/somewhere`);
  assert.equal(outside.status, 404);
  assert.equal(outside.body.error.code, 'NotFoundError');
  const wrongMethod = await call(mock, `/files/${CLEAN_SHA256}`, { method: 'DELETE' });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.body.error.code, 'MethodNotAllowedError');
  const getAnalyse = await call(mock, `/files/${CLEAN_SHA256}/analyse`);
  assert.equal(getAnalyse.status, 405, 'analyse is POST only, not a relationship');
  assert.equal(getAnalyse.headers.get('allow'), 'POST');
});

test('answers are gzipped when the client accepts gzip, and plain otherwise', async () => {
  const zipped = await raw(`/api/v3/files/${CLEAN_SHA256}`, { 'x-apikey': KEY, 'accept-encoding': 'gzip' });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(gunzipSync(zipped.body).toString()).data.id, CLEAN_SHA256);
  const plain = await raw(`/api/v3/files/${CLEAN_SHA256}`, { 'x-apikey': KEY });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(JSON.parse(plain.body.toString()).data.id, CLEAN_SHA256);
});

test('429 answers stay uncompressed even when gzip is accepted', async () => {
  mock.setFaults({ quotaStorm: true });
  try {
    const res = await raw(`/api/v3/files/${CLEAN_SHA256}`, { 'x-apikey': KEY, 'accept-encoding': 'gzip' });
    assert.equal(res.status, 429);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(res.body.toString()).error.code, 'QuotaExceededError');
  } finally {
    mock.setFaults({});
  }
});

test('stats count every request exactly, by endpoint, key label and status, and never show the key', async () => {
  mock.reset();
  await call(mock, `/files/${CLEAN_SHA256}`);
  await call(mock, `/files/${CLEAN_SHA256}`);
  await call(mock, '/domains/example.com');
  await call(mock, '/files/upload_url');
  await call(mock, `/files/${CLEAN_SHA256}`, { key: null });
  await call(mock, '/nothing');
  const stats = mock.stats();
  assert.equal(stats.total, 6);
  assert.equal(stats.rejected429, 0);
  assert.deepEqual(stats.byEndpoint, {
    'GET /files/{id}': 3,
    'GET /domains/{domain}': 1,
    'GET /files/upload_url': 1,
    'GET /(unknown)': 1,
  });
  assert.deepEqual(stats.byKey, { [keyLabel(KEY)]: 5, [keyLabel('')]: 1 });
  assert.deepEqual(stats.byStatus, { '200': 4, '401': 1, '404': 1 });
  assert.equal(stats.requests.length, 6);
  assert.deepEqual(
    stats.requests.map((r) => [r.method, r.endpoint, r.status]),
    [
      ['GET', 'GET /files/{id}', 200],
      ['GET', 'GET /files/{id}', 200],
      ['GET', 'GET /domains/{domain}', 200],
      ['GET', 'GET /files/upload_url', 200],
      ['GET', 'GET /files/{id}', 401],
      ['GET', 'GET /(unknown)', 404],
    ],
  );
  assert.ok(!JSON.stringify(stats).includes(KEY));
});

test('the user endpoints never echo the API key', async () => {
  for (const path of [`/users/${KEY}`, `/users/${KEY}/overall_quotas`, `/users/${KEY}/api_usage`]) {
    const res = await call(mock, path);
    assert.equal(res.status, 200);
    assert.ok(!JSON.stringify(res.body).includes(KEY), path);
  }
});
