import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { keyLabel, type MockServer, startMock } from '../index.js';
import { createUrlhausRoute, KNOWN_URLHAUS_DROPPERS, simulatedUrlhaus } from './index.js';

const KEY = 'abuse-ch-key-0123456789';
const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let a: MockServer;
let b: MockServer;

before(async () => {
  a = await startMock({ clock, routes: [createUrlhausRoute({ limits: { perSecond: 1000 } })] });
  b = await startMock({ clock, routes: [createUrlhausRoute({ keys: [KEY], limits: { perSecond: 1000 } })] });
});
after(async () => {
  await a.close();
  await b.close();
});

async function post(server: MockServer, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'auth-key': KEY, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('answers are the same on two servers and match simulatedUrlhaus', async () => {
  for (const d of KNOWN_URLHAUS_DROPPERS) {
    const one = await post(a, '/v1/url/', new URLSearchParams({ url: d.url }).toString());
    const two = await post(b, '/v1/url/', new URLSearchParams({ url: d.url }).toString());
    assert.deepEqual(one.body, two.body);
    assert.deepEqual(one.body, simulatedUrlhaus(d.url));
    assert.equal(one.body.query_status, 'ok');
    assert.equal((one.body.payloads as Array<{ response_sha256: string }>)[0]?.response_sha256, d.sha256);
  }
});

test('JSON bodies are accepted as well as form bodies', async () => {
  const sha = KNOWN_URLHAUS_DROPPERS[0]?.sha256 ?? '';
  const res = await post(a, '/v1/payload/', JSON.stringify({ sha256_hash: sha }), { 'content-type': 'application/json' });
  assert.equal(res.status, 200);
  assert.equal(res.body.sha256_hash, sha);
  assert.equal(res.body.signature, 'Mirai');
  // Numbers travel as strings, as upstream sends them.
  assert.equal(typeof res.body.file_size, 'string');
});

test('a missing Auth-Key is 401; with configured keys an unknown one is too', async () => {
  const missing = await post(a, '/v1/host/', 'host=54.37.72.170', { 'auth-key': '' });
  assert.equal(missing.status, 401);
  assert.equal(missing.body.query_status, 'unknown_auth_key');
  const wrong = await post(b, '/v1/host/', 'host=54.37.72.170', { 'auth-key': 'not-the-key' });
  assert.equal(wrong.status, 401);
  const right = await post(b, '/v1/host/', 'host=54.37.72.170');
  assert.equal(right.status, 200);
  assert.equal(right.body.url_count, '1');
});

test('bad queries answer the documented statuses', async () => {
  assert.equal((await post(a, '/v1/host/', 'host=not a host!')).body.query_status, 'invalid_host');
  assert.equal((await post(a, '/v1/payload/', 'sha256_hash=abc')).body.query_status, 'invalid_sha256');
  assert.equal((await post(a, '/v1/url/', 'url=/dev/null')).body.query_status, 'invalid_url');
  const get = await fetch(`${a.url}/v1/url/`, { headers: { 'auth-key': KEY } });
  assert.deepEqual(await get.json(), { query_status: 'http_post_expected' });
});

test('some unknown URLs are listed and most are not, deterministically', () => {
  let listed = 0;
  for (let i = 0; i < 400; i++) if (simulatedUrlhaus(`http://host-${i}.example.net/bins.sh`).query_status === 'ok') listed++;
  assert.ok(listed > 40 && listed < 200, `listed ${listed} of 400`);
});

test('requests are recorded in the simulator stats under the key label, never the key', async () => {
  b.reset();
  await post(b, '/v1/url/', 'url=http%3A%2F%2F54.37.72.170%2Fn3');
  const stats = b.stats();
  assert.equal(stats.byEndpoint['POST /v1/url/'], 1);
  assert.equal(stats.byKey[keyLabel(KEY)], 1);
  assert.ok(!JSON.stringify(stats).includes(KEY));
});
