// One client cannot stop the service: idle uploads hold no slot that cached reads or health need, a
// slow body is cut off, and spent quota is a 429 at once, not a connection held for minutes.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { EICAR_SHA256, type MockServer } from '../mock/index.js';
import { call, startTestServer, type TestServer, until } from './test-support/harness.js';
import { startUpstream, upstreamEnv } from './test-support/upstream.js';

let mock: MockServer;
before(async () => {
  mock = await startUpstream();
});
after(async () => {
  await mock.close();
});

const BOUNDARY = 'hostileboundary';
const HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;

interface Idle {
  socket: Socket;
  /** What the server wrote back (if anything). */
  answer: string;
  closed: boolean;
}

/** An upload that sends its multipart head and 4 bytes of a 1 MB body, then nothing. */
function idleUpload(url: string, token: string): Promise<Idle> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const idle: Idle = { socket, answer: '', closed: false };
    socket.on('data', (c) => {
      idle.answer += String(c);
    });
    socket.on('close', () => {
      idle.closed = true;
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(
        `POST /api/scan/file HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 1000000\r\n\r\n${HEAD}abcd`,
      );
      resolve(idle);
    });
    socket.once('error', reject);
  });
}

describe('256 idle uploads from one analyst token', () => {
  let t: TestServer;
  let hostile: string;
  let neighbour: string;
  before(async () => {
    t = await startTestServer({ env: upstreamEnv(mock), server: { limits: { bodyGraceMs: 1500, bodyMinBytesPerSecond: 1024 } } });
    hostile = (await t.gateway.tokens.create({ name: 'hostile', role: 'analyst' })).token;
    neighbour = (await t.gateway.tokens.create({ name: 'neighbour', role: 'analyst' })).token;
    const primed = await call(t.url, `/api/files/${EICAR_SHA256}`, { token: neighbour });
    assert.equal(primed.status, 200, primed.text);
  });
  after(() => t.close());

  test('health and cached lookups are still served, the extra uploads are refused at once, and the idle ones are cut off', async () => {
    const started = Date.now();
    const idles = await Promise.all(Array.from({ length: 256 }, () => idleUpload(t.url, hostile)));
    // beyond its share of the upload lane the token is told at once (429), not queued
    const refused = await until(() => {
      const n = idles.filter((i) => i.answer.startsWith('HTTP/1.1 429')).length;
      return n >= 200 ? n : 0;
    });
    assert.ok(refused >= 200, `refused ${refused}`);
    for (let i = 0; i < 20; i++) {
      const health = await call(t.url, '/api/health');
      assert.equal(health.status, 200, health.text);
      const cached = await call(t.url, `/api/files/${EICAR_SHA256}`, { token: neighbour });
      assert.equal(cached.status, 200, cached.text);
      assert.equal(cached.body.source, 'cache');
      // the hostile token's own cached reads are a lane of their own as well
      assert.equal((await call(t.url, `/api/files/${EICAR_SHA256}`, { token: hostile })).status, 200);
    }
    // the admitted idle uploads get 408 BodyTooSlow and are disconnected well within 15 s
    await until(() => idles.every((i) => i.closed), 15_000);
    const slow = idles.filter((i) => i.answer.startsWith('HTTP/1.1 408'));
    assert.ok(slow.length >= 1, 'some uploads were admitted and then cut off');
    assert.match(slow[0]?.answer ?? '', /"code":"BodyTooSlow"/);
    assert.ok(Date.now() - started < 30_000, 'the whole siege was over in seconds, not minutes');
    // the slots are free again: a real upload from the same token goes through
    const form = new FormData();
    form.set('file', new Blob([Buffer.from('hello hostile world')]), 'h.txt');
    const up = await call(t.url, '/api/scan/file', { method: 'POST', body: form, token: hostile });
    assert.equal(up.status, 200, up.text);
  });
});

describe('spent quota', () => {
  let t: TestServer;
  let own: MockServer;
  before(async () => {
    // a simulator of its own: a shared one would report the other suite's calls at reconcile time
    own = await startUpstream();
    t = await startTestServer({ env: upstreamEnv(own, { VTG_VT_LIMITS: 'minute=6000,hour=100000,day=1,month=1000000', VTG_RECONCILE_INTERVAL: '100000' }) });
    const first = await call(t.url, '/api/lookup/spent-quota.example.com');
    assert.equal(first.status, 200, first.text);
  });
  after(async () => {
    await t.close();
    await own.close();
  });

  test('uploads, URL scans and /api/v3/urls answer 429 with Retry-After at once', async () => {
    const started = Date.now();
    const form = new FormData();
    form.set('file', new Blob([Buffer.alloc(10 * 1024, 7)]), 'ten-k.bin');
    const upload = await call(t.url, '/api/scan/file', { method: 'POST', body: form });
    assert.equal(upload.status, 429, upload.text);
    assert.ok(Number(upload.headers.get('retry-after')) > 0);
    const url = await call(t.url, '/api/scan/url', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://spent.example.com/' }) });
    assert.equal(url.status, 429, url.text);
    assert.ok(Number(url.headers.get('retry-after')) > 0);
    const v3 = await call(t.url, '/api/v3/urls', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'url=https%3A%2F%2Fspent.example.com%2F' });
    assert.equal(v3.status, 429, v3.text);
    assert.equal(v3.body.error.code, 'QuotaExceededError');
    assert.ok(Number(v3.headers.get('retry-after')) > 0);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });
});
