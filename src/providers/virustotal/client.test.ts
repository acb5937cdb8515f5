// The client against the VirusTotal simulator (src/mock) over real HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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
  assert.equal((eicar.attributes?.last_analysis_stats as Record<string, number> | undefined)?.malicious, 62);

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
  assert.equal((done.data.attributes?.stats as Record<string, number> | undefined)?.malicious, 62);

  const rescan = await client.rescanFile(EICAR_SHA256, o);
  assert.equal(rescan.type, 'analysis');
  assert.deepEqual(o.kinds, ['upload', 'analysis', 'analysis', 'rescan']);
  const stats = mock.stats().byEndpoint;
  assert.equal(stats['POST /files'], 1);
  assert.equal(stats['GET /files/upload_url'], undefined);
  assert.equal(stats['POST /files/{id}/analyse'], 1);
});

/** sha256 of a file, streamed. */
async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs upload-probe.ts in a child process (bounded to 60 s) and returns its JSON report. */
async function probeUpload(path: string): Promise<{ id: string; rssGrowth: number }> {
  const probe = fileURLToPath(new URL('./upload-probe.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  // --liftoff-only: V8 otherwise recompiles undici's WASM HTTP parser once per process at some
  // point, a transient ~35 MB of compiler memory that has nothing to do with the upload measured
  const child = spawn(process.execPath, ['--liftoff-only', '--import', 'tsx', probe, mock.url, KEY, path], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `upload probe failed: ${err}`);
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

test('a 33 MB file goes through upload_url, streamed: one upload_url call, one upload, bounded memory', async () => {
  mock.reset();
  const path = join(dir, 'big.bin');
  await writeFile(path, '');
  await truncate(path, 33 * 1024 * 1024); // sparse file, never kept
  // a few random blocks, so a chunk sent twice or out of place would change the hash
  const handle = await open(path, 'r+');
  try {
    for (const offset of [0, 65_536 * 3 + 17, 8 * 1024 * 1024, 20 * 1024 * 1024 + 5, 33 * 1024 * 1024 - 70_000]) {
      await handle.write(randomBytes(70_000), 0, 70_000, offset);
    }
  } finally {
    await handle.close();
  }

  const { id, rssGrowth } = await probeUpload(path);
  const stats = mock.stats().byEndpoint;
  assert.equal(stats['GET /files/upload_url'], 1);
  assert.equal(stats['POST /_upload/{token}'], 1);
  assert.equal(stats['POST /files'], undefined);
  assert.ok(rssGrowth < 20 * 1024 * 1024, `RSS grew by ${Math.round(rssGrowth / 1024 / 1024)} MB while uploading 33 MB`);

  // the simulator hashed what it received: exactly the file's bytes
  const analysis = await client.getAnalysis(id);
  assert.equal(analysis.meta?.file_info?.size, 33 * 1024 * 1024);
  assert.equal(analysis.meta?.file_info?.sha256, await fileSha256(path));
});

test('upload permits and body integrity on both paths: upload_url + upload for big files, one upload for small', async () => {
  mock.reset();
  const small = join(dir, 'random.bin');
  await writeFile(small, randomBytes(1_500_000 + 123));
  const o = permits();
  const descriptor = await client.scanFile(small, { filename: 'random "name"\r\n.bin' }, o);
  const analysis = await client.getAnalysis(descriptor.id);
  assert.equal(analysis.meta?.file_info?.sha256, await fileSha256(small));
  assert.deepEqual(o.kinds, ['upload']);

  const big = join(dir, 'big2.bin');
  await writeFile(big, '');
  await truncate(big, 32 * 1024 * 1024); // exactly 32 MiB: not "under 32 MB", so upload_url
  const o2 = permits();
  await client.scanFile(big, {}, o2);
  assert.deepEqual(o2.kinds, ['upload_url', 'upload']);
  assert.deepEqual(o2.seenBefore, [2, 3], 'each permit came right before its own request');
  await rm(big);
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

test('raw passthrough against the simulator: lookups, 404s and a multipart upload, never thrown', async () => {
  mock.reset();
  const found = await client.raw('GET', `/files/${MALICIOUS_SHA256}`, { kind: 'lookup' });
  assert.equal(found.status, 200);
  assert.equal((found.body as { data: { id: string } }).data.id, MALICIOUS_SHA256);
  const missing = await client.raw('GET', `/files/${NOT_FOUND_SHA256}`);
  assert.equal(missing.status, 404);
  assert.equal((missing.body as { error: { code: string } }).error.code, 'NotFoundError');

  const path = join(dir, 'raw-eicar.txt');
  await writeFile(path, EICAR_STRING);
  const uploadUrl = await client.getUploadUrl();
  const uploaded = await client.raw('POST', '', { absoluteUrl: uploadUrl, multipartFile: { path, filename: 'eicar.txt' } });
  assert.equal(uploaded.status, 200);
  assert.equal((uploaded.body as { data: { type: string } }).data.type, 'analysis');
  const reused = await client.raw('POST', '', { absoluteUrl: uploadUrl, multipartFile: { path, filename: 'eicar.txt' } });
  assert.equal(reused.status, 400, 'an upload URL works once; the answer is passed on, not thrown');
  const stats = mock.stats().byEndpoint;
  assert.equal(stats['GET /files/{id}'], 2);
  assert.equal(stats['POST /_upload/{token}'], 2);
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
  // The deadline only has to outlast a real answer on a busy machine; the hung case waits it out.
  const quick = new VirusTotalClient({ apiKey: KEY, baseUrl: mock.url, timeoutMs: 3000 });
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
    for (let i = 0; i < 6000 && mock.stats().hung === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(mock.stats().hung, 1, 'the request reached the simulator');
    controller.abort();
    await assert.rejects(pending, (err: unknown) => (err as Error).name === 'AbortError' && !(err instanceof VtError));
  } finally {
    mock.setFaults({});
  }
});
