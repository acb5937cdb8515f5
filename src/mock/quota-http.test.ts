import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { CLEAN_SHA256, type MockServer, keyLabel, startMock } from './index.js';
import { KEY, call } from './test-support/http.js';

const servers: MockServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function publicMock(clock: FakeClock, limits = {}): Promise<MockServer> {
  const mock = await startMock({ profile: 'public', clock, limits });
  servers.push(mock);
  return mock;
}

const lookup = (mock: MockServer, key = KEY) => call(mock, `/files/${CLEAN_SHA256}`, { key });

test('public profile: the 5th request in a minute is 429 QuotaExceededError, allowed again 60 s after the first', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  const mock = await publicMock(clock);
  for (let i = 0; i < 4; i++) {
    assert.equal((await lookup(mock)).status, 200);
    await clock.advance(5_000);
  }
  const refused = await lookup(mock);
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.code, 'QuotaExceededError');
  assert.equal((await lookup(mock, 'another-key-0000')).status, 200, 'quotas are per key');
  await clock.runUntil(Date.UTC(2026, 0, 15, 12, 0, 59, 999));
  assert.equal((await lookup(mock)).status, 429);
  await clock.runUntil(Date.UTC(2026, 0, 15, 12, 1, 0));
  assert.equal((await lookup(mock)).status, 200);
  const stats = mock.stats();
  assert.equal(stats.rejected429, 2);
  assert.equal(stats.byKey[keyLabel(KEY)], 7);
});

test('the minute window slides: 4 requests at 00:00:50 and 4 more at 00:01:10 are refused', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 0, 0, 50));
  const mock = await publicMock(clock);
  for (let i = 0; i < 4; i++) assert.equal((await lookup(mock)).status, 200);
  await clock.runUntil(Date.UTC(2026, 0, 15, 0, 1, 10));
  for (let i = 0; i < 4; i++) assert.equal((await lookup(mock)).status, 429);
  await clock.runUntil(Date.UTC(2026, 0, 15, 0, 1, 50));
  for (let i = 0; i < 4; i++) assert.equal((await lookup(mock)).status, 200);
});

test('the daily quota resets at 00:00 UTC; refused requests do not count', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 23, 58, 0));
  const mock = await publicMock(clock, { day: 3, minute: 100 });
  for (let i = 0; i < 3; i++) assert.equal((await lookup(mock)).status, 200);
  await clock.advance(90_000);
  const refused = await lookup(mock);
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.code, 'QuotaExceededError');
  const quotas = await call(mock, `/users/${KEY}/overall_quotas`);
  assert.deepEqual(quotas.body.data.api_requests_daily, { user: { allowed: 3, used: 3 } });
  await clock.runUntil(Date.UTC(2026, 0, 16, 0, 0, 0));
  assert.equal((await lookup(mock)).status, 200);
  const next = await call(mock, `/users/${KEY}/overall_quotas`);
  assert.deepEqual(next.body.data.api_requests_daily, { user: { allowed: 3, used: 1 } });
  assert.deepEqual(next.body.data.api_requests_monthly, { user: { allowed: 15500, used: 4 } });
});

test('overall_quotas shows live counters in the documented shape; the /users endpoints are free', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  const mock = await publicMock(clock);
  await lookup(mock);
  await call(mock, '/domains/example.com');
  for (let i = 0; i < 3; i++) {
    const { status, body } = await call(mock, `/users/${KEY}/overall_quotas`);
    assert.equal(status, 200);
    assert.deepEqual(body, {
      data: {
        api_requests_hourly: { user: { allowed: 240, used: 2 } },
        api_requests_daily: { user: { allowed: 500, used: 2 } },
        api_requests_monthly: { user: { allowed: 15500, used: 2 } },
      },
    });
  }
  const user = await call(mock, '/users/some-analyst');
  assert.equal(user.body.data.type, 'user');
  assert.equal(user.body.data.id, 'some-analyst');
  assert.deepEqual(user.body.data.attributes.quotas.api_requests_daily, { allowed: 500, used: 2 });
  assert.ok(Number.isInteger(user.body.data.attributes.last_login));
});

test('api_usage reports requests per UTC day and endpoint group', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 23, 59, 0));
  const mock = await publicMock(clock, { minute: 100 });
  await lookup(mock);
  await lookup(mock);
  await call(mock, '/urls', { method: 'POST', body: new URLSearchParams({ url: 'http://a.example/' }) });
  await clock.runUntil(Date.UTC(2026, 0, 16, 0, 0, 30));
  await call(mock, '/domains/example.com');
  const { status, body } = await call(mock, `/users/${KEY}/api_usage`);
  assert.equal(status, 200);
  assert.equal(Object.keys(body.data.daily).length, 30);
  assert.deepEqual(body.data.daily['2026-01-15'], { '/api/v3/(files)': 2, '/api/v3/(url_scan)': 1 });
  assert.deepEqual(body.data.daily['2026-01-16'], { '/api/v3/(domains)': 1 });
  assert.deepEqual(body.data.total, { '/api/v3/(files)': 2, '/api/v3/(url_scan)': 1, '/api/v3/(domains)': 1 });
  const ranged = await call(mock, `/users/${KEY}/api_usage?start_date=20260116&end_date=20260116`);
  assert.deepEqual(ranged.body.data, { daily: { '2026-01-16': { '/api/v3/(domains)': 1 } }, total: { '/api/v3/(domains)': 1 } });
  const tooLong = await call(mock, `/users/${KEY}/api_usage?start_date=20251201&end_date=20260116`);
  assert.equal(tooLong.status, 400);
});

test('setLimits changes the limits live; premium allows far more', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  const mock = await publicMock(clock);
  mock.setLimits({ minute: 1 });
  assert.equal((await lookup(mock)).status, 200);
  assert.equal((await lookup(mock)).status, 429);
  mock.setLimits({});
  assert.equal((await lookup(mock)).status, 200, 'back to the profile minute quota of 4');
  const premium = await startMock({ profile: 'premium', clock });
  servers.push(premium);
  for (let i = 0; i < 20; i++) assert.equal((await lookup(premium)).status, 200);
  assert.throws(() => mock.setLimits({ minute: -1 }), /whole number/);
});
