// Mock mode over HTTP: every answer from the simulator says `"simulated": true`, and no link names
// the simulator's loopback port. With a key, answers carry no such marker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EICAR_SHA256 } from '../mock/index.js';
import { call, startTestServer, type TestServer } from './test-support/harness.js';
import { startUpstream, upstreamEnv } from './test-support/upstream.js';
import type { MockServer } from '../mock/index.js';

const LOOPBACK_PORT = /(?:127\.0\.0\.1|localhost|\[::1\]):\d+/;

async function analystToken(t: TestServer): Promise<string> {
  const created = await call(t.url, '/api/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'analyst', role: 'analyst' }),
  });
  return created.body.token as string;
}

/** Every `links` value in a JSON document. */
function linksOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) linksOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'links' && v && typeof v === 'object') out.push(...Object.values(v).filter((l): l is string => typeof l === 'string'));
      else linksOf(v, out);
    }
  }
  return out;
}

describe('mock mode (no key)', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await analystToken(t);
  });
  after(() => t?.close());

  test('REST lookups say simulated, fresh and cached, and link to VirusTotal, not the simulator', async () => {
    for (const source of ['upstream', 'cache']) {
      const r = await call(t.url, `/api/lookup/${EICAR_SHA256}`, { token });
      assert.equal(r.status, 200);
      assert.equal(r.body.source, source);
      assert.equal(r.body.simulated, true);
      assert.doesNotMatch(r.text, LOOPBACK_PORT);
      assert.ok(linksOf(r.body).length > 0, 'the report carries its links');
      for (const l of linksOf(r.body)) assert.match(l, /^https:\/\/www\.virustotal\.com\/api\/v3\//);
    }
  });

  test('a URL scan and its analysis say simulated; the analysis names no simulator port', async () => {
    const scan = await call(t.url, '/api/scan/url', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://simulated-marker.example/a' }),
    });
    assert.equal(scan.status, 200, scan.text);
    const id = scan.body.analysisId as string;
    const analysis = await call(t.url, `/api/analyses/${encodeURIComponent(id)}`, { token });
    assert.equal(analysis.status, 200, analysis.text);
    assert.equal(analysis.body.simulated, true);
    assert.doesNotMatch(analysis.text, LOOPBACK_PORT);
  });

  test('/api/v3 answers carry a top-level "simulated": true beside data, with links on the gateway', async () => {
    const r = await call(t.url, `/api/v3/files/${EICAR_SHA256}`, { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.simulated, true);
    assert.equal(r.body.data.type, 'file');
    assert.doesNotMatch(JSON.stringify(linksOf(r.body)), new RegExp(`:(?!${new URL(t.url).port})\\d+/api/v3`));
    const quotas = await call(t.url, '/api/v3/users/me/overall_quotas', { token });
    if (quotas.status === 200) assert.equal(quotas.body.simulated, true);
    const missing = await call(t.url, '/api/v3/files/not-a-hash', { token });
    assert.equal(missing.body.simulated, undefined, 'errors keep the VirusTotal error shape');
  });
});

describe('with a key', () => {
  let mock: MockServer;
  let t: TestServer;
  let token: string;
  before(async () => {
    mock = await startUpstream();
    t = await startTestServer({ env: upstreamEnv(mock) });
    token = await analystToken(t);
  });
  after(async () => {
    await t?.close();
    await mock?.close();
  });

  test('answers carry no simulated marker', async () => {
    const r = await call(t.url, `/api/lookup/${EICAR_SHA256}`, { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.simulated, undefined);
    const v3 = await call(t.url, `/api/v3/files/${EICAR_SHA256}`, { token });
    assert.equal(v3.status, 200);
    assert.equal(v3.body.simulated, undefined);
  });
});
