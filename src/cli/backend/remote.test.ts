/**
 * What remote mode sends over the wire, against a recording HTTP server on 127.0.0.1: --cache-only
 * and --priority reach the lookup and enrich routes, scans carry their priority, rescans and analysis
 * items use their own routes, and the client token travels only in the Authorization header.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CliFailure } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { openRemote } from './remote.js';

interface Seen {
  method: string;
  url: URL;
  authorization: string | undefined;
  body: string;
}

const TOKEN = 'vtg_remote-test-token-0123456789';
const LOOKUP = { indicator: { kind: 'domain', value: 'example.com', id: 'example.com' }, provider: 'virustotal', source: 'cache', stale: false, ageMs: 5, fetchedAt: 1, report: { verdict: 'harmless' } };
const SCAN = { kind: 'url', target: 'https://example.com/', submitted: true, analysisId: 'u-abc-123', report: null };

let server: Server;
let origin: string;
let dir: string;
const seen: Seen[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtg-remote-'));
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ method: req.method ?? '', url, authorization: req.headers.authorization, body: await readBody(req) });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/health') return send(200, { status: 'ok', mock: false });
    if (url.pathname === '/api/quota') {
      const calls = url.searchParams.get('calls');
      // 7 s a call; a server that cannot say (a key refused) answers null
      return send(200, { provider: url.searchParams.get('provider') ?? 'virustotal', ...(calls === null ? {} : { etaMs: calls === '99' ? null : Number(calls) * 7000 }) });
    }
    if (url.pathname === '/api/lookup' && url.searchParams.get('q') === 'missing.example') return send(404, { error: { code: 'NotCached', message: 'missing.example is not in the cache' } });
    if (url.pathname === '/api/lookup' || url.pathname.endsWith('/item')) return send(200, LOOKUP);
    if (url.pathname.startsWith('/api/enrich/')) return send(200, { indicator: LOOKUP.indicator, verdict: 'harmless', sources: [] });
    if (url.pathname === '/api/scan/url' || url.pathname === '/api/scan/file' || url.pathname === '/api/rescan') return send(200, SCAN);
    send(404, { error: { code: 'NotFound', message: 'no such route' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function last(): Seen {
  return seen[seen.length - 1] as Seen;
}

test('lookups and enrichments carry cacheOnly and priority; a cache miss is an upstream failure (exit 3)', async () => {
  const remote = await openRemote({ server: origin, token: TOKEN });
  const result = await remote.lookup('example.com', { priority: 'background', cacheOnly: true });
  assert.equal(result.report.verdict, 'harmless');
  assert.equal(last().url.pathname, '/api/lookup');
  assert.deepEqual(Object.fromEntries(last().url.searchParams), { q: 'example.com', priority: 'background', wait: 'true', cacheOnly: 'true' });

  await remote.lookup('example.com', { priority: 'interactive' });
  assert.equal(last().url.searchParams.get('cacheOnly'), null, 'not sent unless asked for');

  await assert.rejects(remote.lookup('missing.example', { cacheOnly: true }), (err: unknown) => err instanceof CliFailure && err.exitCode === EXIT.failure && /not in the cache/.test(err.message));

  await remote.enrich('1.2.3.4', { providers: ['dshield', 'spur'], priority: 'batch', cacheOnly: true });
  assert.equal(last().url.pathname, '/api/enrich/1.2.3.4');
  assert.deepEqual(Object.fromEntries(last().url.searchParams), { providers: 'dshield,spur', priority: 'batch', cacheOnly: 'true' });
});

test('scans carry their priority; rescan and the analysis item use their routes', async () => {
  const remote = await openRemote({ server: origin, token: TOKEN });
  await remote.scanUrl('https://example.com/', { priority: 'background' });
  assert.deepEqual([last().method, last().url.pathname], ['POST', '/api/scan/url']);
  assert.deepEqual(JSON.parse(last().body), { url: 'https://example.com/', priority: 'background' });

  const sample = join(dir, 'sample.bin');
  writeFileSync(sample, 'not malware');
  await remote.scanFile(sample, { priority: 'batch' });
  assert.deepEqual([last().method, last().url.pathname], ['POST', '/api/scan/file']);
  assert.match(last().body, /name="priority"\r\n\r\nbatch\r\n/);

  const scan = await remote.rescan('a'.repeat(64), { kind: 'url', priority: 'interactive' });
  assert.equal(scan.analysisId, 'u-abc-123');
  assert.deepEqual([last().method, last().url.pathname], ['POST', '/api/rescan']);
  assert.deepEqual(JSON.parse(last().body), { indicator: 'a'.repeat(64), kind: 'url', priority: 'interactive' });

  const item = await remote.analysisItem('u-abc=:123');
  assert.equal(item.indicator.value, 'example.com');
  assert.deepEqual([last().method, last().url.pathname], ['GET', '/api/analyses/u-abc%3D%3A123/item']);
});

test('the client token goes in the Authorization header only', () => {
  assert.ok(seen.length > 5);
  for (const s of seen) {
    assert.equal(s.authorization, `Bearer ${TOKEN}`);
    assert.ok(!s.url.href.includes(TOKEN) && !s.body.includes(TOKEN));
  }
});

test("the ETA of a --server run is the server's governor estimate (GET /api/quota with calls and priority)", async () => {
  const remote = await openRemote({ server: origin, token: TOKEN });
  assert.equal(await remote.eta('virustotal', 2.2, 'batch'), 21_000);
  assert.equal(last().url.pathname, '/api/quota');
  assert.deepEqual(Object.fromEntries(last().url.searchParams), { provider: 'virustotal', calls: '3', priority: 'batch' });
  assert.equal(await remote.eta('virustotal', 99, 'interactive'), Number.POSITIVE_INFINITY, 'null: the server cannot say');
});
