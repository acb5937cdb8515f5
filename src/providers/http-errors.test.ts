import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { FakeClock } from '../clock/index.js';
import { callUpstream, errorFromStatus, ProviderError, parseRetryAfter, scrubSecrets } from './http-errors.js';

const SECRET = 'sk-SECRET-4242-abcdef';
let origin = '';
const sockets = new Set<Socket>();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  const path = req.url ?? '/';
  if (path === '/ok') return void res.end('{"fine":true}');
  if (path === '/503') {
    res.statusCode = 503;
    // An upstream that echoes the key back must not leak it through our error.
    return void res.end(JSON.stringify({ error: `overloaded for key ${SECRET}` }));
  }
  if (path === '/429') {
    res.statusCode = 429;
    res.setHeader('Retry-After', '7');
    return void res.end('{"error":"slow down"}');
  }
  if (path === '/401') {
    res.statusCode = 401;
    return void res.end('{"query_status":"unknown_auth_key"}');
  }
  if (path === '/big') return void res.end('x'.repeat(5000));
  if (path === '/hang') return; // never answers
  res.statusCode = 404;
  res.end();
});
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const clock = new FakeClock(Date.UTC(2026, 0, 15, 12, 0, 0));
function call(path: string, extra: { timeoutMs?: number; signal?: AbortSignal; maxBodyBytes?: number } = {}) {
  return callUpstream({
    provider: 'urlhaus',
    method: 'GET',
    url: origin + path,
    headers: { 'auth-key': SECRET },
    timeoutMs: extra.timeoutMs ?? 5000,
    signal: extra.signal,
    clock,
    secrets: [SECRET],
    maxBodyBytes: extra.maxBodyBytes,
  });
}

function assertNoSecret(err: unknown): void {
  const e = err as Error;
  for (const text of [String(e), e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 })]) {
    assert.ok(!text.includes(SECRET), `secret leaked in: ${text.slice(0, 200)}`);
  }
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
    assertNoSecret(err);
    return err;
  }
  assert.fail('expected a failure');
}

test('a 2xx answer comes back as text', async () => {
  const answer = await call('/ok');
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.text), { fine: true });
});

test('5xx is a retryable TransientError and the echoed key is scrubbed', async () => {
  const err = await failure(call('/503'));
  assert.equal(err.code, 'TransientError');
  assert.equal(err.status, 503);
  assert.equal(err.retryable, true);
  assert.match(err.message, /\[redacted\]/);
});

test('429 is a QuotaExceededError carrying Retry-After', async () => {
  const err = await failure(call('/429'));
  assert.equal(err.code, 'QuotaExceededError');
  assert.equal(err.retryable, true);
  assert.equal(err.retryAfterMs, 7000);
});

test('401 fails fast as WrongCredentialsError', async () => {
  const err = await failure(call('/401'));
  assert.equal(err.code, 'WrongCredentialsError');
  assert.equal(err.retryable, false);
  assert.match(err.message, /unknown_auth_key/);
});

test('no answer within the timeout is a retryable TimeoutError', async () => {
  const err = await failure(call('/hang', { timeoutMs: 150 }));
  assert.equal(err.code, 'TimeoutError');
  assert.equal(err.status, 0);
  assert.equal(err.retryable, true);
});

test('a refused connection is a retryable NetworkError without the key', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const err = await failure(
    callUpstream({
      provider: 'spur',
      method: 'GET',
      url: `http://127.0.0.1:${port}/v2/context/1.2.3.4`,
      headers: { token: SECRET },
      timeoutMs: 2000,
      clock,
      secrets: [SECRET],
    }),
  );
  assert.equal(err.code, 'NetworkError');
  assert.equal(err.retryable, true);
  assert.equal(err.cause, undefined);
});

test("the caller's abort is passed through as the caller's reason", async () => {
  const controller = new AbortController();
  const reason = new Error('user cancelled');
  const pending = call('/hang', { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 30);
  await assert.rejects(pending, (err) => err === reason);
});

test('an answer larger than the cap is refused', async () => {
  const err = await failure(call('/big', { maxBodyBytes: 1000 }));
  assert.equal(err.code, 'InvalidResponseError');
});

test('Retry-After as seconds or as an HTTP date', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test('scrubSecrets removes plain and URL-encoded forms', () => {
  const email = 'ops+isc@example.org';
  const text = `GET /api?email=${encodeURIComponent(email)} from ${email}`;
  const out = scrubSecrets(text, [email]);
  assert.ok(!out.includes(email) && !out.includes(encodeURIComponent(email)));
  assert.equal(errorFromStatus('dshield', 403, `blocked ${email}`, undefined, [email]).message.includes(email), false);
});
