import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { CLEAN_SHA256, EICAR_STRING, type MockServer, startMock } from './index.js';
import { call, fixture, form } from './test-support/http.js';

const clock = new FakeClock(Date.UTC(2026, 0, 15, 12, 0, 0));
let mock: MockServer;
before(async () => {
  mock = await startMock({ profile: 'premium', clock, analysisSteps: { queuedMs: 20_000, inProgressMs: 40_000 } });
});
after(() => mock.close());

test('a file analysis goes queued -> in-progress -> completed on the clock', async () => {
  const content = Buffer.from(`X ${EICAR_STRING}`);
  const up = await call(mock, '/files', { method: 'POST', body: form({ file: new Blob([content]) }) });
  const id = up.body.data.id;
  const queued = await call(mock, `/analyses/${encodeURIComponent(id)}`);
  assert.equal(queued.status, 200);
  const real = fixture('analysis-file-queued.json');
  assert.deepEqual(Object.keys(queued.body).sort(), Object.keys(real).sort());
  assert.deepEqual(Object.keys(queued.body.data.attributes).sort(), Object.keys(real.data.attributes).sort());
  assert.deepEqual(Object.keys(queued.body.meta.file_info).sort(), Object.keys(real.meta.file_info).sort());
  assert.equal(queued.body.data.attributes.status, 'queued');
  assert.deepEqual(queued.body.data.attributes.results, {});
  assert.ok(Object.values(queued.body.data.attributes.stats).every((n) => n === 0));
  assert.equal(Object.keys(queued.body.data.attributes.stats).length, 8);
  assert.equal(queued.body.data.attributes.date, Math.floor(clock.now() / 1000));
  const sha = createHash('sha256').update(content).digest('hex');
  assert.deepEqual(queued.body.meta.file_info, {
    sha256: sha,
    md5: createHash('md5').update(content).digest('hex'),
    sha1: createHash('sha1').update(content).digest('hex'),
    size: content.length,
  });
  assert.equal(queued.body.data.links.item, `${mock.url}/api/v3/files/${sha}`);
  assert.equal(queued.body.data.links.self, `${mock.url}/api/v3/analyses/${id}`);

  await clock.advance(20_000);
  const running = await call(mock, `/analyses/${id}`);
  assert.equal(running.body.data.attributes.status, 'in-progress');
  assert.deepEqual(running.body.data.attributes.results, {});

  await clock.advance(40_000);
  const done = await call(mock, `/analyses/${id}`);
  assert.equal(done.body.data.attributes.status, 'completed');
  assert.equal(done.body.data.attributes.stats.malicious, 62);
  assert.equal(Object.values(done.body.data.attributes.results).filter((r) => (r as { category: string }).category === 'malicious').length, 62);

  const item = await call(mock, `/analyses/${id}/item`);
  assert.equal(item.status, 200);
  assert.equal(item.body.data.type, 'file');
  assert.equal(item.body.data.id, sha);
  assert.equal(item.body.data.attributes.last_analysis_date, done.body.data.attributes.date);
});

test('a URL analysis carries meta.url_info and completes with 5-key stats', async () => {
  const url = 'https://www.irctc.co.in/';
  const up = await call(mock, '/urls', { method: 'POST', body: new URLSearchParams({ url }) });
  const id = up.body.data.id;
  const queued = await call(mock, `/analyses/${id}`);
  const real = fixture('analysis-url-queued.json');
  assert.deepEqual(Object.keys(queued.body).sort(), Object.keys(real).sort());
  assert.deepEqual(queued.body.meta.url_info, real.meta.url_info, 'same id and url as VirusTotal');
  assert.equal(queued.body.data.links.item, `${mock.url}/api/v3/urls/${real.meta.url_info.id}`);
  assert.equal(queued.body.data.attributes.status, 'queued');
  await clock.advance(60_000);
  const done = await call(mock, `/analyses/${id}`);
  assert.equal(done.body.data.attributes.status, 'completed');
  assert.deepEqual(Object.keys(done.body.data.attributes.stats).sort(), Object.keys(real.data.attributes.stats).sort());
  const total = Object.values(done.body.data.attributes.stats as Record<string, number>).reduce((a, b) => a + b, 0);
  assert.equal(Object.keys(done.body.data.attributes.results).length, total);
  const item = await call(mock, `/analyses/${id}/item`);
  assert.equal(item.body.data.type, 'url');
  assert.equal(item.body.data.attributes.url, url);
});

test('f-<sha256>-<ts> ids are understood; unknown ids are 404', async () => {
  const ts = Math.floor(clock.now() / 1000) - 3600;
  const res = await call(mock, `/analyses/f-${CLEAN_SHA256}-${ts}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.data.attributes.status, 'completed');
  assert.equal(res.body.meta.file_info.sha256, CLEAN_SHA256);
  const missing = await call(mock, '/analyses/nonsense!');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'NotFoundError');
});

test('an md5-form analysis id of an upload this simulator never saw is unknown (404), not a guessed item', async () => {
  const md5 = createHash('md5').update('uploaded to another process').digest('hex');
  const id = Buffer.from(`${md5}:${Math.floor(clock.now() / 1000)}`).toString('base64');
  const res = await call(mock, `/analyses/${encodeURIComponent(id)}`);
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'NotFoundError');
  assert.equal((await call(mock, `/analyses/${encodeURIComponent(id)}/item`)).status, 404);
});

test('a rescan analysis completes and moves the file last_analysis_date', async () => {
  const before = await call(mock, `/files/${CLEAN_SHA256}`);
  const rescan = await call(mock, `/files/${CLEAN_SHA256}/analyse`, { method: 'POST' });
  await clock.advance(60_000);
  const done = await call(mock, `/analyses/${rescan.body.data.id}`);
  assert.equal(done.body.data.attributes.status, 'completed');
  assert.deepEqual(done.body.data.attributes.stats, before.body.data.attributes.last_analysis_stats);
  const after = await call(mock, `/files/${CLEAN_SHA256}`);
  assert.equal(after.body.data.attributes.last_analysis_date, done.body.data.attributes.date);
  assert.ok(after.body.data.attributes.last_analysis_date > before.body.data.attributes.last_analysis_date);
});
