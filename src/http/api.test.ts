// The /api surface in open mode (no tokens): every route answers what a user expects, bad input is a 4xx.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { CLEAN_SHA256, EICAR_MD5, EICAR_SHA256, EICAR_STRING, NOT_FOUND_SHA256, startMock } from '../mock/index.js';
import { createApp } from './app.js';
import { call, startTestServer, until, withUpstreamServer } from './test-support/harness.js';
import { upstreamCalls, upstreamEnv } from './test-support/upstream.js';

const up = withUpstreamServer();

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('lookups', () => {
  test('a file is fetched once, then answered from the cache, also under its other hashes', async () => {
    const first = await call(up.server.url, `/api/files/${EICAR_MD5}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.source, 'upstream');
    assert.equal(first.headers.get('x-vtg-source'), 'upstream');
    assert.equal(first.body.report.verdict, 'malicious');
    assert.equal(first.body.indicator.kind, 'file');
    const before = upstreamCalls(up.mock, 'GET /files/{id}');
    const again = await call(up.server.url, `/api/files/${EICAR_MD5.toUpperCase()}`);
    const bySha = await call(up.server.url, `/api/report/${EICAR_SHA256}`);
    assert.equal(again.body.source, 'cache');
    assert.equal(bySha.body.source, 'cache');
    assert.equal(bySha.body.report.verdict, 'malicious');
    assert.equal(upstreamCalls(up.mock, 'GET /files/{id}'), before, 'cache hits make no upstream call');
    assert.match(first.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('the raw fast path and the routed app answer a lookup identically', async () => {
    const fromServer = await call(up.server.url, `/api/files/${EICAR_SHA256}`, { headers: { 'x-request-id': 'req-fast-1' } });
    assert.equal(fromServer.headers.get('x-request-id'), 'req-fast-1');
    const app = createApp(up.server.gateway, { logStream: new PassThrough() });
    const routed = await app.request(`/api/files/${EICAR_SHA256}`, { headers: { 'x-request-id': 'req-routed-1' } });
    assert.equal(routed.status, 200);
    assert.equal(routed.headers.get('x-request-id'), 'req-routed-1');
    assert.equal(routed.headers.get('x-vtg-source'), 'cache');
    const body = (await routed.json()) as Record<string, unknown>;
    assert.deepEqual({ ...body, ageMs: 0 }, { ...fromServer.body, ageMs: 0 });
    // percent-encoded ids are not on the fast path: the routed app decodes them
    const encoded = await call(up.server.url, `/api/files/${EICAR_SHA256.replace('2', '%32')}`);
    assert.equal(encoded.status, 200);
    assert.equal(encoded.body.report.id, EICAR_SHA256);
    const head = await fetch(`${up.server.url}/api/files/${EICAR_SHA256}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('maxAge=0 forces a fresh answer', async () => {
    await call(up.server.url, `/api/files/${CLEAN_SHA256}`);
    const n = upstreamCalls(up.mock, 'GET /files/{id}');
    const fresh = await call(up.server.url, `/api/files/${CLEAN_SHA256}?maxAge=0`);
    assert.equal(fresh.body.source, 'upstream');
    assert.equal(upstreamCalls(up.mock, 'GET /files/{id}'), n + 1);
  });

  test('an unknown file is a 200 answer saying not found', async () => {
    const r = await call(up.server.url, `/api/files/${NOT_FOUND_SHA256}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.report.found, false);
    assert.equal(r.body.report.verdict, 'not_found');
  });

  test('every lookup path reads its kind, URLs by the URL, its sha256 or its base64url id', async () => {
    const url = 'http://malware.example.com/payload.exe';
    const sha = createHash('sha256').update(url).digest('hex');
    const b64 = Buffer.from(url).toString('base64url');
    const cases: Array<[string, string]> = [
      ['/api/lookup?q=hxxp://malware[.]example[.]com/payload.exe', 'url'],
      [`/api/lookup/${url}`, 'url'],
      [`/api/urls?url=${encodeURIComponent(url)}`, 'url'],
      [`/api/urls/${b64}`, 'url'],
      [`/api/report/url/${b64}`, 'url'],
      ['/api/lookup/example.org', 'domain'],
      ['/api/domains/example.org', 'domain'],
      ['/api/reputation/domain/example.org', 'domain'],
      ['/api/ip_addresses/8.8.8.8', 'ip'],
      ['/api/reputation/ip/8.8.4.4', 'ip'],
    ];
    for (const [path, kind] of cases) {
      const r = await call(up.server.url, path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      assert.equal(r.body.indicator.kind, kind, path);
    }
    const bySha = await call(up.server.url, `/api/urls/${sha}`);
    assert.equal(bySha.status, 200);
    assert.equal(bySha.body.indicator.kind, 'url');
    assert.equal(bySha.body.report.id, sha);
  });

  test('bad indicators and bad options are 400s with a reason', async () => {
    const cases: Array<[string, string]> = [
      ['/api/files/not-a-hash', 'InvalidIndicator'],
      ['/api/files/..%2F..%2Fetc%2Fpasswd', 'InvalidIndicator'],
      ['/api/ip_addresses/10.1.2.3', 'InvalidIndicator'],
      ['/api/domains/-bad-.example', 'InvalidIndicator'],
      ['/api/urls/%00%01', 'InvalidIndicator'],
      ['/api/lookup?q=', 'BadRequest'],
      [`/api/files/${EICAR_MD5}?maxAge=-5`, 'BadRequest'],
      [`/api/files/${EICAR_MD5}?allowStale=maybe`, 'BadRequest'],
      [`/api/files/${EICAR_MD5}?provider=nope`, 'BadRequest'],
    ];
    for (const [path, code] of cases) {
      const r = await call(up.server.url, path);
      assert.equal(r.status, 400, `${path}: ${r.text}`);
      assert.equal(r.body.error.code, code, path);
      assert.equal(typeof r.body.error.message, 'string');
    }
  });

  test('enrich merges every configured provider and says why the others were skipped', async () => {
    const r = await call(up.server.url, '/api/enrich/8.8.8.8');
    assert.equal(r.status, 200);
    const vt = r.body.sources.find((s: { provider: string }) => s.provider === 'virustotal');
    assert.equal(vt.ok, true);
    const spur = r.body.sources.find((s: { provider: string }) => s.provider === 'spur');
    assert.match(spur.skipped, /SPUR_API_KEY/);
    assert.equal((await call(up.server.url, '/api/enrich/8.8.8.8?providers=virustotal,nope')).status, 400);
  });
});

describe('scans and analyses', () => {
  function upload(content: string | Buffer, fields: Record<string, string> = {}, name = 'sample.bin'): RequestInit {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([content]), name);
    return { method: 'POST', body: form };
  }

  test('a known file is answered from its report; force uploads it; the analysis completes', async () => {
    const known = await call(up.server.url, '/api/scan/file', upload(EICAR_STRING, {}, 'eicar.com'));
    assert.equal(known.status, 200, known.text);
    assert.equal(known.body.submitted, false);
    assert.equal(known.body.report.report.verdict, 'malicious');

    const content = randomBytes(4096);
    const forced = await call(up.server.url, '/api/scan/file?force=true', upload(content));
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.body.submitted, true);
    assert.equal(forced.body.size, 4096);
    assert.equal(forced.body.target, createHash('sha256').update(content).digest('hex'));
    const analysis = await until(async () => {
      const r = await call(up.server.url, `${forced.body.analysis}?wait=5`);
      assert.equal(r.status, 200);
      return r.body.status === 'completed' ? r : undefined;
    });
    assert.equal(analysis.body.id, forced.body.analysisId);
  });

  test('URLs are submitted as JSON (a form is refused: it is what a cross-site page sends; /api/v3/urls takes forms)', async () => {
    const a = await call(up.server.url, '/api/scan/url', json({ url: 'http://scan-me.example.net/a' }));
    assert.equal(a.status, 200, a.text);
    assert.match(a.body.analysisId, /^u-[0-9a-f]{64}-\d+$/);
    const b = await call(up.server.url, '/api/scan/url', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'url=http%3A%2F%2Fscan-me.example.net%2Fb',
    });
    assert.equal(b.status, 415, b.text);
    assert.equal((await call(up.server.url, '/api/scan/url', json({ url: 'not a url at all' }))).status, 400);
  });

  test('broken uploads are 4xx: no file part, truncated body, not multipart', async () => {
    const noFile = new FormData();
    noFile.append('password', 'x');
    const r1 = await call(up.server.url, '/api/scan/file', { method: 'POST', body: noFile });
    assert.equal(r1.status, 400);
    assert.equal(r1.body.error.code, 'MissingFile');
    const r2 = await call(up.server.url, '/api/scan/file', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
    });
    assert.equal(r2.status, 400);
    assert.equal(r2.body.error.code, 'BadMultipart');
    const r3 = await call(up.server.url, '/api/scan/file', json({ file: 'x' }));
    assert.equal(r3.status, 400);
  });
});

describe('operations, cache and history', () => {
  test('health, quota, providers and stats describe the gateway', async () => {
    const health = await call(up.server.url, '/api/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.mock, false);
    assert.equal(health.body.keyConfigured, true);
    const quota = await call(up.server.url, '/api/quota');
    assert.equal(quota.body.provider, 'virustotal');
    assert.ok(quota.body.windows.some((w: { window: string }) => w.window === 'day'));
    assert.equal(quota.body.etaMs, undefined, 'an ETA only when calls are given');
    const stats = await call(up.server.url, '/api/stats');
    assert.ok(stats.body.cacheHits >= 1);
    assert.ok(stats.body.upstreamCalls >= 1);
    const providers = await call(up.server.url, '/api/providers');
    assert.equal(providers.body.providers.find((p: { name: string }) => p.name === 'virustotal').enabled, true);
  });

  test("quota?calls=N&priority=P adds the governor's ETA for N more calls (the one estimate, with the reserve and every window)", async () => {
    const none = await call(up.server.url, '/api/quota?calls=0&priority=batch');
    assert.equal(none.status, 200);
    assert.equal(none.body.etaMs, 0);
    // more calls than the month allows at batch priority: later than a few, never sooner
    const month = up.server.gateway.config.virustotal.limits.month ?? 1_000_000;
    const many = await call(up.server.url, `/api/quota?provider=virustotal&calls=${month * 2}&priority=batch`);
    const few = await call(up.server.url, '/api/quota?provider=virustotal&calls=1&priority=interactive');
    assert.equal(typeof many.body.etaMs, 'number');
    assert.ok(many.body.etaMs > 0);
    assert.ok(many.body.etaMs >= few.body.etaMs);
    assert.equal((await call(up.server.url, '/api/quota?calls=-1')).status, 400);
    assert.equal((await call(up.server.url, '/api/quota?calls=3&priority=urgent')).status, 400);
  });

  test('cache info, list (paged), clear by indicator, prune', async () => {
    await call(up.server.url, '/api/domains/cache-me.example.com');
    const info = await call(up.server.url, '/api/cache/info');
    assert.ok(info.body.entries.domain >= 1);
    const page1 = await call(up.server.url, '/api/cache/list?kind=domain&limit=1');
    assert.equal(page1.body.items.length, 1);
    assert.equal(page1.body.items[0].report.data, undefined, 'raw objects only with full=true');
    const full = await call(up.server.url, '/api/cache/list?kind=domain&limit=1&full=true');
    assert.equal(typeof full.body.items[0].report.data, 'object');
    const cleared = await call(up.server.url, '/api/cache?indicator=cache-me.example.com', { method: 'DELETE' });
    assert.equal(cleared.status, 200);
    assert.ok(cleared.body.removed >= 1);
    const again = await call(up.server.url, '/api/domains/cache-me.example.com');
    assert.equal(again.body.source, 'upstream');
    const prune = await call(up.server.url, '/api/cache/prune', { method: 'POST' });
    assert.equal(prune.status, 200);
    assert.equal(typeof prune.body.removed.total, 'number');
    assert.equal((await call(up.server.url, '/api/cache/list?kind=nope')).status, 400);
  });

  test('a verdict change shows in the indicator history, recent observations and changes', async () => {
    const domain = 'flips.example.com';
    up.mock.setVerdict('domain', domain, { harmless: 60 });
    await call(up.server.url, `/api/domains/${domain}`);
    up.mock.setVerdict('domain', domain, { malicious: 20 });
    const fresh = await call(up.server.url, `/api/domains/${domain}?maxAge=0`);
    assert.equal(fresh.body.report.verdict, 'malicious');
    const history = await call(up.server.url, `/api/history/${domain}`);
    assert.equal(history.status, 200);
    assert.equal(history.body.observations.length, 2);
    assert.equal(history.body.changes[0].to.verdict, 'malicious');
    const byQ = await call(up.server.url, `/api/history?q=${domain}`);
    assert.equal(byQ.body.observations.length, 2);
    const changes = await call(up.server.url, '/api/history/changes?limit=10');
    assert.ok(changes.body.changes.some((c: { id: string }) => c.id === domain));
    const recent = await call(up.server.url, '/api/history/recent?limit=5');
    assert.ok(recent.body.observations.length >= 1);
  });

  test('metrics expose quota, requests and cache counters in Prometheus text', async () => {
    const r = await call(up.server.url, '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(r.text, /vtg_quota_used\{provider="virustotal",window="day"\} \d+/);
    assert.match(r.text, /vtg_http_requests_total\{method="GET",route="\/api\/files\/:hash",status="200"\} \d+/);
    assert.match(r.text, /vtg_cache_hits_total\{tier="memory"\} \d+/);
    assert.match(r.text, /vtg_upstream_calls_total [1-9]/);
  });
});

describe('batches', () => {
  test('a JSON batch runs in the background and streams its results as NDJSON', async () => {
    const created = await call(up.server.url, '/api/batch', json({ indicators: [EICAR_MD5, 'example.com', 'not an indicator', '8.8.8.8'] }));
    assert.equal(created.status, 202, created.text);
    const id = created.body.job.id;
    assert.equal(created.headers.get('location'), `/api/batch/${id}`);
    const done = await until(async () => {
      const r = await call(up.server.url, `/api/batch/${id}`);
      return r.body.job.status === 'completed' ? r : undefined;
    });
    assert.equal(done.body.job.total, 4);
    assert.equal(done.body.job.failed, 1);
    const results = await call(up.server.url, `/api/batch/${id}/results`);
    assert.match(results.headers.get('content-type') ?? '', /application\/x-ndjson/);
    const lines = results.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.seq), [0, 1, 2, 3]);
    assert.equal(lines[2].error.code, 'InvalidIndicator');
    assert.equal(lines[0].result.report.verdict, 'malicious');
    const resumed = await call(up.server.url, `/api/batch/${id}/results?after=1`);
    assert.equal(resumed.text.trim().split('\n').length, 2);
    const list = await call(up.server.url, '/api/batch');
    assert.ok(list.body.jobs.some((j: { id: string }) => j.id === id));
  });

  test('a text/plain batch skips comments and blanks; dryRun only estimates; DELETE cancels', async () => {
    const text = '# my list\n\nexample.net\n  \n9.9.9.9\n# end\n';
    const created = await call(up.server.url, '/api/batch', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
    assert.equal(created.status, 202);
    assert.equal(created.body.job.total, 2);
    const dry = await call(up.server.url, '/api/batch', json({ indicators: [EICAR_MD5, EICAR_MD5, 'bad bad'], dryRun: true }));
    assert.equal(dry.status, 200);
    assert.equal(dry.body.dryRun, true);
    assert.equal(dry.body.estimate.duplicates, 1);
    assert.equal(dry.body.estimate.invalid, 1);
    const cancel = await call(up.server.url, `/api/batch/${created.body.job.id}`, { method: 'DELETE' });
    assert.equal(cancel.status, 200);
    assert.equal((await call(up.server.url, '/api/batch/does-not-exist')).status, 404);
    assert.equal((await call(up.server.url, '/api/batch', json({ indicators: [] }))).status, 400);
  });
});

describe('documents, pages and HTTP hygiene', () => {
  test('the OpenAPI document lists every route with its parameters; the docs page shows them', async () => {
    const doc = await call(up.server.url, '/api/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    for (const [path, method] of [
      ['/api/files/{hash}', 'get'],
      ['/api/batch', 'post'],
      ['/api/v3/files/upload_url', 'get'],
      ['/api/webhooks/{id}/deliveries', 'get'],
      ['/api/v3/{collection}/{id}/{relationship}', 'get'],
      ['/api/rescan', 'post'],
      ['/api/analyses/{id}/item', 'get'],
    ] as const) {
      assert.ok(doc.body.paths[path]?.[method], `${method} ${path}`);
    }
    const params = doc.body.paths['/api/files/{hash}'].get.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(params, ['hash', 'maxAge', 'allowStale', 'wait', 'provider', 'cacheOnly', 'priority']);
    const enrichParams = doc.body.paths['/api/enrich/{indicator}'].get.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(enrichParams, ['indicator', 'providers', 'cacheOnly', 'priority']);
    assert.ok(doc.body.paths['/api/scan/file'].post.requestBody.content['multipart/form-data']);
    const docs = await call(up.server.url, '/api/docs');
    assert.match(docs.headers.get('content-type') ?? '', /text\/html; charset=utf-8/);
    assert.match(docs.text, /\/api\/batch\/\{id\}\/results/);
    assert.doesNotMatch(docs.text, /<script src=|https?:\/\/cdn/);
    assert.doesNotMatch(docs.text, /Mock mode/, 'a configured key is not mock mode');
  });

  test('the dashboard page is self-contained HTML', async () => {
    const r = await call(up.server.url, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(r.text, /<script type="module" src="\/dashboard\/assets\/app.js">/);
    assert.doesNotMatch(r.text, /Mock mode/, 'a configured key is not mock mode');
  });

  test('wrong methods are 405 with Allow, unknown paths 404, oversized and mistyped bodies 413/415', async () => {
    const r405 = await call(up.server.url, '/api/health', { method: 'DELETE' });
    assert.equal(r405.status, 405);
    assert.equal(r405.headers.get('allow'), 'GET, HEAD');
    assert.equal((await call(up.server.url, '/api/nothing-here')).status, 404);
    const big = await call(up.server.url, '/api/batch', json({ indicators: ['x'.repeat(1100 * 1024)] }));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PayloadTooLarge');
    const mistyped = await call(up.server.url, '/api/webhooks', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    assert.equal(mistyped.status, 415);
    const badJson = await call(up.server.url, '/api/batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"indicators": [' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error.code, 'InvalidJson');
  });
});

describe('limits', () => {
  test('a lookup waiting for quota past the request time limit gets 503 RequestTimeout; the server keeps serving', async () => {
    // a public-key simulator (4 a minute) and a gateway configured the same way
    const publicKey = await startMock({ profile: 'public' });
    const slow = await startTestServer({
      env: upstreamEnv(publicKey, { VTG_VT_LIMITS: 'minute=4,day=500,month=15500' }),
      // long enough for an upstream answer on a busy machine, far shorter than the minute the 5th call waits
      server: { limits: { requestMs: 5000 } },
    });
    try {
      for (const name of ['first', 'a', 'b', 'c']) assert.equal((await call(slow.url, `/api/domains/${name}.example.com`)).status, 200);
      const waited = await call(slow.url, '/api/domains/second.example.com?wait=true');
      assert.equal(waited.status, 503);
      assert.equal(waited.body.error.code, 'RequestTimeout');
      const failFast = await call(slow.url, '/api/domains/third.example.com');
      assert.equal(failFast.status, 429);
      assert.ok(Number(failFast.headers.get('retry-after')) >= 1);
      assert.equal((await call(slow.url, '/api/domains/first.example.com')).status, 200, 'cached answers still flow');
    } finally {
      await slow.close();
      await publicKey.close();
    }
  });

  test('upload URLs stay out of the access log', async () => {
    const before = up.server.logs.length;
    await call(up.server.url, '/api/v3/_upload/some-one-time-token', { method: 'POST' });
    // access lines are held up to the flush interval: wait for this request's
    const lines = await until(() => up.server.logs.slice(before).filter((l) => l.includes('/api/v3/_upload/')).join('\n'));
    assert.match(lines, /_upload\/\[redacted\]/);
    assert.doesNotMatch(lines, /some-one-time-token/);
  });
});
