// The client against the VirusTotal simulator (src/mock) over real HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { parseIndicator } from '../../indicators/index.js';
import {
  EICAR_MD5,
  EICAR_SHA256,
  EICAR_STRING,
  MALICIOUS_SHA256,
  type MockServer,
  NOT_FOUND_SHA256,
  startMock,
} from '../../mock/index.js';
import type { CallKind, RequestOptions } from '../types.js';
import {
  attributeSchemas,
  NotFoundError,
  QuotaExceededError,
  TooManyRequestsError,
  TransientError,
  VirusTotalClient,
  VirusTotalProvider,
  VtError,
  VtNetworkError,
  VtTimeoutError,
  WrongCredentialsError,
} from './index.js';

const KEY = 'client-test-key-5e0c2b7a91d34f68';
const clock = new FakeClock();
let mock: MockServer;
let client: VirusTotalClient;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vt-client-'));
  mock = await startMock({ profile: 'premium', keys: [KEY], clock, analysisSteps: { queuedMs: 1000, inProgressMs: 1000 } });
  client = new VirusTotalClient({ apiKey: KEY, baseUrl: mock.url, timeoutMs: 5000 });
});

after(async () => {
  await client.close();
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

/** Request options whose permit records each kind and how many requests the simulator had seen by then. */
function permits(): RequestOptions & { kinds: CallKind[]; seenBefore: number[] } {
  const kinds: CallKind[] = [];
  const seenBefore: number[] = [];
  return {
    kinds,
    seenBefore,
    permit: async (kind) => {
      kinds.push(kind);
      seenBefore.push(mock.stats().total);
    },
  };
}

test('object lookups: file (by sha256 and md5), URL, domain and IP, one request and one permit each', async () => {
  mock.reset();
  const o = permits();
  const file = await client.getFile(MALICIOUS_SHA256, o);
  assert.equal(file.type, 'file');
  assert.equal(file.id, MALICIOUS_SHA256);
  assert.ok(attributeSchemas.file.safeParse(file.attributes).success);

  const eicar = await client.getFile(EICAR_MD5.toUpperCase(), o);
  assert.equal(eicar.id, EICAR_SHA256, 'a file fetched by md5 has its sha256 as id');
  assert.equal((eicar.attributes?.last_analysis_stats as Record<string, number>).malicious, 62);

  const url = await client.getUrl('http://evil.example.com/payload.exe', o);
  assert.equal(url.type, 'url');
  assert.match(url.id, /^[0-9a-f]{64}$/);
  const byId = await client.getUrl(url.id, o);
  assert.equal(byId.id, url.id, 'the sha256 id finds the same object');

  const domain = await client.getDomain('Evil.Example.COM.', o);
  assert.equal(domain.type, 'domain');
  assert.equal(domain.id, 'evil.example.com');
  const ip = await client.getIp('45.148.10.95', o);
  assert.equal(ip.type, 'ip_address');
  assert.equal(ip.id, '45.148.10.95');

  assert.deepEqual(o.kinds, ['lookup', 'lookup', 'lookup', 'lookup', 'lookup', 'lookup']);
  assert.deepEqual(o.seenBefore, [0, 1, 2, 3, 4, 5], 'each permit came before its request');
  const stats = mock.stats();
  assert.equal(stats.total, 6);
  assert.equal(stats.byEndpoint['GET /files/{id}'], 2);
  assert.equal(stats.byEndpoint['GET /urls/{id}'], 2);
  assert.equal(stats.byEndpoint['GET /domains/{domain}'], 1);
  assert.equal(stats.byEndpoint['GET /ip_addresses/{ip}'], 1);
});

test('the provider turns answers into Reports; NotFound is a not_found Report, not an error', async () => {
  const provider = new VirusTotalProvider(client, { clock });
  assert.equal(provider.name, 'virustotal');
  assert.ok((['file', 'url', 'domain', 'ip'] as const).every((k) => provider.supports(k)));

  const bad = await provider.lookup(parseIndicator(MALICIOUS_SHA256));
  assert.equal(bad.found, true);
  assert.equal(bad.verdict, 'malicious');
  assert.equal(bad.detections, 18);
  assert.equal(bad.threatLabel, 'virus.hill/w97m');
  assert.equal(bad.fetchedAt, clock.now());
  assert.equal((bad.data as { id: string }).id, MALICIOUS_SHA256);

  const urlIndicator = parseIndicator('hxxp://evil[.]example[.]com/payload.exe');
  const urlReport = await provider.lookup(urlIndicator);
  assert.equal(urlReport.indicator, 'http://evil.example.com/payload.exe');
  assert.equal(urlReport.id, urlIndicator.id);
  assert.equal(urlReport.kind, 'url');

  await assert.rejects(client.getFile(NOT_FOUND_SHA256), (err: unknown) => {
    assert.ok(err instanceof NotFoundError);
    assert.equal(err.status, 404);
    assert.equal(err.retryable, false);
    return true;
  });
  const missing = await provider.lookup(parseIndicator(NOT_FOUND_SHA256));
  assert.deepEqual(
    { found: missing.found, verdict: missing.verdict, id: missing.id, data: missing.data },
    { found: false, verdict: 'not_found', id: NOT_FOUND_SHA256, data: null },
  );
});

test('a wrong key is WrongCredentialsError (fail fast); no key at all is refused by the constructor', async () => {
  const wrong = new VirusTotalClient({ apiKey: 'not-the-right-key', baseUrl: mock.url });
  try {
    await assert.rejects(wrong.getDomain('example.com'), (err: unknown) => err instanceof WrongCredentialsError && !err.retryable);
  } finally {
    await wrong.close();
  }
  assert.throws(() => new VirusTotalClient({ apiKey: '', baseUrl: mock.url }), /API key is missing/);
});

test('URL scan: POST /urls, the analysis moves queued -> completed, then its item; rescan', async () => {
  mock.reset();
  const o = permits();
  const descriptor = await client.scanUrl('https://scan-me.example.org/landing?id=7', o);
  assert.equal(descriptor.type, 'analysis');
  assert.match(descriptor.id, /^u-[0-9a-f]{64}-\d+$/);

  const queued = await client.getAnalysis(descriptor.id, o);
  assert.equal(queued.data.type, 'analysis');
  assert.equal(queued.data.attributes?.status, 'queued');
  assert.equal(queued.meta?.url_info?.url, 'https://scan-me.example.org/landing?id=7');
  await clock.advance(2500);
  const done = await client.getAnalysis(descriptor.id, o);
  assert.equal(done.data.attributes?.status, 'completed');
  assert.ok(attributeSchemas.analysis.safeParse(done.data.attributes).success);

  const item = await client.getAnalysisItem(descriptor.id, o);
  assert.equal(item.type, 'url');
  assert.equal(item.id, queued.meta?.url_info?.id);
  const rescan = await client.rescanUrl('https://scan-me.example.org/landing?id=7', o);
  assert.match(rescan.id, /^u-[0-9a-f]{64}-\d+$/);

  assert.deepEqual(o.kinds, ['scan_url', 'analysis', 'analysis', 'lookup', 'rescan']);
  const stats = mock.stats().byEndpoint;
  assert.equal(stats['POST /urls'], 1);
  assert.equal(stats['GET /analyses/{id}'], 2);
  assert.equal(stats['GET /analyses/{id}/item'], 1);
  assert.equal(stats['POST /urls/{id}/analyse'], 1);
});

test('small file scan: POST /files (EICAR), analysis id with base64 padding, rescan', async () => {
  mock.reset();
  const path = join(dir, 'eicar.com');
  await writeFile(path, EICAR_STRING);
  const o = permits();
  const descriptor = await client.scanFile(path, {}, o);
  assert.equal(Buffer.from(descriptor.id, 'base64').toString('latin1').split(':')[0], EICAR_MD5);

  const analysis = await client.getAnalysis(descriptor.id, o);
  assert.equal(analysis.meta?.file_info?.sha256, EICAR_SHA256);
  await clock.advance(2500);
  const done = await client.getAnalysis(descriptor.id, o);
  assert.equal(done.data.attributes?.status, 'completed');
  assert.equal((done.data.attributes?.stats as Record<string, number>).malicious, 62);

  const rescan = await client.rescanFile(EICAR_SHA256, o);
  assert.equal(rescan.type, 'analysis');
  assert.deepEqual(o.kinds, ['upload', 'analysis', 'analysis', 'rescan']);
  const stats = mock.stats().byEndpoint;
  assert.equal(stats['POST /files'], 1);
  assert.equal(stats['GET /files/upload_url'], undefined);
  assert.equal(stats['POST /files/{id}/analyse'], 1);
});

test('a 33 MB file goes through upload_url, streamed: one upload_url call, one upload, bounded memory', async () => {
  mock.reset();
  const path = join(dir, 'big.bin');
  await writeFile(path, '');
  await truncate(path, 33 * 1024 * 1024); // sparse file, never kept
  const o = permits();
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 5);
  let descriptor: Awaited<ReturnType<VirusTotalClient['scanFile']>>;
  try {
    descriptor = await client.scanFile(path, { filename: 'big.bin' }, o);
  } finally {
    clearInterval(sampler);
  }
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  assert.equal(descriptor.type, 'analysis');
  assert.deepEqual(o.kinds, ['upload_url', 'upload']);
  const stats = mock.stats().byEndpoint;
  assert.equal(stats['GET /files/upload_url'], 1);
  assert.equal(stats['POST /_upload/{token}'], 1);
  assert.equal(stats['POST /files'], undefined);
  const growth = rssPeak - rssBefore;
  assert.ok(growth < 20 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1024 / 1024)} MB while uploading 33 MB`);

  // the simulator hashed what it received: the analysis names the 33 MB of zeros
  const analysis = await client.getAnalysis(descriptor.id);
  assert.equal(analysis.meta?.file_info?.size, 33 * 1024 * 1024);
});

test('a collection paged by cursor, and iterate over every page', async () => {
  mock.reset();
  const path = `/files/${MALICIOUS_SHA256}/contacted_domains`;
  const first = await client.getCollection(path, { limit: 10 });
  assert.equal(first.data.length, 10);
  assert.ok(first.meta?.cursor);
  assert.ok(first.links?.next?.startsWith(mock.url));
  const second = await client.getCollection(path, { limit: 10, cursor: first.meta?.cursor as string });
  assert.equal(second.data.length, 10);
  assert.notEqual(second.data[0]?.id, first.data[0]?.id);

  const o = permits();
  const all: string[] = [];
  for await (const obj of client.iterate(path, { pageSize: 10 }, o)) all.push(obj.id);
  assert.equal(all.length, 25);
  assert.equal(new Set(all).size, 25);
  assert.deepEqual(o.kinds, ['other', 'other', 'other']);

  const some: string[] = [];
  for await (const obj of client.iterate(path, { limit: 12, pageSize: 10 })) some.push(obj.id);
  assert.deepEqual(some, all.slice(0, 12));
  assert.equal(mock.stats().byEndpoint['GET /files/{id}/{relationship}'], 2 + 3 + 2);
});

test('overall quotas (the real shape), api usage and the user object', async () => {
  mock.reset();
  await client.getDomain('example.com');
  await client.getIp('8.8.8.8');
  const o = permits();
  const quotas = await client.overallQuotas(KEY, o);
  assert.deepEqual(quotas.daily, { user: { allowed: 1_000_000, used: 2 } });
  assert.deepEqual(quotas.hourly, { user: { allowed: 60_000, used: 2 } });
  assert.deepEqual(quotas.monthly?.user.allowed, 30_000_000);
  assert.ok('api_requests_daily' in quotas.raw);

  const today = new Date(clock.now()).toISOString().slice(0, 10);
  const usage = await client.apiUsage(KEY, { ...o, startDate: today, endDate: today });
  assert.deepEqual(Object.keys(usage.daily), [today]);
  assert.equal(usage.daily[today]?.['/api/v3/(domains)'], 1);
  assert.equal(usage.daily[today]?.['/api/v3/(ip_addresses)'], 1);

  const user = await client.getUser(KEY, o);
  assert.equal(user.type, 'user');
  assert.ok(!JSON.stringify(user).includes(KEY));
  assert.deepEqual(o.kinds, ['quota', 'quota', 'quota']);
});

test('public profile: the 5th call in a minute is a retryable 429 QuotaExceededError', async () => {
  const pub = await startMock({ profile: 'public', clock: new FakeClock() });
  const c = new VirusTotalClient({ apiKey: 'public-key-abcdef', baseUrl: pub.url });
  try {
    for (let i = 0; i < 4; i++) await c.getDomain(`site${i}.example.com`);
    await assert.rejects(c.getDomain('site4.example.com'), (err: unknown) => {
      assert.ok(err instanceof QuotaExceededError);
      assert.equal(err.status, 429);
      assert.equal(err.retryable, true);
      return true;
    });
    assert.equal(pub.stats().rejected429, 1);
    assert.equal(pub.stats().total, 5);
  } finally {
    await c.close();
    await pub.close();
  }
});

test('faults: timeouts, dropped connections, 503 and 429 storms map to retryable errors', async () => {
  const quick = new VirusTotalClient({ apiKey: KEY, baseUrl: mock.url, timeoutMs: 300 });
  try {
    const cases: ReadonlyArray<readonly [Parameters<MockServer['setFaults']>[0], new (...a: never[]) => VtError]> = [
      [{ timeoutRate: 1 }, VtTimeoutError],
      [{ dropRate: 1 }, VtNetworkError],
      [{ errorRate: 1, errorStatus: 503 }, TransientError],
      [{ tooManyRate: 1 }, TooManyRequestsError],
    ];
    for (const [faults, cls] of cases) {
      mock.setFaults(faults);
      await assert.rejects(quick.getDomain('example.com'), (err: unknown) => {
        assert.ok(err instanceof cls, `${JSON.stringify(faults)} gave ${String(err)}`);
        assert.equal((err as VtError).retryable, true);
        return true;
      });
    }
  } finally {
    mock.setFaults({});
    await quick.close();
  }
  assert.equal((await client.getDomain('example.com')).id, 'example.com', 'works again once the faults are gone');
});

test('cancellation: aborting a hung request rejects with AbortError and frees the call', async () => {
  mock.reset();
  mock.setFaults({ timeoutRate: 1 });
  try {
    const controller = new AbortController();
    const pending = client.getDomain('example.com', { signal: controller.signal });
    for (let i = 0; i < 400 && mock.stats().hung === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(mock.stats().hung, 1, 'the request reached the simulator');
    controller.abort();
    await assert.rejects(pending, (err: unknown) => (err as Error).name === 'AbortError' && !(err instanceof VtError));
  } finally {
    mock.setFaults({});
  }
});
