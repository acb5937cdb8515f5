import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  CLEAN_SHA256,
  EICAR_MD5,
  EICAR_SHA1,
  EICAR_SHA256,
  EICAR_STRING,
  MALICIOUS_SHA256,
  NOT_FOUND_SHA256,
  type MockServer,
  mockVerdict,
  startMock,
} from './index.js';
import { call, fixture, form, needsFixture } from './test-support/http.js';

let mock: MockServer;
before(async () => {
  mock = await startMock({ profile: 'premium', maxDirectUploadBytes: 10_000 });
});
after(() => mock.close());

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

function dateAttributes(attributes: Record<string, unknown>): string[] {
  return Object.keys(attributes).filter((k) => k.endsWith('_date') || k === 'date');
}

test('a file object has every attribute of a real VT file object, and matching stats and results', { skip: needsFixture('file-clean-dos-com.json') }, async () => {
  const { status, headers, body } = await call(mock, `/files/${CLEAN_SHA256}`);
  assert.equal(status, 200);
  assert.equal(headers.get('content-type'), 'application/json');
  const real = fixture('file-clean-dos-com.json').data;
  const data = body.data;
  assert.equal(data.type, 'file');
  assert.equal(data.id, CLEAN_SHA256);
  assert.equal(data.links.self, `${mock.url}/api/v3/files/${CLEAN_SHA256}`);
  for (const key of Object.keys(real.attributes)) assert.ok(key in data.attributes, `missing attribute ${key}`);
  assert.deepEqual(Object.keys(data.attributes.last_analysis_stats).sort(), Object.keys(real.attributes.last_analysis_stats as object).sort());
  const realEntry = Object.values(real.attributes.last_analysis_results as Record<string, object>)[0] as object;
  const realEngines = new Set(Object.keys(real.attributes.last_analysis_results as object));
  const counted: Record<string, number> = {};
  for (const [engine, entry] of Object.entries(data.attributes.last_analysis_results as Record<string, Record<string, unknown>>)) {
    assert.ok(realEngines.has(engine), `unknown engine ${engine}`);
    assert.deepEqual(Object.keys(entry).sort(), Object.keys(realEntry).sort());
    counted[entry.category as string] = (counted[entry.category as string] ?? 0) + 1;
  }
  for (const [category, n] of Object.entries(data.attributes.last_analysis_stats as Record<string, number>)) {
    assert.equal(counted[category] ?? 0, n, `results for ${category}`);
  }
  assert.equal(data.attributes.last_analysis_stats.malicious, 0);
  assert.equal(data.attributes.last_analysis_stats.suspicious, 0);
  for (const k of dateAttributes(data.attributes)) assert.ok(Number.isInteger(data.attributes[k]), `${k} is integer seconds`);
  assert.equal(data.attributes.md5, md5(CLEAN_SHA256), 'md5 derived from the id string');
});

test('EICAR by md5, sha1 and sha256 is one object, detected as on VirusTotal', async () => {
  for (const hash of [EICAR_MD5, EICAR_SHA1, EICAR_SHA256]) {
    const { status, body } = await call(mock, `/files/${hash}`);
    assert.equal(status, 200);
    const a = body.data.attributes;
    assert.equal(body.data.id, EICAR_SHA256);
    assert.deepEqual([a.md5, a.sha1, a.sha256], [EICAR_MD5, EICAR_SHA1, EICAR_SHA256]);
    assert.equal(a.last_analysis_stats.malicious, 62);
    assert.equal(a.last_analysis_stats['type-unsupported'], 9);
    assert.equal(a.last_analysis_stats.undetected, 2);
    assert.equal(a.size, 68);
    assert.equal(a.type_tag, 'text');
    assert.equal(a.popular_threat_classification.suggested_threat_label, 'virus.eicar/test');
  }
});

test('a malicious sample carries popular_threat_classification shaped like the real one', { skip: needsFixture('file-malicious-popular-threat.json') }, async () => {
  const { body } = await call(mock, `/files/${MALICIOUS_SHA256}`);
  const a = body.data.attributes;
  const real = fixture('file-malicious-popular-threat.json').data.attributes.popular_threat_classification as Record<string, unknown>;
  assert.ok(a.last_analysis_stats.malicious > 0);
  assert.deepEqual(Object.keys(a.popular_threat_classification).sort(), Object.keys(real).sort());
  assert.equal(a.popular_threat_classification.suggested_threat_label, mockVerdict('file', MALICIOUS_SHA256).threatLabel);
  const detected = Object.values(a.last_analysis_results as Record<string, { category: string; result: string | null }>).filter(
    (r) => r.category === 'malicious',
  );
  assert.equal(detected.length, a.last_analysis_stats.malicious);
  assert.ok(detected.every((r) => typeof r.result === 'string' && r.result.length > 0));
  assert.ok(a.reputation < 0);
});

