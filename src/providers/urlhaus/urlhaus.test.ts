import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { FakeClock } from '../../clock/index.js';
import { parseIndicator } from '../../indicators/index.js';
import { type MockServer, startMock } from '../../mock/index.js';
import { createUrlhausRoute, simulatedUrlhaus } from '../../mock/urlhaus/index.js';
import { ProviderError } from '../http-errors.js';
import { parsePayloadInfo, URLHAUS_SHA1_NOTE, UrlhausClient, UrlhausProvider } from './index.js';
import { fixedServer } from '../test-support/fixed-server.js';
import { sharedPath, skipWithoutShared } from '../../test-support/shared-corpus.js';

const sample = (name: string) => readFileSync(sharedPath(`data/api/urlhaus/${name}`) as string, 'utf8');
const KEY = 'urlhaus-key-7f3e9a1b2c';
const N3 = 'http://54.37.72.170/n3';
const N3_SHA = '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866';

const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let mock: MockServer;
let provider: UrlhausProvider;

/** A one-off upstream that answers every request with `reply` and keeps what it received. */
before(async () => {
  mock = await startMock({ clock, routes: [createUrlhausRoute({ keys: [KEY] })] });
  provider = new UrlhausProvider(new UrlhausClient({ apiKey: KEY, baseUrl: mock.url }), { clock });
});
after(async () => {
  await mock.close();
});

test('the sample URL lookup parses: numbers as strings, null payload fields, escaped slashes', { skip: skipWithoutShared('data/api/urlhaus/') }, async () => {
  const up = await fixedServer((_req, _body, res) => res.end(sample('url_lookup__demisto-content__url_command.json')));
  try {
    const p = new UrlhausProvider({ apiKey: KEY, baseUrl: up.url }, { clock });
    const url = 'http://sskymedia.com/VMYB-ht_JAQo-gi/INV/99401FORPO/20673114777/US/Outstanding-Invoices/';
    const report = await p.lookup(parseIndicator(url));
    assert.equal(report.found, true);
    assert.equal(report.verdict, 'malicious');
    assert.equal(report.detections, 2);
    // The first payload has signature null; the label is the first real signature.
    assert.equal(report.threatLabel, 'Heodo');
    assert.equal(report.firstSeenAt, Date.UTC(2019, 0, 19, 1, 33, 26));
    assert.equal((report.data as { url: string }).url, url);
    assert.equal(up.seen[0]?.body, new URLSearchParams({ url }).toString());
    assert.equal(up.seen[0]?.url, '/v1/url/');
    assert.equal(up.seen[0]?.headers['auth-key'], KEY);
  } finally {
    await up.close();
  }
});

test('the sample host lookup (2019 capture with empty takedown time) is a malicious host', { skip: skipWithoutShared('data/api/urlhaus/') }, async () => {
  const up = await fixedServer((_req, _body, res) => res.end(sample('host_187.107.132.33__SocAnalystArsenal.json')));
  try {
    const p = new UrlhausProvider({ apiKey: KEY, baseUrl: up.url }, { clock });
    const report = await p.lookup(parseIndicator('187.107.132.33'));
    assert.equal(report.verdict, 'malicious');
    assert.equal(report.detections, 1);
    assert.equal(report.threatLabel, 'elf,hajime');
    assert.equal(up.seen[0]?.url, '/v1/host/');
    assert.equal(up.seen[0]?.body, 'host=187.107.132.33');
  } finally {
    await up.close();
  }
});

test('the payload sample with the placeholder query_status does not crash and is not claimed as found', { skip: skipWithoutShared('data/api/urlhaus/') }, async () => {
  const text = sample('payload_lookup__demisto-content__file_command.json');
  const up = await fixedServer((_req, _body, res) => res.end(text));
  try {
    const p = new UrlhausProvider({ apiKey: KEY, baseUrl: up.url }, { clock });
    const sha = '35e304d10d53834e3e41035d12122773c9a4d183a24e03f980ad3e6b2ecde7fa';
    const report = await p.lookup(parseIndicator(sha));
    assert.equal(report.found, false);
    assert.equal(report.verdict, 'unknown');
    assert.equal(up.seen[0]?.body, `sha256_hash=${sha}`);
    const info = parsePayloadInfo(JSON.parse(text));
    assert.equal(info.queryStatus, 'query_status');
    assert.equal(info.fileSize, 241664);
    assert.equal(info.urls.length, 2);
    assert.equal(info.urls[1]?.url, 'http://demo.trydaps.com/gzVv-22Omv_aIQZybVK-aJ/En/Question/');
    assert.equal(info.virustotal?.percent, 24.64);
  } finally {
    await up.close();
  }
});

test('the misspelt query_staus of the docs is read as the status', async () => {
  const up = await fixedServer((_req, _body, res) => res.end('{"query_staus":"no_results"}'));
  try {
    const report = await new UrlhausProvider({ apiKey: KEY, baseUrl: up.url }, { clock }).lookup(parseIndicator('example.org'));
    assert.equal(report.verdict, 'not_found');
  } finally {
    await up.close();
  }
});

