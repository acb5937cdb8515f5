import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { type Cls, closedPort, ERROR_TABLE, type LocalServer, sendJson, startLocalServer } from './test-support.js';
import { VirusTotalClient, VtError, VtFileTooLargeError, VtNetworkError, VtResponseError, VtTimeoutError } from './index.js';

const KEY = 'vtkey-SECRET-7d1f0c9b2e4a4b8f9c3d5e6f7a8b9c0d';
const PROXY_PASSWORD = 'proxy-pw-SECRET-41af';

let server: LocalServer;
let client: VirusTotalClient;
let hangs: VirusTotalClient;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vt-secrets-'));
  server = await startLocalServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] as string);
    const echo = `key ${req.headers['x-apikey']} at ${path}`;
    const m = /^\/api\/v3\/code\/(\d+)\/(\w+)$/.exec(path);
    if (m) return sendJson(res, Number(m[1]), { error: { code: m[2], message: echo } });
    if (path.startsWith('/api/v3/users/')) return sendJson(res, 401, { error: { code: 'WrongCredentialsError', message: echo } });
    if (path === '/api/v3/html500') {
      res.writeHead(500, { 'content-type': 'text/html' });
      return void res.end(`<h1>${echo}</h1>`);
    }
    if (path === '/api/v3/notjson') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(echo);
    }
    if (path === '/api/v3/drop') return void req.socket.destroy();
    if (path === '/api/v3/hang') return; // never answered; close() ends it
    sendJson(res, 404, { error: { code: 'NotFoundError', message: echo } });
  });
  // A generous deadline: answers must arrive on a busy machine; only /hang waits it out (see `hangs`).
  client = new VirusTotalClient({ apiKey: KEY, baseUrl: server.url, timeoutMs: 10_000 });
  hangs = new VirusTotalClient({ apiKey: KEY, baseUrl: server.url, timeoutMs: 500 });
});

after(async () => {
  await client.close();
  await hangs.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function assertClean(err: unknown, cls: Cls | typeof VtError): VtError {
  assert.ok(err instanceof cls, `expected ${cls.name}, got ${inspect(err)}`);
  const e = err as VtError;
  for (const [what, text] of [
    ['String(err)', String(e)],
    ['err.stack', e.stack ?? ''],
    ['JSON.stringify(err)', JSON.stringify(e)],
    ['util.inspect(err)', inspect(e, { depth: 10 })],
  ] as const) {
    assert.ok(!text.includes(KEY), `${what} of ${cls.name} holds the API key: ${text}`);
    assert.ok(!text.includes(PROXY_PASSWORD), `${what} of ${cls.name} holds the proxy password`);
  }
  assert.equal(e.cause, undefined);
  return e;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a failure');
}

test('every VT error class: the echoed API key is scrubbed from message, stack, JSON and inspect', async () => {
  for (const [status, code, cls] of ERROR_TABLE) {
    const err = assertClean(await failure(client.getCollection(`/code/${status}/${code}`)), cls);
    assert.equal(err.status, status);
    assert.match(err.message, /key \[redacted\] at/, 'the server did echo the key, and it was scrubbed');
  }
  // the request really carried the key
  assert.equal(server.requests.at(-1)?.headers['x-apikey'], KEY);
});

test('generic, response, network and timeout errors hold no key either', async () => {
  const generic = assertClean(await failure(client.getCollection('/html500')), VtError);
  assert.equal(generic.status, 500);
  assert.match(generic.message, /\[redacted\]/);
  assertClean(await failure(client.getCollection('/notjson')), VtResponseError);
  const dropped = assertClean(await failure(client.getCollection('/drop')), VtNetworkError);
  assert.equal(dropped.retryable, true);
  const hung = assertClean(await failure(hangs.getCollection('/hang')), VtTimeoutError);
  assert.equal(hung.retryable, true);
  // the user id can be the key itself (vt-cli accepts it): the path never reaches the message
  const quota = assertClean(await failure(client.overallQuotas(KEY)), VtError);
  assert.match(quota.message, /\[redacted\]/);
});

test('connection refused, a refused proxy and an oversized file hold no secret', async () => {
  const port = await closedPort();
  const refusedClient = new VirusTotalClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
  try {
    const refused = assertClean(await failure(refusedClient.getFile('44d88612fea8a8f36de82e1278abb02f')), VtNetworkError);
    assert.equal((refused as VtNetworkError).errno, 'ECONNREFUSED');
  } finally {
    await refusedClient.close();
  }
  const proxied = new VirusTotalClient({
    apiKey: KEY,
    baseUrl: server.url,
    proxy: `http://user:${PROXY_PASSWORD}@127.0.0.1:${port}`,
    timeoutMs: 2000,
  });
  try {
    assertClean(await failure(proxied.getFile('44d88612fea8a8f36de82e1278abb02f')), VtNetworkError);
  } finally {
    await proxied.close();
  }

  const big = join(dir, `${KEY}.bin`);
  await writeFile(big, '');
  await truncate(big, 651 * 1024 * 1024); // sparse: takes no disk space
  const before = server.requests.length;
  const tooLarge = assertClean(await failure(client.scanFile(big, { filename: 'x.bin' })), VtFileTooLargeError);
  assert.match(tooLarge.message, /at most 681574400 bytes/);
  assert.equal(server.requests.length, before, 'refused before any request');
});

test('an empty or unusable key, or a bad proxy URL, is refused by the constructor without echoing it', () => {
  assert.throws(
    () => new VirusTotalClient({ apiKey: KEY, proxy: `http://user:${PROXY_PASSWORD}@[bad` }),
    (err: unknown) => err instanceof TypeError && !inspect(err).includes(PROXY_PASSWORD) && /proxy URL is not valid/.test(String(err)),
  );
  assert.throws(() => new VirusTotalClient({ apiKey: '' }), /API key is missing/);
  assert.throws(() => new VirusTotalClient({ apiKey: '   ' }), /API key is missing/);
  const bad = `${KEY}\r\nx-evil: 1`;
  assert.throws(
    () => new VirusTotalClient({ apiKey: bad }),
    (err: unknown) => err instanceof TypeError && !String(err).includes(KEY) && /cannot be sent in a header/.test(String(err)),
  );
});
