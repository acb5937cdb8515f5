// Every answer names the object's page on VirusTotal (`permalink`): lookups on both paths, batch rows, /api/v3 objects, enrich.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { EICAR_MD5, EICAR_SHA256, EICAR_STRING } from '../mock/index.js';
import { call, until, withUpstreamServer } from './test-support/harness.js';

const up = withUpstreamServer();
const GUI = 'https://www.virustotal.com/gui';
const URL_ASKED = 'http://malware.example.com/permalink.exe';
const URL_ID = createHash('sha256').update(URL_ASKED).digest('hex');

describe('permalink', () => {
  test('/api/lookup and the per-kind paths (routed and fast) carry it; a file by MD5 is named by its SHA-256', async () => {
    const cases: Array<[string, string]> = [
      [`/api/lookup?q=${EICAR_MD5}`, `${GUI}/file/${EICAR_SHA256}`],
      [`/api/files/${EICAR_MD5}`, `${GUI}/file/${EICAR_SHA256}`],
      [`/api/lookup/${EICAR_SHA256}`, `${GUI}/file/${EICAR_SHA256}`],
      [`/api/lookup?q=${encodeURIComponent(URL_ASKED)}`, `${GUI}/url/${URL_ID}`],
      [`/api/urls/${URL_ID}`, `${GUI}/url/${URL_ID}`],
      ['/api/lookup/example.com', `${GUI}/domain/example.com`],
      ['/api/domains/example.com', `${GUI}/domain/example.com`],
      ['/api/lookup?q=8.8.8.8', `${GUI}/ip-address/8.8.8.8`],
      ['/api/ip_addresses/8.8.8.8', `${GUI}/ip-address/8.8.8.8`],
    ];
    for (const [path, link] of cases) {
      const r = await call(up.server.url, path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      assert.equal(r.body.permalink, link, path);
    }
  });

  test('batch result rows carry it', async () => {
    const created = await call(up.server.url, '/api/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ indicators: [EICAR_MD5, 'example.org', '9.9.9.9'] }),
    });
    assert.equal(created.status, 202, created.text);
    const id = created.body.job.id;
    await until(async () => ((await call(up.server.url, `/api/batch/${id}`)).body.job.status === 'completed' ? true : undefined));
    const rows = (await call(up.server.url, `/api/batch/${id}/results`)).text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.map((r) => r.result.permalink),
      [`${GUI}/file/${EICAR_SHA256}`, `${GUI}/domain/example.org`, `${GUI}/ip-address/9.9.9.9`],
    );
  });

  test('/api/v3 objects carry it beside data; scans and enrich carry it', async () => {
    const v3 = await call(up.server.url, `/api/v3/files/${EICAR_MD5}`);
    assert.equal(v3.status, 200, v3.text);
    assert.equal(v3.body.data.id, EICAR_SHA256);
    assert.equal(v3.body.permalink, `${GUI}/file/${EICAR_SHA256}`);
    const ip = await call(up.server.url, '/api/v3/ip_addresses/8.8.4.4');
    assert.equal(ip.body.permalink, `${GUI}/ip-address/8.8.4.4`);
    const form = new FormData();
    form.append('file', new Blob([EICAR_STRING]), 'eicar.com');
    const known = await call(up.server.url, '/api/scan/file', { method: 'POST', body: form });
    assert.equal(known.status, 200, known.text);
    assert.equal(known.body.permalink, `${GUI}/file/${EICAR_SHA256}`);
    const scanned = await call(up.server.url, '/api/scan/url', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: URL_ASKED }) });
    assert.equal(scanned.status, 200, scanned.text);
    assert.equal(scanned.body.permalink, `${GUI}/url/${URL_ID}`);
    const enrich = await call(up.server.url, `/api/enrich/${EICAR_MD5}`);
    assert.equal(enrich.status, 200, enrich.text);
    assert.equal(enrich.body.permalink, `${GUI}/file/${EICAR_SHA256}`);
  });
});
