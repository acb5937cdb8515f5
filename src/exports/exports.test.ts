import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { type TestServer, call, startTestServer } from '../http/test-support/harness.js';
import { CSV_COLUMNS } from './index.js';
import { COWRIE_FILE, COWRIE_IP, COWRIE_URL, EICAR_MD5, EICAR_SHA256, NASTY_NAMES, NASTY_SHA256, populate } from './test-support/populate.js';

const SECRET = 'urlhaus-secret-key-that-must-never-leak-0123456789';
let t: TestServer;

before(async () => {
  t = await startTestServer({ env: { URLHAUS_API_KEY: SECRET } });
  await populate(t.gateway);
});
after(() => t?.close());

test('search: filters, counts, cursor pages; bad input is a 400', async () => {
  const all = await call(t.url, '/api/search?limit=1000');
  assert.equal(all.status, 200);
  assert.ok(all.body.total >= 9, `total ${all.body.total}`);
  const files = await call(t.url, '/api/search?kind=file');
  const eicar = files.body.items.find((i: { id: string }) => i.id === EICAR_SHA256);
  assert.ok(eicar, 'EICAR looked up by md5 is indexed under its sha256');
  assert.equal(eicar.verdict, 'malicious');
  assert.equal(eicar.hashes.md5, EICAR_MD5);
  assert.equal(eicar.permalink, `https://www.virustotal.com/gui/file/${EICAR_SHA256}`);
  assert.ok(eicar.providers[0].engines > 0);
  assert.equal((await call(t.url, '/api/search?q=HYPERLINK')).body.items[0]?.id, NASTY_SHA256, 'free text over names');
  assert.equal((await call(t.url, '/api/search?source=cowrie:run-1&kind=ip')).body.items[0]?.indicator, COWRIE_IP);
  assert.equal((await call(t.url, '/api/search?tag=peexe')).body.total, 1);
  await t.gateway.watchlists.add('triage', [EICAR_MD5]);
  const watched = await call(t.url, '/api/search?source=watchlist:triage');
  assert.deepEqual(watched.body.items.map((i: { id: string }) => i.id), [EICAR_SHA256], 'a watchlist is a search source (a file under its sha256)');
  assert.equal((await call(t.url, '/api/search?label=mirai')).body.total, 1);
  const malicious = await call(t.url, '/api/search?verdict=malicious,suspicious&min_detections=1&since=30d');
  assert.ok(malicious.body.items.every((i: { verdict: string }) => i.verdict === 'malicious' || i.verdict === 'suspicious'));
  const p1 = await call(t.url, '/api/search?limit=2&sort=indicator');
  const p2 = await call(t.url, `/api/search?limit=2&sort=indicator&cursor=${p1.body.nextCursor}`);
  assert.equal(p2.body.total, p1.body.total);
  assert.ok(p2.body.items[0].indicator > p1.body.items[1].indicator);
  for (const bad of ['verdict=evil', 'cursor=junk', 'since=yesterday-ish', 'limit=0', 'kind=hash']) {
    const r = await call(t.url, `/api/search?${bad}`);
    assert.equal(r.status, 400, bad);
    assert.ok(r.body.error.code, bad);
  }
  const job = await t.gateway.createBatch(['example.org', EICAR_MD5]);
  await t.gateway.runBatch(job.id);
  const batch = await call(t.url, `/api/search?source=batch:${job.id}&sort=indicator`);
  assert.deepEqual(batch.body.items.map((i: { indicator: string }) => i.indicator), [EICAR_SHA256, 'example.org'], 'a batch id is a source');
  const upstream = t.gateway.stats();
  await call(t.url, '/api/search?q=x');
  assert.deepEqual(t.gateway.stats().upstreamCalls, upstream.upstreamCalls, 'search spends no quota');
});

