// ops/: the Grafana dashboard and the Prometheus alerts name only metrics that a live /metrics exposes;
// the alert rules pass `promtool check rules` and their unit tests (skipped with a note without promtool).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { call, startTestServer, type TestServer } from './test-support/harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const GRAFANA = join(ROOT, 'ops/grafana/vt-gateway.json');
const ALERTS_DIR = join(ROOT, 'ops/prometheus');
const run = promisify(execFile);

function promtool(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'promtool'))) return join(dir, 'promtool');
  return undefined;
}

let t: TestServer;
let exposed: Set<string>;

before(async () => {
  t = await startTestServer();
  await call(t.url, '/api/lookup?q=example.com'); // some traffic, so labelled series exist too
  const text = (await call(t.url, '/metrics')).text;
  exposed = new Set();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    exposed.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(name + suffix);
  }
  for (const m of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)) exposed.add(m[1] as string);
});
after(() => t?.close());

/** Every vtg_* metric name an expression uses. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(vtg_[a-z0-9_]+)\b/g)].map((m) => m[1] as string);
}

test('every Grafana query names only metrics that /metrics exposes', () => {
  const dash = JSON.parse(readFileSync(GRAFANA, 'utf8'));
  const exprs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'expr' || k === 'query' || k === 'definition') && typeof x === 'string' && x !== 'prometheus') exprs.push(x);
        else walk(x);
      }
    }
  };
  walk(dash);
  assert.ok(exprs.length >= 15, `found ${exprs.length} queries`);
  const titles = dash.panels.map((p: { title: string }) => p.title.toLowerCase()).join(' | ');
  for (const topic of ['quota', 'hit ratio', 'upstream calls by outcome', '429', 'queue depth', 'batch progress', 'webhook deliveries']) assert.match(titles, new RegExp(topic), topic);
  for (const expr of exprs) {
    const names = metricsIn(expr);
    assert.ok(names.length > 0, `query names no vt-gateway metric: ${expr}`);
    for (const name of names) assert.ok(exposed.has(name), `${name} (in ${expr}) is not exposed by /metrics`);
  }
});

test('every alert names only metrics that /metrics exposes', () => {
  const text = readFileSync(join(ALERTS_DIR, 'alerts.yml'), 'utf8');
  const names = metricsIn(text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n'));
  assert.ok(names.length >= 8);
  for (const name of names) assert.ok(exposed.has(name), `${name} is not exposed by /metrics`);
  for (const alert of ['VtgQuotaCritical', 'VtgDailyQuotaRunsOutBeforeReset', 'VtgUpstream429s', 'VtgUpstreamKeyUnhealthy', 'VtgWebhookDeadLetters', 'VtgRedisDown', 'VtgStoreDown']) {
    assert.match(text, new RegExp(`alert: ${alert}\\b`), alert);
  }
  assert.match(text, /predict_linear\(vtg_quota_used\{window="day"\}/);
});

const tool = promtool();
if (!tool) console.log('# promtool tests skipped: promtool is not installed (apt-get install prometheus)');

test('promtool check rules and promtool test rules pass', { skip: tool ? false : 'promtool is not installed' }, async () => {
  const check = await run(tool as string, ['check', 'rules', 'alerts.yml'], { cwd: ALERTS_DIR });
  assert.match(check.stdout, /SUCCESS: \d+ rules found/);
  const unit = await run(tool as string, ['test', 'rules', 'alerts.test.yml'], { cwd: ALERTS_DIR });
  assert.match(unit.stdout, /SUCCESS/);
});
