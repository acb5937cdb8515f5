// /metrics shows upstream trouble: 429 answers and retries, as the gateway counted them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import type { MockServer } from '../../mock/index.js';
import { call, type TestServer, until, withUpstreamServer } from '../test-support/harness.js';

let mock: MockServer;
let t: TestServer;
// fake time: the scheduler's back-off after a 429 passes when the test says so
const clock = new FakeClock(Date.now());

withUpstreamServer({
  clock,
  ready: (up) => {
    ({ mock, server: t } = up);
  },
});

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `${name} is exported`);
  return Number(m[1]);
}

test('an upstream 429 and the retry after it show in vtg_upstream_429_total and vtg_upstream_retries_total', async () => {
  const before = (await call(t.url, '/metrics')).text;
  assert.equal(metric(before, 'vtg_upstream_429_total'), 0);
  assert.equal(metric(before, 'vtg_upstream_retries_total'), 0);

  mock.setFaults({ tooManyRate: 1 });
  const lookup = call(t.url, '/api/domains/too-many.example.com?wait=true');
  await until(async () => metric((await call(t.url, '/metrics')).text, 'vtg_upstream_429_total') === 1, 10_000);
  mock.setFaults({});
  let answer: Awaited<typeof lookup> | undefined;
  void lookup.then((r) => {
    answer = r;
  });
  await until(async () => {
    await clock.advance(1000);
    return answer;
  }, 10_000);
  assert.equal(answer?.status, 200, answer?.text);
  assert.equal(answer?.body.source, 'upstream');

  const text = (await call(t.url, '/metrics')).text;
  assert.equal(metric(text, 'vtg_upstream_429_total'), 1);
  assert.equal(metric(text, 'vtg_upstream_retries_total'), 1);
  assert.match(text, /# HELP vtg_upstream_429_total /);
});
