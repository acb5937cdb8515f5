// A cold dashboard load (page, assets, the API calls of the overview, the event stream) makes no upstream call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, withUpstreamServer } from '../test-support/harness.js';

const up = withUpstreamServer();

test('loading the dashboard and its overview data costs no upstream request', async () => {
  // background quota reconciliation (overall_quotas) runs on its own schedule; count everything else
  const lookups = () => up.mock.stats().requests.filter((r) => !/quota/.test(r.endpoint)).length;
  const before = lookups();
  const page = await call(up.server.url, '/');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /Mock mode/);
  for (const path of ['/dashboard/assets/app.js', '/dashboard/assets/views.js', '/dashboard/assets/admin.js', '/dashboard/assets/forecast.js', '/dashboard/assets/watchlists.js', '/dashboard/assets/style.css', '/api/quota/forecast', '/api/watchlists', '/api/providers', '/api/stats', '/api/batch', '/api/history/changes', '/api/health', '/metrics']) {
    assert.equal((await call(up.server.url, path)).status, 200, path);
  }
  const events = await fetch(`${up.server.url}/api/events?interval=250`);
  const reader = events.body?.getReader();
  let text = '';
  while ((text.match(/event: overview/g) ?? []).length < 2) text += new TextDecoder().decode((await reader?.read())?.value);
  await reader?.cancel();
  assert.equal(lookups(), before, 'no upstream request');
});
