import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLEAN_SHA256, type MockServer, NOT_FOUND_SHA256, mockVerdict, startMock } from './index.js';
import { call, fixture, needsFixture } from './test-support/http.js';

let mock: MockServer;
before(async () => {
  mock = await startMock({ profile: 'premium' });
});
after(() => mock.close());

test('a relationship list pages with meta.cursor and an absolute links.next until the end', async () => {
  const ids: string[] = [];
  let next: string | undefined = `/files/${CLEAN_SHA256}/contacted_domains`;
  let pages = 0;
  while (next && pages < 10) {
    const { status, body } = await call(mock, next);
    assert.equal(status, 200);
    pages++;
    assert.ok(Array.isArray(body.data));
    assert.ok(body.links.self.startsWith(`${mock.url}/api/v3/files/${CLEAN_SHA256}/contacted_domains`));
    for (const item of body.data) {
      assert.equal(item.type, 'domain');
      assert.ok(item.attributes.last_analysis_stats);
      ids.push(item.id);
    }
    if (body.links.next) {
      assert.ok(body.meta.cursor, 'meta.cursor goes with links.next');
      assert.ok(body.links.next.startsWith(`${mock.url}/api/v3/`), 'links.next points back at the simulator');
      assert.equal(new URL(body.links.next).searchParams.get('cursor'), body.meta.cursor);
    } else {
      assert.equal(body.meta.cursor, undefined, 'the last page has no cursor');
    }
    next = body.links.next;
  }
  assert.equal(pages, 3, 'default page size 10 over 25 items');
  assert.equal(ids.length, 25);
  assert.equal(new Set(ids).size, 25);
});

test('limit and cursor params page like vt-py does, with the same items', async () => {
  const all = await call(mock, `/domains/example.com/resolutions?limit=40`);
  assert.equal(all.body.data.length, 25);
  assert.equal(all.body.links.next, undefined);
  const first = await call(mock, `/domains/example.com/resolutions?limit=20`);
  const second = await call(mock, `/domains/example.com/resolutions?limit=20&cursor=${first.body.meta.cursor}`);
  assert.deepEqual(
    [...first.body.data, ...second.body.data].map((r: { id: string }) => r.id),
    all.body.data.map((r: { id: string }) => r.id),
  );
  assert.equal(all.body.data[0].attributes.host_name, 'example.com');
  const bad = await call(mock, '/domains/example.com/resolutions?cursor=%%%');
  assert.equal(bad.status, 400);
  const badLimit = await call(mock, '/domains/example.com/resolutions?limit=0');
  assert.equal(badLimit.status, 400);
});

test('comments, IP relationships and unknown relationship names', async () => {
  const comments = await call(mock, `/files/${CLEAN_SHA256}/comments?limit=5`);
  assert.equal(comments.status, 200);
  assert.equal(comments.body.data.length, 5);
  assert.equal(comments.body.data[0].type, 'comment');
  assert.equal(typeof comments.body.data[0].attributes.date, 'number');
  const files = await call(mock, '/ip_addresses/8.8.8.8/communicating_files?limit=2');
  assert.equal(files.body.data[0].type, 'file');
  assert.match(files.body.data[0].id, /^[0-9a-f]{64}$/);
  const unknown = await call(mock, `/files/${CLEAN_SHA256}/nonsense`);
  assert.equal(unknown.status, 404);
  const ofMissing = await call(mock, `/files/${NOT_FOUND_SHA256}/comments`);
  assert.equal(ofMissing.status, 404);
});

test('a domain object has the attributes of a real one', { skip: needsFixture('domain-haiku-os-org.json') }, async () => {
  const { status, body } = await call(mock, '/domains/haiku-os.org');
  assert.equal(status, 200);
  const real = fixture('domain-haiku-os-org.json').data;
  assert.equal(body.data.type, 'domain');
  assert.equal(body.data.id, 'haiku-os.org');
  assert.equal(body.data.links.self, `${mock.url}/api/v3/domains/haiku-os.org`);
  for (const key of Object.keys(real.attributes)) assert.ok(key in body.data.attributes, `missing ${key}`);
  assert.deepEqual(Object.keys(body.data.attributes.last_analysis_stats).sort(), Object.keys(real.attributes.last_analysis_stats).sort());
  assert.deepEqual(body.data.attributes.last_analysis_stats, mockVerdict('domain', 'haiku-os.org').stats);
  assert.equal(body.data.attributes.tld, 'org');
  const soa = body.data.attributes.last_dns_records.find((r: { type: string }) => r.type === 'SOA');
  const realSoa = real.attributes.last_dns_records.find((r: { type: string }) => r.type === 'SOA');
  assert.deepEqual(Object.keys(soa).sort(), Object.keys(realSoa).sort());
  const invalid = await call(mock, '/domains/not_a_domain');
  assert.equal(invalid.status, 400);
});

test('an IP object has the attributes of a real one', { skip: needsFixture('ip-address-object.json') }, async () => {
  const { status, body } = await call(mock, '/ip_addresses/138.128.150.133');
  assert.equal(status, 200);
  const real = fixture('ip-address-object.json').data;
  assert.equal(body.data.type, 'ip_address');
  assert.equal(body.data.id, '138.128.150.133');
  for (const key of Object.keys(real.attributes)) assert.ok(key in body.data.attributes, `missing ${key}`);
  assert.equal(body.data.attributes.network, '138.128.150.0/24');
  assert.equal(typeof body.data.attributes.asn, 'number');
  const v6 = await call(mock, '/ip_addresses/2001:db8::1');
  assert.equal(v6.status, 200);
  const invalid = await call(mock, '/ip_addresses/999.1.1.1');
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, 'InvalidArgumentError');
});
