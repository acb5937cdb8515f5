// The hand-rendered request metrics say exactly what prom-client would say for the same requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

const BOUNDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120];

/** `name{a="1",b="2"} value` lines as a map from the name and its sorted labels to the value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-z]+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}=${v}`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

test('counts, buckets, sums and escaped labels match prom-client for the same observations', async () => {
  const ours = new RequestMetrics({ count: 'req_total', countHelp: 'Requests', duration: 'req_seconds', durationHelp: 'Durations' }, BOUNDS);
  const registry = new Registry();
  const counter = new Counter({ name: 'req_total', help: 'Requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const histogram = new Histogram({ name: 'req_seconds', help: 'Durations', labelNames: ['method', 'route'], buckets: BOUNDS, registers: [registry] });
  const observations: Array<[string, string, number, number]> = [
    ['GET', '/api/files/:hash', 200, 0.0004],
    ['GET', '/api/files/:hash', 200, 0.001],
    ['GET', '/api/files/:hash', 404, 0.02],
    ['GET', '/api/files/:hash', 200, 250],
    ['POST', '/api/batch', 202, 0.3],
    ['GET', 'weird "route"\\with\nnewline', 400, 5],
  ];
  for (const [method, route, status, seconds] of observations) {
    ours.observe(method, route, status, seconds);
    counter.inc({ method, route, status: String(status) });
    histogram.observe({ method, route }, seconds);
  }
  const text = ours.render();
  assert.match(text, /^# HELP req_total Requests\n# TYPE req_total counter\n/);
  assert.match(text, /# TYPE req_seconds histogram\n/);
  assert.match(text, /req_total\{method="GET",route="\/api\/files\/:hash",status="200"\} 3/);
  assert.match(text, /route="weird \\"route\\"\\\\with\\nnewline"/);
  assert.deepEqual(samples(text), samples(await registry.metrics()));
});
