import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { proxyFromEnv } from './proxy.js';
import { type LocalServer, sendJson, startConnectProxy, startLocalServer } from './test-support.js';
import {
  NotFoundError,
  QuotaExceededError,
  VirusTotalClient,
  VtError,
  VtResponseError,
  VtTimeoutError,
  WrongCredentialsError,
} from './index.js';

const KEY = 'transport-test-key-0123456789';
const SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';

let server: LocalServer;
let client: VirusTotalClient;

function fileObject(id = SHA256, type = 'file') {
  return { data: { type, id, links: { self: `x/${id}` }, attributes: { last_analysis_stats: { malicious: 3, undetected: 60 } } } };
}

before(async () => {
  server = await startLocalServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    switch (path) {
      case `/api/v3/files/${SHA256}`:
        return sendJson(res, 200, fileObject(), { gzip: true });
      case '/api/v3/files/44d88612fea8a8f36de82e1278abb02f':
        return sendJson(res, 200, fileObject(SHA256, 'url'));
      case '/api/v3/quota':
        // a 429 sent uncompressed although gzip was asked for (vt-api.md section 1)
        return sendJson(res, 429, { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } }, { headers: { 'retry-after': '7' } });
      case '/api/v3/error-in-200':
        return sendJson(res, 200, { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } });
      case '/api/v3/no-id':
        return sendJson(res, 200, { data: [{ type: 'file' }] });
      case '/api/v3/bad-gzip':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return void res.end('{"not":"gzip"}');
      case '/api/v3/same-cursor':
        return sendJson(res, 200, { data: [fileObject().data], meta: { cursor: 'c1' } });
      case '/api/v3/echo':
        return sendJson(res, 404, {
          error: { code: 'NotFoundError', message: 'nothing' },
          seen: { query: url.search, body: body.toString('utf8'), key: req.headers['x-apikey'] ?? null },
        });
      case '/api/v3/users/me':
        return sendJson(res, 200, { data: { type: 'user', id: 'me', attributes: { apikey: req.headers['x-apikey'], note: `k=${req.headers['x-apikey']}` } } });
      case '/api/v3/hang':
        return;
      default:
        if (path.startsWith('/_ah/upload/') || path.startsWith('/up/')) {
          return sendJson(res, 200, { data: { type: 'analysis', id: 'abc=', links: {} }, sawKey: req.headers['x-apikey'] ?? null });
        }
        return sendJson(res, 404, { error: { code: 'NotFoundError', message: `Resource not found: ${path}` } });
    }
  });
  client = new VirusTotalClient({ apiKey: KEY, baseUrl: `${server.url}/`, timeoutMs: 2000 });
});

after(async () => {
  await client.close();
  await server.close();
});

test('base URL: origin kept, trailing slash and /api/v3 dropped', () => {
  assert.equal(client.baseUrl, server.url);
  const c = new VirusTotalClient({ apiKey: KEY, baseUrl: `${server.url}/api/v3/` });
  assert.equal(c.baseUrl, server.url);
  void c.close();
  assert.throws(() => new VirusTotalClient({ apiKey: KEY, baseUrl: 'ftp://example.com' }), /must be http or https/);
});

test('sends the key, asks for gzip with "gzip" in the User-Agent, and decodes a gzipped answer', async () => {
  const obj = await client.getFile(SHA256.toUpperCase());
  assert.equal(obj.type, 'file');
  assert.equal(obj.id, SHA256);
  const req = server.requests.at(-1);
  assert.equal(req?.url, `/api/v3/files/${SHA256}`);
  assert.equal(req?.headers['x-apikey'], KEY);
  assert.match(String(req?.headers['accept-encoding']), /gzip/);
  assert.match(String(req?.headers['user-agent']), /^vt-gateway\/\d+\.\d+\.\d+; gzip$/);
});

test('an uncompressed 429 with Retry-After becomes a retryable QuotaExceededError', async () => {
  await assert.rejects(client.getCollection('/quota'), (err: unknown) => {
    assert.ok(err instanceof QuotaExceededError);
    assert.equal(err.status, 429);
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 7000);
    return true;
  });
});

test('answers that are not the documented shape are refused', async () => {
  await assert.rejects(client.getCollection('/error-in-200'), WrongCredentialsError);
  await assert.rejects(client.getCollection('/no-id'), (err: unknown) => err instanceof VtResponseError && /data\.0\.id/.test(err.message));
  await assert.rejects(client.getCollection('/bad-gzip'), (err: unknown) => err instanceof VtResponseError && /decompressed/.test(err.message));
  await assert.rejects(
    client.getFile('44d88612fea8a8f36de82e1278abb02f'),
    (err: unknown) => err instanceof VtResponseError && /a url object where a file was expected/.test(err.message),
  );
});

test('bad input is refused before any request', async () => {
  const before = server.requests.length;
  await assert.rejects(client.getFile('not-a-hash'), /not a hash/);
  await assert.rejects(client.getDomain('http://x.com/'), /not a domain/);
  await assert.rejects(client.getIp('999.1.1.1'), /not an IP address/);
  await assert.rejects(client.getAnalysis(''), TypeError);
  await assert.rejects(client.getCollection('/files/../../_mock/stats'), /invalid VirusTotal API path/);
  await assert.rejects(client.raw('GET', '/%2e%2e/%2e%2e/x'), /invalid VirusTotal API path/);
  assert.equal(server.requests.length, before);
});

