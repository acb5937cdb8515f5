import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type MockServer, mockVerdict, startMock } from './index.js';
import { call, fixture, form, needsFixture } from './test-support/http.js';

let mock: MockServer;
before(async () => {
  mock = await startMock({ profile: 'premium' });
});
after(() => mock.close());

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const urlId = (url: string) => Buffer.from(url).toString('base64url');

/** A URL the simulator does not know until it is submitted. */
function unknownUrl(): string {
  for (let i = 0; i < 200; i++) {
    const url = `http://new-${i}.example.org/payload.sh`;
    if (!mockVerdict('url', url).found) return url;
  }
  throw new Error('no unknown URL found');
}

test('POST /urls accepts the url urlencoded (vt-py) and the URL becomes known', async () => {
  const url = unknownUrl();
  assert.equal((await call(mock, `/urls/${urlId(url)}`)).status, 404);
  const { status, body } = await call(mock, '/urls', { method: 'POST', body: new URLSearchParams({ url }) });
  assert.equal(status, 200);
  assert.equal(body.data.type, 'analysis');
  assert.match(body.data.id, new RegExp(`^u-${sha256(url)}-\\d{10}$`));
  assert.equal(body.data.links.self, `${mock.url}/api/v3/analyses/${body.data.id}`);
  assert.deepEqual(Object.keys(body.data).sort(), Object.keys(fixture('analysis-descriptor-url-scan.json').data).sort());
  const found = await call(mock, `/urls/${urlId(url)}`);
  assert.equal(found.status, 200);
  assert.equal(found.body.data.id, sha256(url));
  assert.equal(found.body.data.attributes.url, url);
});

test('POST /urls accepts the url as multipart (vt-go)', async () => {
  const url = 'https://multipart.example.net/x?y=1';
  const { status, body } = await call(mock, '/urls', { method: 'POST', body: form({ url }) });
  assert.equal(status, 200);
  assert.match(body.data.id, new RegExp(`^u-${sha256(url)}-\\d+$`));
});

test('POST /urls without a url is a 400 BadRequestError', async () => {
  const { status, body } = await call(mock, '/urls', { method: 'POST', body: new URLSearchParams({ other: 'x' }) });
  assert.equal(status, 400);
  assert.equal(body.error.code, 'BadRequestError');
});

test('GET /urls/{id} by base64url or sha256 returns one object whose id is the sha256 of the canonical URL', async () => {
  const url = 'HTTP://WWW.VirusTotal.com';
  const canonical = 'http://www.virustotal.com/';
  await call(mock, '/urls', { method: 'POST', body: new URLSearchParams({ url }) });
  const byB64 = await call(mock, `/urls/${urlId(url)}`);
  assert.equal(byB64.status, 200);
  assert.equal(byB64.body.data.id, sha256(canonical));
  assert.equal(byB64.body.data.attributes.url, canonical);
  const bySha = await call(mock, `/urls/${sha256(canonical)}`);
  assert.deepEqual(bySha.body, byB64.body);
  assert.equal(byB64.body.data.links.self, `${mock.url}/api/v3/urls/${sha256(canonical)}`);
});

test('a URL object has the attributes of a real one, with 5 stats keys', { skip: needsFixture('url-object.json') }, async () => {
  const url = 'http://soclosebutyetqq.com/69.exe';
  const { body } = await call(mock, '/urls', { method: 'POST', body: new URLSearchParams({ url }) });
  assert.ok(body.data.id);
  const { status, body: obj } = await call(mock, `/urls/${urlId(url)}`);
  assert.equal(status, 200);
  const real = fixture('url-object.json').data;
  assert.equal(obj.data.id, real.id, 'same id as VirusTotal gives this URL');
  for (const key of Object.keys(real.attributes)) assert.ok(key in obj.data.attributes, `missing ${key}`);
  assert.deepEqual(Object.keys(obj.data.attributes.last_analysis_stats).sort(), Object.keys(real.attributes.last_analysis_stats).sort());
  const realEntry = Object.values(real.attributes.last_analysis_results)[0] as object;
  for (const entry of Object.values(obj.data.attributes.last_analysis_results) as object[]) {
    assert.deepEqual(Object.keys(entry).sort(), Object.keys(realEntry).sort());
  }
});

test('an unknown URL id answers 404 with the VT message; rescans of known URLs give u- analyses', async () => {
  let missing = '';
  for (let i = 0; i < 200 && !missing; i++) {
    const id = sha256(`nowhere ${i}`);
    if (!mockVerdict('url', id).found) missing = id;
  }
  const { status, body } = await call(mock, `/urls/${missing}`);
  assert.equal(status, 404);
  assert.deepEqual(body, { error: { code: 'NotFoundError', message: `URL "${missing}" not found` } });
  const rescan = await call(mock, `/urls/${urlId('http://soclosebutyetqq.com/69.exe')}/analyse`, { method: 'POST' });
  assert.equal(rescan.status, 200);
  assert.match(rescan.body.data.id, /^u-7d83e9f686ff0122ded311f27aababf6922800a45a23a4dacc860b56ccada4cb-\d+$/);
});
