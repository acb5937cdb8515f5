import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_TABLE } from './test-support.js';
import {
  AuthenticationRequiredError,
  errorFromResponse,
  NotFoundError,
  parseRetryAfter,
  TooManyRequestsError,
  VtError,
} from './index.js';

for (const [status, code, cls, retryable] of ERROR_TABLE) {
  test(`${status} ${code} becomes ${cls.name} (retryable: ${retryable})`, () => {
    const err = errorFromResponse(status, { error: { code, message: `the ${code} message` } });
    assert.ok(err instanceof cls);
    assert.ok(err instanceof VtError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, cls.name);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.equal(err.retryable, retryable);
    assert.equal(err.message, `VirusTotal answered ${status} ${code}: the ${code} message`);
    // the raw text of the body works too
    assert.ok(errorFromResponse(status, JSON.stringify({ error: { code, message: 'm' } })) instanceof cls);
  });
}

test('an unknown code takes the class of its status, keeping its own code', () => {
  const nf = errorFromResponse(404, { error: { code: 'SomethingNewError', message: 'gone' } });
  assert.ok(nf instanceof NotFoundError);
  assert.equal(nf.code, 'SomethingNewError');
  const tm = errorFromResponse(429, { error: { code: 'SlowDownError', message: '' } });
  assert.ok(tm instanceof TooManyRequestsError);
  assert.equal(tm.retryable, true);
  const auth = errorFromResponse(401, {});
  assert.ok(auth instanceof AuthenticationRequiredError);
  assert.equal(auth.code, 'HTTP401');
});

test('other statuses give a plain VtError, retryable for 5xx only', () => {
  const internal = errorFromResponse(500, { error: { code: 'InternalError', message: 'boom' } });
  assert.equal(internal.constructor, VtError);
  assert.equal(internal.retryable, true);
  assert.equal(internal.code, 'InternalError');
  const teapot = errorFromResponse(418, 'short and stout');
  assert.equal(teapot.constructor, VtError);
  assert.equal(teapot.retryable, false);
  assert.equal(teapot.message, 'VirusTotal answered 418 HTTP418: short and stout');
});

test('a non-JSON error page gives a short readable message', () => {
  const html = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`;
  const err = errorFromResponse(502, Buffer.from(html));
  assert.equal(err.constructor, VtError);
  assert.equal(err.status, 502);
  assert.equal(err.retryable, true);
  assert.match(err.message, /^VirusTotal answered 502 HTTP502: 502 Bad Gateway x+…$/);
  assert.ok(err.message.length < 260);
});

test('Retry-After is read as seconds or as an HTTP date, from plain headers or a Headers object', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  assert.equal(parseRetryAfter('30', now), 30_000);
  assert.equal(parseRetryAfter('1.5', now), 1500);
  assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
  assert.equal(parseRetryAfter(new Date(now - 90_000).toUTCString(), now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
  const body = { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } };
  assert.equal(errorFromResponse(429, body, { 'retry-after': '7' }).retryAfterMs, 7000);
  assert.equal(errorFromResponse(429, body, new Headers({ 'Retry-After': '8' })).retryAfterMs, 8000);
  assert.equal(errorFromResponse(429, body, { 'retry-after': ['9', '10'] }).retryAfterMs, 9000);
  const none = errorFromResponse(429, body);
  assert.equal(none.retryAfterMs, undefined);
  assert.equal('retryAfterMs' in JSON.parse(JSON.stringify(none)), false);
});

test('errors serialise to JSON with their fields', () => {
  const err = errorFromResponse(429, { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } }, { 'retry-after': '5' });
  assert.deepEqual(JSON.parse(JSON.stringify(err)), {
    name: 'QuotaExceededError',
    status: 429,
    code: 'QuotaExceededError',
    message: 'VirusTotal answered 429 QuotaExceededError: Quota exceeded',
    retryable: true,
    retryAfterMs: 5000,
  });
});
