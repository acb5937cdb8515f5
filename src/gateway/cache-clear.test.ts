import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EICAR_MD5, EICAR_SHA256 } from '../mock/index.js';
import { relationshipPage } from './relationships.js';
import { openHarness } from './test-support/harness.js';

test('cache clear takes the cleared answers out of search: all of them, or one indicator', async () => {
  const h = await openHarness({ background: false });
  after(() => h.close());
  for (const input of ['example.org', 'example.net', '8.8.8.8']) await h.gateway.lookup(input);
  assert.equal((await h.gateway.search({})).total, 3, 'the index holds what was looked up');

  assert.equal(await h.gateway.cacheClear({ input: 'example.org' }), 1);
  const left = await h.gateway.search({});
  assert.deepEqual(left.items.map((r) => r.indicator).sort(), ['8.8.8.8', 'example.net']);
  assert.equal((await h.gateway.search({ q: 'example.org' })).total, 0);

  assert.equal(await h.gateway.cacheClear({}), 2);
  assert.equal((await h.gateway.search({})).total, 0, 'nothing cached, nothing found');
  await h.gateway.lookup('example.org');
  assert.equal((await h.gateway.search({})).total, 1, 'a new answer is indexed again');
});

test('cache clear takes the cached relationship pages too: one indicator (by any of its hashes), a kind, or all', async () => {
  const h = await openHarness({ background: false });
  after(() => h.close());
  const calls = () => Object.entries(h.mock.stats().byEndpoint).filter(([e]) => /\/\{relationship\}$/.test(e)).reduce((n, [, c]) => n + c, 0);
  const eicar = { collection: 'files' as const, id: EICAR_MD5, relationship: 'contacted_ips', limit: 3 };
  const domain = { collection: 'domains' as const, id: 'example.org', relationship: 'resolutions', limit: 3 };
  const ip = { collection: 'ip_addresses' as const, id: '8.8.8.8', relationship: 'communicating_files', limit: 3 };
  const fetchAll = async () => {
    for (const req of [eicar, domain, ip]) await relationshipPage(h.gateway, req);
  };
  await h.gateway.lookup(EICAR_MD5); // the file's hashes are known: clearing by its SHA-256 takes pages asked by MD5
  await fetchAll();
  assert.equal(calls(), 3);
  await fetchAll();
  assert.equal(calls(), 3, 'cached pages spend nothing');

  await h.gateway.cacheClear({ input: EICAR_SHA256 });
  assert.equal((await relationshipPage(h.gateway, eicar)).source, 'upstream', "the file's page was cleared");
  assert.equal((await relationshipPage(h.gateway, domain)).source, 'cache', 'the other pages stay');
  assert.equal(calls(), 4);

  await h.gateway.cacheClear({ kind: 'domain' });
  assert.equal((await relationshipPage(h.gateway, domain)).source, 'upstream');
  assert.equal((await relationshipPage(h.gateway, ip)).source, 'cache');

  await h.gateway.cacheClear({ provider: 'urlhaus' });
  assert.equal((await relationshipPage(h.gateway, ip)).source, 'cache', "another provider's clear leaves VirusTotal's pages");

  await h.gateway.cacheClear({});
  for (const req of [eicar, domain, ip]) assert.equal((await relationshipPage(h.gateway, req)).source, 'upstream', req.collection);
});
