// The status page and the API docs page: self-contained HTML that says so plainly when the gateway runs on its simulator.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startTestServer, type TestServer } from './test-support/harness.js';

let t: TestServer;

before(async () => {
  t = await startTestServer(); // no VirusTotal key: mock mode
});
after(() => t?.close());

/** Anything a browser would fetch from elsewhere: scripts, styles, images, fonts, frames. */
const EXTERNAL = /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\/|@import|url\(\s*["']?(?:https?:)?\/\//i;

test('without a key, the status page and the docs page say "mock mode" and load nothing from elsewhere', async () => {
  assert.equal(t.gateway.mock, true);
  for (const path of ['/', '/api/docs']) {
    const r = await call(t.url, path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(r.text, /^<!doctype html>/);
    assert.match(r.text, /<title>[^<]*\(mock mode\)<\/title>/, `${path} names mock mode in its title`);
    assert.match(r.text, /<strong>Mock mode:<\/strong> no VirusTotal key is configured/, `${path} shows the banner`);
    assert.doesNotMatch(r.text, EXTERNAL, `${path} is self-contained`);
    // only the dashboard's own modules, from this server
    for (const m of r.text.matchAll(/<script\b[^>]*>/gi)) assert.match(m[0], /src="\/dashboard\/assets\/[a-z-]+\.js"/, m[0]);
  }
  const doc = await call(t.url, '/api/openapi.json');
  assert.match(doc.body.info.description, /mock mode/);
  const status = await call(t.url, '/');
  assert.match(status.text, /<main id="main"/);
  for (const asset of ['app.js', 'views.js', 'admin.js', 'search.js', 'style.css', 'uPlot.esm.js', 'uPlot.min.css']) {
    const a = await call(t.url, `/dashboard/assets/${asset}`);
    assert.equal(a.status, 200, asset);
    // no module, script, style or font from another origin (comments and the VirusTotal permalink may name URLs)
    assert.doesNotMatch(a.text, /(?:\bimport\s*\(?\s*|\bfrom\s*)["'](?:https?:)?\/\/|(?:src|href)\s*=\s*["'](?:https?:)?\/\/|@import|url\(\s*["']?(?:https?:)?\/\/|fetch\(\s*["'`](?:https?:)?\/\//i, `${asset} loads nothing from elsewhere`);
  }
  assert.equal((await call(t.url, '/dashboard/assets/..%2Fpackage.json')).status, 404);
});

test('the docs page renders the descriptions\' Markdown: no literal backticks, code in <code>', async () => {
  const r = await call(t.url, '/api/docs');
  assert.equal(r.status, 200);
  // the health route's summary names `status` and `mock` in backticks
  assert.match(r.text, /<code>status<\/code> says ok or degraded, <code>mock<\/code> says simulator mode/);
  const visible = r.text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, '');
  assert.doesNotMatch(visible, /`/, 'no backtick is shown literally');
});