test('the Cowrie dropper URL, its host and its payload are malicious in the simulator', async () => {
  const before = mock.stats().total;
  const url = await provider.lookup(parseIndicator(N3));
  const host = await provider.lookup(parseIndicator('54.37.72.170'));
  const payload = await provider.lookup(parseIndicator(N3_SHA));
  assert.equal(url.verdict, 'malicious');
  assert.equal(url.threatLabel, 'Mirai');
  assert.equal(host.verdict, 'malicious');
  assert.equal(host.detections, 1);
  assert.equal(payload.verdict, 'malicious');
  assert.equal(payload.threatLabel, 'Mirai');
  assert.deepEqual(payload.data, simulatedUrlhaus(N3_SHA));
  assert.equal(mock.stats().total - before, 3);
  assert.equal(mock.stats().byEndpoint['POST /v1/payload/'] !== undefined, true);
});

test('an unlisted indicator is a not-found Report, as the simulator predicts', async () => {
  // Find a URL the simulator does not list, deterministically.
  let candidate = '';
  for (let i = 0; i < 200 && !candidate; i++) {
    const u = `http://unlisted-${i}.example.com/x`;
    if (simulatedUrlhaus(u).query_status === 'no_results') candidate = u;
  }
  const report = await provider.lookup(parseIndicator(candidate));
  assert.equal(report.found, false);
  assert.equal(report.verdict, 'not_found');
});

test('an md5 payload lookup finds the same record as the sha256', async () => {
  const md5 = (simulatedUrlhaus(N3_SHA) as { md5_hash: string }).md5_hash;
  const report = await provider.lookup(parseIndicator(md5));
  assert.equal(report.verdict, 'malicious');
  assert.equal((report.data as { sha256_hash: string }).sha256_hash, N3_SHA);
});

test('a SHA-1 is answered without any request, with a note', async () => {
  const before = mock.stats().total;
  let permits = 0;
  const report = await provider.lookup(parseIndicator('3395856ce81f2b7382dee72602f798b642f14140'), {
    permit: async () => {
      permits++;
    },
  });
  assert.equal(report.found, false);
  assert.deepEqual(report.data, { note: URLHAUS_SHA1_NOTE });
  assert.equal(mock.stats().total, before);
  assert.equal(permits, 0);
});

test('the governor permit is awaited before each request', async () => {
  const order: string[] = [];
  const before = mock.stats().total;
  await provider.lookup(parseIndicator(N3), {
    permit: async (kind) => {
      order.push(`permit:${kind}:${mock.stats().total - before}`);
    },
  });
  assert.deepEqual(order, ['permit:lookup:0']);
  assert.equal(mock.stats().total - before, 1);
});

test('a wrong or missing Auth-Key fails fast and the key never shows', async () => {
  for (const apiKey of ['wrong-key-123456', undefined]) {
    const p = new UrlhausProvider({ apiKey, baseUrl: mock.url }, { clock });
    await assert.rejects(p.lookup(parseIndicator(N3)), (err) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'WrongCredentialsError');
      assert.equal(err.retryable, false);
      const text = `${String(err)} ${err.stack} ${JSON.stringify(err)} ${inspect(err)}`;
      if (apiKey) assert.ok(!text.includes(apiKey));
      return true;
    });
  }
});

test('past the per-second limit the simulator answers 429 and the client says QuotaExceeded', async () => {
  const limited = await startMock({ clock, routes: [createUrlhausRoute({ limits: { perSecond: 2 } })] });
  try {
    const p = new UrlhausProvider({ apiKey: KEY, baseUrl: limited.url }, { clock });
    await p.lookup(parseIndicator(N3));
    await p.lookup(parseIndicator(N3));
    await assert.rejects(p.lookup(parseIndicator(N3)), (err) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'QuotaExceededError');
      assert.equal(err.retryAfterMs, 1000);
      return true;
    });
    await clock.advance(1000);
    assert.equal((await p.lookup(parseIndicator(N3))).verdict, 'malicious');
  } finally {
    await limited.close();
  }
});

test('invalid_* statuses are bad requests, not results', async () => {
  const up = await fixedServer((_req, _body, res) => res.end('{"query_status":"invalid_url"}'));
  try {
    const p = new UrlhausProvider({ apiKey: KEY, baseUrl: up.url }, { clock });
    await assert.rejects(p.lookup(parseIndicator('http://example.com/a')), (err) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'BadRequestError');
      return true;
    });
  } finally {
    await up.close();
  }
});

test('a 5xx from upstream is a retryable TransientError', async () => {
  const up = await fixedServer((_req, _body, res) => {
    res.statusCode = 502;
    res.end('<html>bad gateway</html>');
  });
  try {
    const p = new UrlhausProvider({ apiKey: KEY, baseUrl: up.url }, { clock });
    await assert.rejects(p.lookup(parseIndicator(N3)), (err) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'TransientError');
      assert.equal(err.retryable, true);
      return true;
    });
  } finally {
    await up.close();
  }
});

test('supports files, URLs, domains and IPs (hosts)', () => {
  assert.deepEqual(
    (['file', 'url', 'domain', 'ip'] as const).map((k) => provider.supports(k)),
    [true, true, true, true],
  );
});
