// The VirusTotal-compatible surface, driven the way vt-py and vt-cli drive it (raw requests).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import { CLEAN_SHA256, EICAR_MD5, EICAR_SHA256, NOT_FOUND_SHA256 } from '../mock/index.js';
import { type Answer, call, type TestServer, until, withUpstreamServer } from './test-support/harness.js';

let t: TestServer;
let token: string;

/** What vt-py sends with every request. */
function vtpy(init: RequestInit = {}): RequestInit & { token: string } {
  const headers = new Headers(init.headers);
  headers.set('user-agent', 'unknown; vtpy 0.22.0; gzip');
  headers.set('accept-encoding', 'gzip');
  return { ...init, headers, token };
}

function v3(path: string, init: RequestInit = {}): Promise<Answer> {
  return call(t.url, `/api/v3${path}`, vtpy(init));
}

withUpstreamServer({
  env: { VTG_ALLOWED_HOSTS: 'gateway.internal' },
  ready: async (up) => {
    t = up.server;
    const created = await call(t.url, '/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'vtpy', role: 'analyst' }),
    });
    token = created.body.token;
  },
});

describe('objects', () => {
  test('a file by MD5 comes back as the VT object with its sha256 id and an absolute link on the gateway', async () => {
    const r = await v3(`/files/${EICAR_MD5}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.body.data.type, 'file');
    assert.equal(r.body.data.id, EICAR_SHA256);
    assert.equal(r.body.data.links.self, `${t.url}/api/v3/files/${EICAR_SHA256}`);
    assert.equal(r.body.data.attributes.last_analysis_stats.malicious, 62);
  });

  test('an unknown file is VT\'s 404 NotFoundError body', async () => {
    const r = await v3(`/files/${NOT_FOUND_SHA256}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { error: { code: 'NotFoundError', message: `File "${NOT_FOUND_SHA256}" not found` } });
  });

  test('URLs by base64url id or sha256, domains and IPs', async () => {
    const url = 'http://www.virustotal.com';
    const id = Buffer.from(url).toString('base64url');
    const byB64 = await v3(`/urls/${id}`);
    assert.equal(byB64.status, 200, byB64.text);
    assert.equal(byB64.body.data.type, 'url');
    const sha = byB64.body.data.id;
    assert.match(sha, /^[0-9a-f]{64}$/);
    const bySha = await v3(`/urls/${sha}`);
    assert.equal(bySha.status, 200);
    assert.equal(bySha.body.data.links.self, `${t.url}/api/v3/urls/${sha}`);
    const domain = await v3('/domains/example.com');
    assert.equal(domain.body.data.type, 'domain');
    assert.equal(domain.body.data.id, 'example.com');
    const ip = await v3('/ip_addresses/8.8.8.8');
    assert.equal(ip.body.data.type, 'ip_address');
  });

  test('links follow the Host header the client used (an allowed name)', async () => {
    const { port } = new URL(t.url);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: `/api/v3/files/${EICAR_SHA256}`, headers: { host: 'gateway.internal:8443', 'x-apikey': token } },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(JSON.parse(body).data.links.self, `http://gateway.internal:8443/api/v3/files/${EICAR_SHA256}`);
  });

  test('bad ids are 400s with VT error codes; unknown paths are NotFoundError', async () => {
    const bad = await v3('/files/xyz');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidArgumentError');
    const nothing = await v3('/nothing/here');
    assert.equal(nothing.status, 404);
    assert.equal(nothing.body.error.code, 'NotFoundError');
  });
});

