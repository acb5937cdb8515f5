// The parts of the API the CLI's remote mode relies on: cache-only lookups, priorities, enrich for
// readers and budgets, rescans, analysis items and finished-only batch results.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CLEAN_SHA256, type MockServer } from '../mock/index.js';
import { utcDayKey } from '../store/index.js';
import { call, createToken, firstAdminToken, startTestServer, type TestServer, until, withUpstreamServer } from './test-support/harness.js';
import { upstreamCalls, upstreamEnv } from './test-support/upstream.js';

let mock: MockServer;
let t: TestServer;
const tokens = { admin: '', analyst: '', reader: '', budget: '', budgetId: '' };

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

withUpstreamServer({
  ready: async (up) => {
    ({ mock, server: t } = up);
    tokens.admin = await firstAdminToken(t.url);
    const make = async (name: string, role: string, dailyBudget?: number) => createToken(t.url, tokens.admin, name, role, dailyBudget);
    tokens.analyst = (await make('ana', 'analyst')).token;
    tokens.reader = (await make('rita', 'reader')).token;
    const budget = await make('one-call', 'analyst', 1);
    tokens.budget = budget.token;
    tokens.budgetId = (budget.record as { id: string }).id;
  },
});

describe('cache-only lookups', () => {
  test('cacheOnly=true answers from the cache or 404 NotCached, on every lookup path, and never calls upstream', async () => {
    const before = upstreamCalls(mock, 'GET /domains/{domain}');
    for (const path of [
      '/api/domains/cache-only.example.com?cacheOnly=true',
      '/api/lookup/cache-only.example.com?cacheOnly=true',
      '/api/lookup?q=cache-only.example.com&cacheOnly=true&wait=true',
      '/api/reputation/domain/cache-only.example.com?cacheOnly=1',
    ]) {
      const r = await call(t.url, path, { token: tokens.analyst });
      assert.equal(r.status, 404, `${path}: ${r.text}`);
      assert.equal(r.body.error.code, 'NotCached');
    }
    const enriched = await call(t.url, '/api/enrich/cache-only.example.com?cacheOnly=true', { token: tokens.analyst });
    assert.equal(enriched.status, 200, enriched.text);
    assert.equal(enriched.body.sources.find((s: { provider: string }) => s.provider === 'virustotal').error.code, 'NotCachedError');
    assert.equal(upstreamCalls(mock, 'GET /domains/{domain}'), before, 'no upstream call for a cache-only lookup');

    const fetched = await call(t.url, '/api/domains/cache-only.example.com', { token: tokens.analyst });
    assert.equal(fetched.body.source, 'upstream');
    const cached = await call(t.url, '/api/domains/cache-only.example.com?cacheOnly=true', { token: tokens.analyst });
    assert.equal(cached.status, 200);
    assert.equal(cached.body.source, 'cache');
    assert.equal(cached.body.report.verdict, fetched.body.report.verdict);
  });

  test('bad cacheOnly and priority values are 400s', async () => {
    for (const path of [`/api/files/${CLEAN_SHA256}?cacheOnly=maybe`, `/api/files/${CLEAN_SHA256}?priority=urgent`, '/api/enrich/example.com?priority=now']) {
      const r = await call(t.url, path, { token: tokens.analyst });
      assert.equal(r.status, 400, path);
      assert.equal(r.body.error.code, 'BadRequest');
    }
  });
});