test('an unknown sample answers 404 NotFoundError like the real body', async () => {
  const { status, body } = await call(mock, `/files/${NOT_FOUND_SHA256}`);
  assert.equal(status, 404);
  assert.deepEqual(body, { error: { message: `File "${NOT_FOUND_SHA256}" not found`, code: 'NotFoundError' } });
  assert.deepEqual(Object.keys(body.error).sort(), Object.keys(fixture('error-not-found.json').error).sort());
});

test('a sample first looked up by md5 keeps that md5, and its sha256 finds the same object', async () => {
  let knownMd5 = '';
  for (let i = 0; i < 100 && !knownMd5; i++) {
    const candidate = md5(`sample ${i}`);
    if (mockVerdict('file', candidate).found) knownMd5 = candidate;
  }
  const byMd5 = await call(mock, `/files/${knownMd5.toUpperCase()}`);
  assert.equal(byMd5.status, 200);
  assert.equal(byMd5.body.data.attributes.md5, knownMd5);
  assert.equal(byMd5.body.data.id, mockVerdict('file', knownMd5).id);
  const bySha256 = await call(mock, `/files/${byMd5.body.data.id}`);
  assert.deepEqual(bySha256.body, byMd5.body);
  const bySha1 = await call(mock, `/files/${byMd5.body.data.attributes.sha1}`);
  assert.deepEqual(bySha1.body, byMd5.body);
});

/** Content whose hash the simulator would not know before an upload. */
function unknownContent(): Buffer {
  for (let i = 0; i < 200; i++) {
    const content = Buffer.from(`#!/bin/sh\necho never seen ${i}\n`);
    if (!mockVerdict('file', sha256(content)).found) return content;
  }
  throw new Error('no unknown content found');
}

test('POST /files makes the uploaded content known by its real hashes', async () => {
  const content = unknownContent();
  const hash = sha256(content);
  assert.equal((await call(mock, `/files/${hash}`)).status, 404);
  const { status, body } = await call(mock, '/files', { method: 'POST', body: form({ file: new Blob([content]) }, 'dropper.sh') });
  assert.equal(status, 200);
  assert.equal(body.data.type, 'analysis');
  const [digest, ts] = Buffer.from(body.data.id, 'base64').toString().split(':');
  assert.equal(digest, md5(content));
  assert.match(ts ?? '', /^\d{10}$/);
  assert.equal(Buffer.from(`${digest}:${ts}`).toString('base64'), body.data.id, 'standard padded base64');
  assert.equal(body.data.links.self, `${mock.url}/api/v3/analyses/${body.data.id}`);
  const file = await call(mock, `/files/${md5(content)}`);
  assert.equal(file.status, 200);
  assert.equal(file.body.data.id, hash);
  assert.equal(file.body.data.attributes.size, content.length);
  assert.equal(file.body.data.attributes.sha1, createHash('sha1').update(content).digest('hex'));
  assert.equal(file.body.data.attributes.type_tag, 'shell');
  assert.deepEqual(file.body.data.attributes.names, ['dropper.sh']);
  assert.equal(file.body.data.attributes.first_submission_date, Number(ts));
});

test('uploads of content nobody looked up before are new and undetected, whatever their hash derives', async () => {
  const contents = ['hello world\n', ...Array.from({ length: 20 }, (_, i) => Buffer.from(createHash('sha512').update(`random ${i}`).digest()))];
  for (const content of contents) {
    const up = await call(mock, '/files', { method: 'POST', body: form({ file: new Blob([content]) }, 'x.bin') });
    assert.equal(up.status, 200);
    const file = await call(mock, `/files/${sha256(content)}`);
    const a = file.body.data.attributes;
    assert.equal(a.last_analysis_stats.malicious, 0, `${sha256(content)} malicious`);
    assert.equal(a.last_analysis_stats.suspicious, 0);
    assert.equal(a.times_submitted, 1, 'first seen at this upload');
  }
});