test('CSV round-trips through a real CSV parser; formula cells are neutralised', async () => {
  const r = await call(t.url, '/api/export?format=csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
  assert.ok(r.text.includes('\r\n'), 'CRLF records');
  const rows = parse(r.text, { columns: true, relax_column_count: false }) as Array<Record<string, string>>;
  assert.deepEqual(Object.keys(rows[0]!), CSV_COLUMNS.map((c) => c.name));
  assert.equal(rows.length, Number(r.headers.get('x-total-count')));
  const nasty = rows.find((row) => row.indicator === NASTY_SHA256)!;
  const names = nasty.names!.split(' | ');
  assert.equal(names.length, NASTY_NAMES.length);
  for (const [i, name] of NASTY_NAMES.entries()) {
    const neutral = /^[=+\-@\t\r]/.test(name) ? `'${name}` : name;
    assert.equal(names[i], i === 0 ? neutral : names[i], 'first name is neutralised as a whole cell');
  }
  assert.ok(nasty.names!.startsWith("'=HYPERLINK"), 'a cell starting with = gets a leading quote');
  assert.ok(nasty.names!.includes('a,b "quoted"\r\nnext line'), 'commas, quotes and newlines survive');
  assert.equal(nasty.threat_label, `'=cmd|" /C calc"!A0`);
  for (const row of rows) for (const v of Object.values(row)) assert.ok(!/^[=+\-@\t\r]/.test(v), `unsafe cell ${v}`);
  assert.ok(!r.text.includes(SECRET));
});

test('NDJSON and JSON carry the full record with providers and permalink; IOC lists per kind; never a secret', async () => {
  const nd = await call(t.url, '/api/export?format=ndjson&kind=file');
  const records = nd.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, Number(nd.headers.get('x-total-count')));
  const eicar = records.find((x) => x.id === EICAR_SHA256);
  assert.ok(eicar.providers.length >= 1 && eicar.permalink);
  assert.equal(eicar.seq, undefined);
  const js = await call(t.url, '/api/export?format=json');
  assert.equal(js.body.items.length, js.body.total);
  const ioc = await call(t.url, '/api/export?format=ioc&kind=url');
  assert.ok(ioc.text.split('\n').includes(COWRIE_URL) === false, 'the Cowrie URL was never looked up, so it is only a neighbour');
  assert.ok(ioc.text.trim().split('\n').every((l) => l.startsWith('http')));
  const iocAll = await call(t.url, '/api/export?format=ioc');
  assert.match(iocAll.text, /^# file\n/);
  assert.ok(iocAll.text.includes(`\n${EICAR_SHA256}\n`) && iocAll.text.includes('# ip\n'));
  for (const text of [nd.text, js.text, iocAll.text]) assert.ok(!text.includes(SECRET) && !/apikey/i.test(text));
});

test('feeds: ETag / If-None-Match gives 304; after= returns only what changed', async () => {
  const first = await call(t.url, '/api/export?format=ndjson');
  const etag = first.headers.get('etag')!;
  const cursor = first.headers.get('x-feed-cursor')!;
  assert.ok(etag && cursor);
  const again = await call(t.url, '/api/export?format=ndjson', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const none = await call(t.url, `/api/export?format=ndjson&after=${cursor}`);
  assert.equal(none.text, '');
  await t.gateway.lookup('wikipedia.org');
  const changed = await call(t.url, `/api/export?format=ndjson&after=${cursor}`);
  assert.deepEqual(changed.text.trim().split('\n').map((l) => JSON.parse(l).indicator), ['wikipedia.org']);
  const stale = await call(t.url, '/api/export?format=ndjson', { headers: { 'if-none-match': etag } });
  assert.equal(stale.status, 200, 'the ETag changes when the index does');
});

test('related: Cowrie IP -> URL -> file, and the file to samples with the same label, with evidence', async () => {
  const r = await call(t.url, `/api/related/${COWRIE_IP}?depth=2`);
  assert.equal(r.status, 200);
  const keys = r.body.nodes.map((n: { key: string }) => n.key);
  assert.ok(keys.includes(`file:${COWRIE_FILE}`), JSON.stringify(keys));
  const download = r.body.edges.find((e: { relation: string }) => e.relation === 'cowrie_download');
  assert.equal(download.evidence.session, 'a1b2c3d4');
  assert.equal(download.evidence.source, 'cowrie');
  const url = r.body.nodes.find((n: { kind: string }) => n.kind === 'url');
  assert.equal(url.value, COWRIE_URL);
  const one = await call(t.url, `/api/related/${COWRIE_IP}?depth=1`);
  assert.ok(!one.body.nodes.some((n: { kind: string }) => n.kind === 'file'), 'depth 1 stops at the URL');
  const host = await call(t.url, '/api/related/http%3A%2F%2Fmalware.example%2Fdropper.sh');
  assert.ok(host.body.edges.some((e: { relation: string; target: string }) => e.relation === 'url_host' && e.target === 'domain:malware.example'));
  assert.equal((await call(t.url, '/api/related/not a thing')).status, 400);
});