describe('scans', () => {
  test('vt-py scan_file: GET upload_url, POST the multipart file there (200), poll the analysis, fetch its item', async () => {
    const uploadUrl = await v3('/files/upload_url');
    assert.equal(uploadUrl.status, 200);
    assert.match(uploadUrl.body.data, new RegExp(`^${t.url}/api/v3/_upload/[A-Za-z0-9_-]+$`));
    const content = randomBytes(2048);
    const form = new FormData();
    form.append('file', new Blob([content]), 'sample.exe');
    const posted = await fetch(uploadUrl.body.data, vtpy({ method: 'POST', body: form }) as RequestInit);
    assert.equal(posted.status, 200);
    const descriptor = (await posted.json()) as { data: { type: string; id: string; links: { self: string } } };
    assert.equal(descriptor.data.type, 'analysis');
    assert.equal(descriptor.data.links.self, `${t.url}/api/v3/analyses/${descriptor.data.id}`);

    const form2 = new FormData();
    form2.append('file', new Blob([content]), 'sample.exe');
    const reused = await fetch(uploadUrl.body.data, vtpy({ method: 'POST', body: form2 }) as RequestInit);
    assert.equal(reused.status, 404, 'an upload URL works once');

    const completed = await until(async () => {
      const r = await call(t.url, descriptor.data.links.self.slice(t.url.length), vtpy());
      assert.equal(r.status, 200, r.text);
      return r.body.data.attributes.status === 'completed' ? r : undefined;
    });
    assert.equal(completed.body.meta.file_info.sha256, createHash('sha256').update(content).digest('hex'));
    const item = await v3(`/analyses/${encodeURIComponent(descriptor.data.id)}/item`);
    assert.equal(item.status, 200, item.text);
    assert.equal(item.body.data.type, 'file');
    assert.equal(item.body.data.id, completed.body.meta.file_info.sha256);
  });

  test('vt-go direct upload: POST /files multipart answers 200 with a descriptor', async () => {
    const form = new FormData();
    form.append('file', new Blob([randomBytes(512)]), 'direct.bin');
    const r = await v3('/files', { method: 'POST', body: form });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.type, 'analysis');
  });

  test('POST /urls takes `url` urlencoded (vt-py) and multipart (vt-go), answering 200', async () => {
    const urlencoded = await v3('/urls', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url: 'http://vtpy.example.com/x' }).toString(),
    });
    assert.equal(urlencoded.status, 200, urlencoded.text);
    assert.match(urlencoded.body.data.id, /^u-[0-9a-f]{64}-\d+$/);
    assert.equal(urlencoded.body.data.links.self, `${t.url}/api/v3/analyses/${urlencoded.body.data.id}`);
    const form = new FormData();
    form.append('url', 'http://vtgo.example.com/y');
    const multipart = await v3('/urls', { method: 'POST', body: form });
    assert.equal(multipart.status, 200, multipart.text);
    assert.equal(multipart.body.data.type, 'analysis');
    const missing = await v3('/urls', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'nope=1' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'BadRequestError');
  });

  test('rescans of files and URLs answer a descriptor', async () => {
    const file = await v3(`/files/${CLEAN_SHA256}/analyse`, { method: 'POST' });
    assert.equal(file.status, 200, file.text);
    assert.equal(file.body.data.type, 'analysis');
    const sha = createHash('sha256').update('http://rescan.example.com/').digest('hex');
    const unknown = await v3(`/urls/${sha}/analyse`, { method: 'POST' });
    assert.equal(unknown.status, 404, 'an unknown URL is passed on as VT answered it');
    assert.equal(unknown.body.error.code, 'NotFoundError');
    await v3('/urls', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'url=http%3A%2F%2Frescan.example.com%2F' });
    const url = await v3(`/urls/${sha}/analyse`, { method: 'POST' });
    assert.equal(url.status, 200, url.text);
    assert.equal(url.body.data.type, 'analysis');
  });
});

describe('collections and quotas', () => {
  test('a relationship keeps meta.cursor and gets an absolute links.next on the gateway that works', async () => {
    const first = await v3(`/files/${CLEAN_SHA256}/contacted_domains?limit=2`);
    assert.equal(first.status, 200, first.text);
    assert.ok(Array.isArray(first.body.data));
    assert.equal(first.body.data.length, 2);
    assert.equal(typeof first.body.meta.cursor, 'string');
    const next: string = first.body.links.next;
    assert.ok(next.startsWith(`${t.url}/api/v3/files/${CLEAN_SHA256}/contacted_domains?`), next);
    for (const item of first.body.data) assert.ok(item.links.self.startsWith(`${t.url}/api/v3/`));
    const second = await call(t.url, next.slice(t.url.length), vtpy());
    assert.equal(second.status, 200);
    assert.notDeepEqual(second.body.data.map((d: { id: string }) => d.id), first.body.data.map((d: { id: string }) => d.id));
    const refused = await v3(`/files/${CLEAN_SHA256}/download`);
    assert.equal(refused.status, 400);
  });

  test("overall_quotas reports the gateway's own view in VT's shape", async () => {
    const r = await v3('/users/me/overall_quotas');
    assert.equal(r.status, 200);
    for (const window of ['api_requests_hourly', 'api_requests_daily', 'api_requests_monthly']) {
      assert.equal(typeof r.body.data[window].user.allowed, 'number', window);
      assert.equal(typeof r.body.data[window].user.used, 'number', window);
    }
    const quota = await call(t.url, '/api/quota', { token });
    const day = quota.body.windows.find((w: { window: string }) => w.window === 'day');
    assert.equal(r.body.data.api_requests_daily.user.allowed, day.limit);
    assert.ok(r.body.data.api_requests_daily.user.used >= 1);
  });
});