test('uploaded content holding the EICAR string is detected', async () => {
  const content = Buffer.from(`some text before\n${EICAR_STRING}\nand after`);
  const up = await call(mock, '/files', { method: 'POST', body: form({ file: new Blob([content]) }) });
  assert.equal(up.status, 200);
  const { body } = await call(mock, `/files/${sha256(content)}`);
  assert.equal(body.data.attributes.last_analysis_stats.malicious, 62);
  assert.equal(body.data.attributes.popular_threat_classification.suggested_threat_label, 'virus.eicar/test');
});

test('GET /files/upload_url gives a one-time absolute URL on the simulator', async () => {
  const { status, body } = await call(mock, '/files/upload_url');
  assert.equal(status, 200);
  assert.ok(typeof body.data === 'string' && body.data.startsWith(`${mock.url}/`));
  const content = Buffer.from('upload url content');
  const first = await call(mock, body.data, { method: 'POST', body: form({ file: new Blob([content]) }) });
  assert.equal(first.status, 200);
  assert.equal(Buffer.from(first.body.data.id, 'base64').toString().split(':')[0], md5(content));
  const again = await call(mock, body.data, { method: 'POST', body: form({ file: new Blob([content]) }) });
  assert.equal(again.status, 400);
  assert.equal(again.body.error.code, 'BadRequestError');
  const bogus = await call(mock, `${mock.url}/_upload/not-a-token`, { method: 'POST', body: form({ file: new Blob([content]) }) });
  assert.equal(bogus.status, 404);
  assert.equal(bogus.body.error.code, 'NotFoundError');
});

test('a 33 MB file goes through an upload URL and is hashed exactly', async () => {
  const content = Buffer.alloc(33 * 1024 * 1024);
  for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i);
  const { body: url } = await call(mock, '/files/upload_url');
  const up = await call(mock, url.data, { method: 'POST', body: form({ file: new Blob([content]) }, 'big.bin') });
  assert.equal(up.status, 200);
  const file = await call(mock, `/files/${sha256(content)}`);
  assert.equal(file.status, 200);
  assert.equal(file.body.data.attributes.size, content.length);
  assert.equal(file.body.data.attributes.md5, md5(content));
});

test('a password is refused for a file that is not a ZIP, accepted with a ZIP', async () => {
  const notZip = await call(mock, '/files', { method: 'POST', body: form({ password: 'infected', file: new Blob(['plain text']) }) });
  assert.equal(notZip.status, 400);
  assert.equal(notZip.body.error.code, 'BadRequestError');
  // The smallest ZIP there is (an end-of-central-directory record): the simulator checks the magic only.
  const zip = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]);
  const ok = await call(mock, '/files', { method: 'POST', body: form({ file: new Blob([zip]), password: 'password' }, 'test.zip') });
  assert.equal(ok.status, 200);
  const file = await call(mock, `/files/${sha256(zip)}`);
  assert.equal(file.body.data.attributes.type_tag, 'zip');
});

test('uploads over the limits answer 413, and malformed uploads 400', async () => {
  const tooBig = await call(mock, '/files', { method: 'POST', body: form({ file: new Blob([Buffer.alloc(12_000, 1)]) }) });
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.body.error.code, 'RequestEntityTooLargeError');
  const notMultipart = await call(mock, '/files', { method: 'POST', body: 'file=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(notMultipart.status, 400);
  const noFile = await call(mock, '/files', { method: 'POST', body: form({ other: 'x' }) });
  assert.equal(noFile.status, 400);
  assert.match(noFile.body.error.message, /"file"/);
});

test('the upload URL has its own, larger limit', async () => {
  const small = await startMock({ profile: 'premium', maxUploadBytes: 2000 });
  try {
    const { body } = await call(small, '/files/upload_url');
    const up = await call(small, body.data, { method: 'POST', body: form({ file: new Blob([Buffer.alloc(3000, 2)]) }) });
    assert.equal(up.status, 413);
  } finally {
    await small.close();
  }
});

test('POST /files/{id}/analyse returns an analysis descriptor; unknown files 404', async () => {
  const { status, body } = await call(mock, `/files/${CLEAN_SHA256}/analyse`, { method: 'POST' });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body.data).sort(), Object.keys(fixture('analysis-descriptor-file-rescan.json').data).sort());
  assert.equal(Buffer.from(body.data.id, 'base64').toString().split(':')[0], md5(CLEAN_SHA256));
  const missing = await call(mock, `/files/${NOT_FOUND_SHA256}/analyse`, { method: 'POST' });
  assert.equal(missing.status, 404);
});
