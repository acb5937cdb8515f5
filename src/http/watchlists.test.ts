// /api/watchlists, POST /api/refresh, GET /api/quota/forecast and the harvest gauges in /metrics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import type { MockServer } from '../mock/index.js';
import { call, type TestServer, withUpstreamServer } from './test-support/harness.js';

let mock: MockServer;
let t: TestServer;
const clock = new FakeClock(Date.UTC(2026, 2, 10, 12));

withUpstreamServer({
  clock,
  ready: (up) => {
    ({ mock, server: t } = up);
  },
});

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('watchlists over HTTP: add, list, show, refresh by hand, forecast, metrics, delete', async () => {
  const added = await call(t.url, '/api/watchlists', json({ name: 'team-a', indicators: ['example.org', '8.8.8.8', 'nope nope'], everyMs: 43_200_000 }));
  assert.equal(added.status, 201, added.text);
  const doc = JSON.parse(added.text);
  assert.equal(doc.added, 2);
  assert.equal(doc.invalid.length, 1);
  const bad = await call(t.url, '/api/watchlists', json({ name: 'bad name', indicators: ['8.8.8.8'] }));
  assert.equal(bad.status, 400);

  const list = JSON.parse((await call(t.url, '/api/watchlists')).text);
  assert.deepEqual(list.watchlists.map((w: { name: string; items: number }) => [w.name, w.items]), [['team-a', 2]]);
  const shown = JSON.parse((await call(t.url, '/api/watchlists/team-a')).text);
  assert.equal(shown.items.length, 2);
  assert.equal((await call(t.url, '/api/watchlists/none')).status, 404);

  const before = mock.stats().total;
  const refreshed = await call(t.url, '/api/refresh', json({ budget: 5 }));
  assert.equal(refreshed.status, 200, refreshed.text);
  const r = JSON.parse(refreshed.text);
  assert.equal(r.calls, 2);
  assert.ok(r.refreshed.every((x: { source: string }) => x.source === 'watchlist'));
  assert.ok(mock.stats().total - before >= 2);

  const f = await call(t.url, '/api/quota/forecast');
  assert.equal(f.status, 200, f.text);
  const forecast = JSON.parse(f.text);
  assert.ok(forecast.windows.some((w: { window: string }) => w.window === 'day'));
  assert.equal(forecast.harvest.budget, 0, 'noon is outside the harvest window');

  const metrics = (await call(t.url, '/metrics')).text;
  assert.match(metrics, /^vtg_harvest\{what="calls"\} 2$/m);
  assert.match(metrics, /^vtg_quota_forecast_left_at_reset\{window="day"\} \d+$/m);

  const removed = await call(t.url, '/api/watchlists/team-a/items?indicator=example%5B.%5Dorg', { method: 'DELETE' });
  assert.equal(removed.status, 200, removed.text);
  assert.deepEqual(JSON.parse((await call(t.url, '/api/watchlists/team-a')).text).items.map((i: { indicator: string }) => i.indicator), ['8.8.8.8']);
  assert.equal((await call(t.url, '/api/watchlists/team-a/items?indicator=example.org', { method: 'DELETE' })).status, 404, 'no longer on it');
  assert.equal((await call(t.url, '/api/watchlists/team-a/items?indicator=not%20one', { method: 'DELETE' })).status, 400);

  assert.equal((await call(t.url, '/api/watchlists/team-a', { method: 'DELETE' })).status, 200);
  assert.equal((await call(t.url, '/api/watchlists/team-a', { method: 'DELETE' })).status, 404);
});