describe('enrich', () => {
  test('a reader may enrich: answers come from the cache only', async () => {
    const before = upstreamCalls(mock, 'GET /ip_addresses/{ip}');
    const uncached = await call(t.url, '/api/enrich/9.9.9.10', { token: tokens.reader });
    assert.equal(uncached.status, 200, uncached.text);
    const vt = uncached.body.sources.find((s: { provider: string }) => s.provider === 'virustotal');
    assert.equal(vt.ok, false);
    assert.equal(vt.error.code, 'NotCachedError');
    assert.equal(upstreamCalls(mock, 'GET /ip_addresses/{ip}'), before, 'a reader never makes an upstream call');
    await call(t.url, '/api/ip_addresses/9.9.9.10', { token: tokens.analyst });
    const cached = await call(t.url, '/api/enrich/9.9.9.10?priority=interactive', { token: tokens.reader });
    assert.equal(cached.body.sources.find((s: { provider: string }) => s.provider === 'virustotal').result.source, 'cache');
  });

  test("enrich charges the token's budget per upstream call; once spent it answers from the cache, 429 when nothing is cached", async () => {
    const day = utcDayKey(Date.now());
    const first = await call(t.url, '/api/enrich/8.8.4.4', { token: tokens.budget });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.sources.find((s: { provider: string }) => s.provider === 'virustotal').result.source, 'upstream');
    assert.equal(await t.gateway.tokens.spentToday(tokens.budgetId, day), 1);
    const before = upstreamCalls(mock, 'GET /ip_addresses/{ip}');
    const over = await call(t.url, '/api/enrich/1.0.0.1', { token: tokens.budget });
    assert.equal(over.status, 429, over.text);
    assert.equal(over.body.error.code, 'BudgetExceeded');
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
    const cached = await call(t.url, '/api/enrich/8.8.4.4', { token: tokens.budget });
    assert.equal(cached.status, 200);
    assert.equal(cached.body.verdict, first.body.verdict);
    assert.equal(upstreamCalls(mock, 'GET /ip_addresses/{ip}'), before, 'a spent budget makes no upstream call');
    assert.equal(await t.gateway.tokens.spentToday(tokens.budgetId, day), 1);
  });
});

describe('rescans and analysis items', () => {
  test('POST /api/rescan takes a file hash, or a URL id with kind=url, and answers the ScanResult', async () => {
    const file = await call(t.url, '/api/rescan', { ...json({ indicator: CLEAN_SHA256 }), token: tokens.analyst });
    assert.equal(file.status, 200, file.text);
    assert.equal(file.body.kind, 'file');
    assert.equal(file.body.target, CLEAN_SHA256);
    assert.equal(file.body.submitted, true);
    assert.equal(typeof file.body.analysisId, 'string');
    assert.equal(file.body.analysis, `/api/analyses/${encodeURIComponent(file.body.analysisId)}`);

    const url = 'http://rescan.example.com/'; // the simulator does not know it until it is submitted
    const sha = createHash('sha256').update(url).digest('hex');
    const unknown = await call(t.url, '/api/rescan', { ...json({ indicator: sha, kind: 'url' }), token: tokens.analyst });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.error.code, 'NotFoundError');
    await call(t.url, '/api/scan/url', { ...json({ url }), token: tokens.analyst });
    const before = upstreamCalls(mock, 'POST /urls/{id}/analyse');
    const byId = await call(t.url, '/api/rescan', { ...json({ indicator: sha, kind: 'url', priority: 'batch' }), token: tokens.analyst });
    assert.equal(byId.status, 200, byId.text);
    assert.equal(byId.body.kind, 'url');
    assert.equal(byId.body.target, sha);
    assert.match(byId.body.analysisId, new RegExp(`^u-${sha}-`));
    assert.equal(upstreamCalls(mock, 'POST /urls/{id}/analyse'), before + 1);
    const byUrl = await call(t.url, '/api/rescan', { ...json({ indicator: url }), token: tokens.analyst });
    assert.equal(byUrl.body.kind, 'url');

    assert.equal((await call(t.url, '/api/rescan', { ...json({ indicator: CLEAN_SHA256 }), token: tokens.reader })).status, 403);
    assert.equal((await call(t.url, '/api/rescan', { ...json({ indicator: CLEAN_SHA256, kind: 'domain' }), token: tokens.analyst })).status, 400);
    assert.equal((await call(t.url, '/api/rescan', { ...json({ indicator: 'example.com' }), token: tokens.analyst })).status, 400);
  });

  test('GET /api/analyses/{id}/item answers the lookup of what was analysed', async () => {
    const url = 'http://item-of.example.org/analysis';
    const scanned = await call(t.url, '/api/scan/url', { ...json({ url, priority: 'interactive' }), token: tokens.analyst });
    assert.equal(scanned.status, 200, scanned.text);
    const id = encodeURIComponent(scanned.body.analysisId);
    await until(async () => (await call(t.url, `/api/analyses/${id}?wait=5`, { token: tokens.analyst })).body.status === 'completed');
    const item = await call(t.url, `/api/analyses/${id}/item`, { token: tokens.analyst });
    assert.equal(item.status, 200, item.text);
    assert.equal(item.body.indicator.kind, 'url');
    assert.equal(item.body.indicator.value, url);
    assert.equal(item.body.report.found, true);
    assert.equal(item.headers.get('x-vtg-source'), item.body.source);

    const fileRescan = await call(t.url, '/api/rescan', { ...json({ indicator: CLEAN_SHA256 }), token: tokens.analyst });
    const fileItem = await call(t.url, `/api/analyses/${encodeURIComponent(fileRescan.body.analysisId)}/item`, { token: tokens.analyst });
    assert.equal(fileItem.status, 200, fileItem.text);
    assert.equal(fileItem.body.indicator.kind, 'file');
    assert.equal(fileItem.body.report.id, CLEAN_SHA256);
    assert.equal((await call(t.url, `/api/analyses/${id}/item`, { token: tokens.reader })).status, 403);
  });
});