test('a timeout gives VtTimeoutError; cancellation rejects with the abort reason, not a VtError', async () => {
  const quick = new VirusTotalClient({ apiKey: KEY, baseUrl: server.url, timeoutMs: 200 });
  try {
    await assert.rejects(quick.getCollection('/hang'), (err: unknown) => err instanceof VtTimeoutError && err.timeoutMs === 200);
  } finally {
    await quick.close();
  }

  const controller = new AbortController();
  const before = server.requests.length;
  const pending = client.getCollection('/hang', {}, { signal: controller.signal });
  for (let i = 0; i < 6000 && server.requests.length === before; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(server.requests.length, before + 1, 'the request reached the server');
  controller.abort();
  await assert.rejects(pending, (err: unknown) => (err as Error).name === 'AbortError' && !(err instanceof VtError));

  // already aborted: no permit taken, no request sent
  let permits = 0;
  const gone = AbortSignal.abort(new Error('user gave up'));
  await assert.rejects(client.getFile(SHA256, { signal: gone, permit: async () => void permits++ }), /user gave up/);
  assert.equal(permits, 0);
  assert.equal(server.requests.length, before + 1);
});

test('iterate stops when the cursor repeats instead of looping', async () => {
  const before = server.requests.length;
  const seen: string[] = [];
  for await (const obj of client.iterate('/same-cursor')) seen.push(obj.id);
  assert.equal(seen.length, 2);
  assert.equal(server.requests.length, before + 2);
});

test('raw passes any status through, with query and form, and redacts the key from answers', async () => {
  const answer = await client.raw('POST', '/echo', { query: { a: '1 2' }, form: { url: 'http://evil.com/?q=1&r=2' } });
  assert.equal(answer.status, 404);
  assert.equal(answer.contentType, 'application/json');
  const body = answer.body as { error: { code: string }; seen: { query: string; body: string; key: string } };
  assert.equal(body.error.code, 'NotFoundError');
  assert.equal(body.seen.query, '?a=1+2');
  assert.equal(body.seen.body, 'url=http%3A%2F%2Fevil.com%2F%3Fq%3D1%26r%3D2');
  assert.equal(body.seen.key, '[redacted]', 'the key the server echoed back is redacted');
  const user = await client.getUser('me');
  assert.equal(user.attributes?.apikey, '[redacted]');
  assert.equal(user.attributes?.note, 'k=[redacted]');
  const missing = await client.raw('GET', '/files/unknown');
  assert.equal(missing.status, 404);
  // the same answer from a typed method is thrown
  await assert.rejects(client.getFile(`${'0'.repeat(63)}1`), NotFoundError);
});

test('through a CONNECT proxy (with credentials); the key only goes to VirusTotal hosts', async () => {
  const proxy = await startConnectProxy(server.port);
  const proxyUrl = proxy.url.replace('http://', 'http://alice:s3cret@');
  const proxied = new VirusTotalClient({ apiKey: KEY, baseUrl: server.url, proxy: proxyUrl, timeoutMs: 2000 });
  try {
    const obj = await proxied.getFile(SHA256);
    assert.equal(obj.id, SHA256);
    assert.deepEqual(proxy.connects, [`127.0.0.1:${server.port}`]);
    assert.equal(proxy.auth[0], `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);

    // an upload URL on another host: the proxy still lands on the test server, which reports whether the key came along
    const foreign = await proxied.raw('POST', '', { absoluteUrl: 'http://uploads.example.test/up/1', form: { a: 'b' } });
    assert.equal((foreign.body as { sawKey: string | null }).sawKey, null);
    const vt = await proxied.raw('POST', '', { absoluteUrl: 'http://www.virustotal.com/_ah/upload/1', form: { a: 'b' } });
    assert.equal((vt.body as { sawKey: string | null }).sawKey, '[redacted]');
    assert.ok(proxy.connects.includes('uploads.example.test:80'));
    assert.ok(proxy.connects.includes('www.virustotal.com:80'));
  } finally {
    await proxied.close();
    await proxy.close();
  }
});

test('HTTPS_PROXY applies to https origins only, and NO_PROXY wins', () => {
  const env = { HTTPS_PROXY: 'http://proxy.internal:3128' };
  assert.equal(proxyFromEnv(new URL('https://www.virustotal.com'), env), 'http://proxy.internal:3128');
  assert.equal(proxyFromEnv(new URL('https://www.virustotal.com'), { https_proxy: 'http://p:1' }), 'http://p:1');
  assert.equal(proxyFromEnv(new URL('http://127.0.0.1:9999'), env), undefined);
  assert.equal(proxyFromEnv(new URL('https://www.virustotal.com'), { ...env, NO_PROXY: 'example.com, .virustotal.com' }), undefined);
  assert.equal(proxyFromEnv(new URL('https://www.virustotal.com'), { ...env, no_proxy: '*' }), undefined);
  assert.equal(proxyFromEnv(new URL('https://www.virustotal.com'), { ...env, NO_PROXY: 'notvirustotal.com' }), 'http://proxy.internal:3128');
  assert.equal(proxyFromEnv(new URL('https://www.virustotal.com'), {}), undefined);
});

test('gzip bodies are inflated even for error answers', async () => {
  const s = await startLocalServer((_req, res) => {
    const payload = gzipSync(JSON.stringify({ error: { code: 'NotFoundError', message: 'File "x" not found' } }));
    res.writeHead(404, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(payload);
  });
  const c = new VirusTotalClient({ apiKey: KEY, baseUrl: s.url });
  try {
    await assert.rejects(c.getFile(SHA256), (err: unknown) => err instanceof NotFoundError && /File "x" not found/.test(err.message));
  } finally {
    await c.close();
    await s.close();
  }
});
