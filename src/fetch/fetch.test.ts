/**
 * Scan-from-URL refuses every internal destination before connecting, on the first hop and on
 * every redirect. Only loopback is ever contacted: a test server on 127.0.0.1, reached through an
 * injected resolver and an allowlist that admits just the hop meant to be admitted.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FetchRefusedError, fetchUrl, redactUrl } from './index.js';

let server: Server;
let port = 0;
let connections = 0;
const hits: string[] = [];

/** No real DNS: names map to fixed answers. */
const resolve = async (host: string) => {
  const table: Record<string, string> = {
    'public.example': '127.0.0.1',
    localhost: '127.0.0.1',
    'internal.example': '10.0.0.1',
    'metadata.example': '169.254.169.254',
    'mapped.example': '::ffff:192.168.1.1',
  };
  const a = table[host];
  if (!a) throw new Error('ENOTFOUND');
  return [{ address: a, family: a.includes(':') ? 6 : 4 }];
};

before(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const m = /^\/redirect\?to=(.*)$/.exec(req.url ?? '');
    if (m) {
      res.writeHead(302, { location: decodeURIComponent(m[1] as string) });
      res.end();
    } else if (req.url?.startsWith('/big')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(64 * 1024));
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('sample bytes');
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const base = { allowlist: ['public.example'], maxBytes: 1024 * 1024, timeoutMs: 30_000, resolve };

async function refused(url: string, extra: Partial<typeof base> = {}): Promise<string> {
  const before = connections;
  const connects: string[] = [];
  const err = await fetchUrl(url, { ...base, ...extra, onConnect: (a) => connects.push(a) }).then(
    () => assert.fail(`${url} was fetched`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof FetchRefusedError, `${url}: ${String(err)}`);
  assert.deepEqual(connects, [], `${url} connected`);
  assert.equal(connections, before, `${url} reached the loopback server`);
  return (err as Error).message;
}

describe('scan-from-URL SSRF guard', () => {
  for (const url of [
    'file:///etc/passwd',
    'gopher://127.0.0.1:70/_x',
    'ftp://example.org/x',
    'http://127.0.0.1/',
    'http://localhost/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://0.0.0.0/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://internal.example/',
    'http://metadata.example/',
    'http://mapped.example/',
  ]) {
    test(`refuses ${url} without connecting`, async () => {
      const msg = await refused(url.replace('127.0.0.1/', `127.0.0.1:${port}/`));
      assert.ok(msg.length > 0);
    });
  }

  test('an allowlisted public-looking host is fetched through the pinned address', async () => {
    const connects: string[] = [];
    const got = await fetchUrl(`http://public.example:${port}/sample.bin?X-Amz-Signature=secret`, { ...base, onConnect: (a) => connects.push(a) });
    assert.equal(got.data.toString(), 'sample bytes');
    assert.equal(got.name, 'sample.bin');
    assert.deepEqual(connects, ['127.0.0.1']);
    assert.ok(!got.url.includes('secret'), 'the query string is not kept in what may be logged');
    assert.ok(hits.at(-1)?.includes('X-Amz-Signature=secret'), 'the query string is sent as given (presigned links)');
  });

  for (const to of ['http://127.0.0.1:PORT/secret', 'http://localhost:PORT/secret', 'http://[::1]:PORT/', 'http://10.0.0.1/', 'http://internal.example/', 'http://169.254.169.254/', 'http://2130706433:PORT/', 'file:///etc/passwd']) {
    test(`a redirect to ${to} is refused and never followed`, async () => {
      const target = to.replace('PORT', String(port));
      const connects: string[] = [];
      hits.length = 0;
      const err = await fetchUrl(`http://public.example:${port}/redirect?to=${encodeURIComponent(target)}`, { ...base, onConnect: (a) => connects.push(a) }).then(
        () => assert.fail('followed'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof FetchRefusedError, String(err));
      assert.deepEqual(connects, ['127.0.0.1'], 'only the first, admitted hop connected');
      assert.deepEqual(hits, [`/redirect?to=${encodeURIComponent(target)}`]);
    });
  }

  test('the server-side size cap stops a large body', async () => {
    await assert.rejects(fetchUrl(`http://public.example:${port}/big`, { ...base, maxBytes: 1000 }), FetchRefusedError);
  });

  test('redactUrl keeps scheme, host and path only', () => {
    assert.equal(redactUrl('https://u:p@bucket.s3.amazonaws.com/a/b.exe?X-Amz-Credential=k&X-Amz-Signature=s'), 'https://bucket.s3.amazonaws.com/a/b.exe?…');
  });
});