describe('priorities and finished-only results (quota spent: upstream work waits in the queue)', () => {
  let q: TestServer;
  before(async () => {
    q = await startTestServer({ env: upstreamEnv(mock, { VTG_VT_LIMITS: 'minute=1,hour=1000,day=1000,month=10000' }) });
    assert.equal((await call(q.url, '/api/domains/uses-the-quota.example.com')).body.source, 'upstream');
  });
  after(() => q?.close());

  /** Starts a request, waits until the gateway queues it at `priority`, then gives up on it. */
  async function queuedAt(path: string, init: RequestInit, priority: string): Promise<void> {
    const controller = new AbortController();
    const pending = fetch(q.url + path, { ...init, signal: controller.signal }).catch((err: Error) => err);
    await until(async () => (await call(q.url, '/api/stats')).body.queueDepth.virustotal[priority] === 1, 10_000);
    controller.abort();
    assert.ok((await pending) instanceof Error, 'the request was still waiting');
    await until(async () => (await call(q.url, '/api/stats')).body.queueDepth.virustotal[priority] === 0, 10_000);
  }

  test('a lookup, a URL scan and a rescan wait in the queue of the priority they ask for', async () => {
    await queuedAt('/api/domains/background.example.com?wait=true&priority=background', {}, 'background');
    await queuedAt('/api/lookup?q=batch.example.com&wait=true&priority=batch', {}, 'batch');
    await queuedAt('/api/scan/url', json({ url: 'http://queued.example.com/', priority: 'batch' }), 'batch');
    await queuedAt('/api/rescan', json({ indicator: CLEAN_SHA256, priority: 'background' }), 'background');
  });

  test('?finished=true streams only the items that are done', async () => {
    const created = await call(q.url, '/api/batch', json({ indicators: ['uses-the-quota.example.com', 'waits-1.example.com', 'waits-2.example.com'] }));
    assert.equal(created.status, 202, created.text);
    const id = created.body.job.id;
    await until(async () => (await call(q.url, `/api/batch/${id}`)).body.job.done === 1);
    const all = (await call(q.url, `/api/batch/${id}/results`)).text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(all.map((i) => i.status), ['done', 'pending', 'pending']);
    const finished = (await call(q.url, `/api/batch/${id}/results?finished=true`)).text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(finished.map((i) => [i.seq, i.status]), [[0, 'done']]);
    assert.equal((await call(q.url, `/api/batch/${id}`, { method: 'DELETE' })).status, 200);
  });
});
