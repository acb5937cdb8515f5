// A few thousand malformed requests: never a 5xx, the server stays healthy, and neither the upstream
// key nor any client token appears in a response or a log line.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { EICAR_MD5 } from '../mock/index.js';
import { call, type TestServer, until, withUpstreamServer } from './test-support/harness.js';
import { FAKE_VT_KEY } from './test-support/upstream.js';

let t: TestServer;
let admin: string;
let reader: string;

withUpstreamServer({
  ready: async (up) => {
    t = up.server;
    const a = await call(t.url, '/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz-admin', role: 'admin' }) });
    admin = a.body.token;
    const r = await call(t.url, '/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz-reader', role: 'reader' }), token: admin });
    reader = r.body.token;
  },
});

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
}

function generate(count: number, rand: () => number): FuzzRequest[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const junkChars = ['%', '%00', '%2F', '..', '/', '\\', '%2e%2e', '\u00e9', '\u{1F4A9}', ' ', '"', "'", '<', '>', '{', '}', '|', '^', '`', '#', '?', '&', '=', ';', 'A', 'z', '0', '9', '.', '-', '_', '~', ':', '@'];
  const junk = (max: number) => Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(junkChars)).join('');
  const enc = (s: string) => (rand() < 0.5 ? encodeURIComponent(s) : s.replace(/[ #?%\\"<>`{}|^]/g, (c) => encodeURIComponent(c)));
  const indicators = [
    junk(20),
    junk(200),
    'x'.repeat(10_000),
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '../../../../etc/passwd',
    '10.0.0.1',
    '169.254.169.254',
    '::1',
    `${EICAR_MD5}g`,
    EICAR_MD5.slice(0, 31),
    'http://',
    'hxxp://[.]',
    '0x7f000001',
    '1.2.3.4.5',
    '-.-',
    'a'.repeat(300) + '.com',
  ];
  const getPaths = [
    '/api/files/',
    '/api/urls/',
    '/api/domains/',
    '/api/ip_addresses/',
    '/api/lookup/',
    '/api/report/',
    '/api/report/url/',
    '/api/reputation/ip/',
    '/api/reputation/domain/',
    '/api/history/',
    '/api/enrich/',
    '/api/analyses/',
    '/api/batch/',
    '/api/v3/files/',
    '/api/v3/urls/',
    '/api/v3/domains/',
    '/api/v3/ip_addresses/',
    '/api/v3/analyses/',
    '/api/v3/users/',
  ];
  const queries = [
    '',
    '?maxAge=abc',
    '?maxAge=-1',
    '?maxAge=1e400',
    '?wait=maybe',
    '?allowStale=2',
    '?provider=%00',
    '?limit=0',
    '?limit=99999999',
    '?cursor=%ff%fe',
    '?cursor=bm90LWEtY3Vyc29y',
    '?kind=malware',
    '?q=',
    `?q=${encodeURIComponent(junk(30))}`,
    '?after=-5',
    '?wait=1000',
    '?since=-1',
    '?full=yes&limit=1',
  ];
  const postPaths = ['/api/batch', '/api/webhooks', '/api/tokens', '/api/scan/url', '/api/scan/file', '/api/v3/urls', '/api/v3/files', '/api/cache/prune', '/api/v3/_upload/nope'];
  const badBodies = [
    '',
    '{',
    '[]',
    'null',
    '"str"',
    '{"indicators":',
    '{"indicators": "not-an-array"}',
    '{"indicators": [1, 2, 3]}',
    '{"indicators": []}',
    '{"url": 5}',
    '{"url": "javascript:alert(1)", "events": ["nope"]}',
    '{"url": "http://169.254.169.254/", "events": ["batch.completed"]}',
    '{"name": "", "role": "god"}',
    '{"__proto__": {"admin": true}}',
    '\u0000\u0001\u0002',
    'url=%ZZ',
    '--boundary\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
  ];
  const contentTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=boundary', 'multipart/form-data; boundary=', 'application/xml', 'text/plain; charset=utf-16'];
  const tokens = () => pick([`Bearer ${admin}`, `Bearer ${admin}`, `Bearer ${reader}`, 'Bearer vtg_forged0000000000000000000000', 'Basic YWRtaW46YWRtaW4=', `Bearer ${admin}x`, '', 'Bearer', `bearer ${junk(40)}`]);

  const out: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rand();
    const auth = tokens();
    const headers: Record<string, string> = auth ? { authorization: auth } : {};
    if (rand() < 0.2) headers['x-apikey'] = pick([admin, reader, 'wrong', junk(10).replace(/[^\x21-\x7e]/g, 'x')]);
    if (roll < 0.45) {
      out.push({ method: 'GET', path: pick(getPaths) + enc(pick(indicators)) + pick(queries), headers });
    } else if (roll < 0.75) {
      headers['content-type'] = pick(contentTypes);
      out.push({ method: pick(['POST', 'POST', 'PUT', 'PATCH']), path: pick(postPaths) + pick(['', '', '?force=maybe']), headers, body: pick(badBodies) });
    } else if (roll < 0.85) {
      out.push({ method: pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'POST']), path: pick(['/api/health', '/api/quota', '/api/stats', '/api/cache', '/api/files/x', '/metrics', '/', '/api/docs', '/api/tokens/abc', '/api/webhooks/..%2F..']), headers });
    } else if (roll < 0.92) {
      const form = new FormData();
      if (rand() < 0.5) form.append('file', new Blob([junk(100)]), junk(10));
      if (rand() < 0.5) form.append('file', new Blob([junk(10)]), '../../etc/passwd');
      if (rand() < 0.5) form.append('password', junk(300));
      if (rand() < 0.3) form.append('url', junk(50));
      out.push({ method: 'POST', path: pick(['/api/scan/file', '/api/v3/files', '/api/v3/urls', '/api/scan/url']), headers, body: form });
    } else {
      out.push({ method: 'GET', path: pick(['/api/v3/files/', '/api/v3/domains/', '/api/v3/urls/']) + enc(junk(40)) + '/' + enc(pick(['contacted_domains', 'download', '..', junk(10)])) + pick(queries), headers });
    }
  }
  // a few big ones: over the 1 MB JSON limit, over the 5 MB text limit
  out.push({ method: 'POST', path: '/api/batch', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ indicators: ['a'.repeat(2 * 1024 * 1024)] }) });
  out.push({ method: 'POST', path: '/api/batch', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, body: 'example.com\n'.repeat(500_000) });
  out.push({ method: 'POST', path: '/api/webhooks', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: new Uint8Array(1_500_000) });
  return out;
}

/** A request whose body stops short of its Content-Length, then the connection closes. */
function truncated(port: number, path: string, declared: number, sent: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${admin}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${declared}\r\n\r\n${sent}`,
      );
      setTimeout(() => socket.destroy(), 30);
    });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}

test('thousands of malformed requests get 2xx/4xx only, the server stays healthy and leaks no secret', async () => {
  const requests = generate(2500, prng(20260115));
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const r = requests[next++];
      if (!r) return;
      let status: number;
      let text: string;
      try {
        const res = await fetch(t.url + r.path, { method: r.method, headers: r.headers, body: r.body as RequestInit['body'] });
        status = res.status;
        text = await res.text();
      } catch (err) {
        // fetch itself may refuse a request (e.g. an invalid header); that is not the server's doing
        if ((err as Error).name === 'TypeError') continue;
        throw err;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(`${r.method} ${r.path.slice(0, 120)} -> ${status} ${text.slice(0, 200)}`);
      if (text.includes(FAKE_VT_KEY) || text.includes(admin) || text.includes(reader)) failures.push(`secret in the answer to ${r.method} ${r.path.slice(0, 80)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const port = Number(new URL(t.url).port);
  for (let i = 0; i < 20; i++) await truncated(port, pick2(i), 10_000, '--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nabc');

  assert.deepEqual(failures, []);
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  assert.ok(total >= 2400, `only ${total} requests were answered`);
  assert.ok((statuses.get(400) ?? 0) > 100 && (statuses.get(401) ?? 0) > 50 && (statuses.get(404) ?? 0) > 10, JSON.stringify([...statuses]));
  assert.ok((statuses.get(413) ?? 0) >= 2, 'oversized bodies are 413');

  const health = await call(t.url, '/api/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  const lookup = await call(t.url, `/api/files/${EICAR_MD5}`, { token: admin });
  assert.equal(lookup.status, 200, 'still serving real requests');

  // access lines are held up to the flush interval: wait for them rather than read at once
  await until(() => t.logs.length >= 2400, 15_000).catch(() => {});
  assert.ok(t.logs.length >= 2400, 'one log line per request');
  for (const line of t.logs) {
    assert.ok(!line.includes(FAKE_VT_KEY), 'upstream key in a log line');
    assert.ok(!line.includes(admin) && !line.includes(reader), 'client token in a log line');
  }
});

function pick2(i: number): string {
  return ['/api/scan/file', '/api/v3/files', '/api/v3/_upload/x'][i % 3] as string;
}
