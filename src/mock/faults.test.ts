import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CLEAN_SHA256, type MockServer, startMock } from './index.js';
import { KEY, call } from './test-support/http.js';

const servers: MockServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function premium(options = {}): Promise<MockServer> {
  const mock = await startMock({ profile: 'premium', ...options });
  servers.push(mock);
  return mock;
}

async function statuses(mock: MockServer, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(mock, `/files/${CLEAN_SHA256}`)).status);
  return out;
}

test('errorRate answers a seeded, repeatable share of 503 TransientError', async () => {
  const a = await premium({ faults: { errorRate: 0.3 }, seed: 42 });
  const b = await premium({ faults: { errorRate: 0.3 }, seed: 42 });
  const first = await statuses(a, 60);
  const second = await statuses(b, 60);
  assert.deepEqual(first, second, 'same seed, same faults');
  const errors = first.filter((s) => s === 503).length;
  assert.ok(errors >= 8 && errors <= 30, `503s: ${errors}`);
  assert.equal(first.filter((s) => s === 200).length, 60 - errors);
  assert.equal(a.stats().byStatus['503'], errors);
  a.setFaults({ errorRate: 0.3, seed: 42 });
  assert.deepEqual(await statuses(a, 60), first, 'setFaults re-seeds');
  b.setFaults({ errorRate: 1 });
  assert.deepEqual((await call(b, `/files/${CLEAN_SHA256}`)).body.error.code, 'TransientError');
});

test('errorStatus picks the status and VT code; faulted requests use no quota', async () => {
  const mock = await premium({ faults: { errorRate: 1, errorStatus: 504 }, limits: { minute: 1 } });
  for (let i = 0; i < 3; i++) {
    const res = await call(mock, `/files/${CLEAN_SHA256}`);
    assert.equal(res.status, 504);
    assert.equal(res.body.error.code, 'DeadlineExceededError');
  }
  mock.setFaults({ errorRate: 1, errorStatus: 500 });
  assert.equal((await call(mock, `/files/${CLEAN_SHA256}`)).status, 500);
  mock.setFaults({});
  assert.equal((await call(mock, `/files/${CLEAN_SHA256}`)).status, 200, 'the minute quota of 1 was still free');
});

test('quotaStorm answers every request 429 QuotaExceededError; tooManyRate 429 TooManyRequestsError', async () => {
  const mock = await premium({ faults: { quotaStorm: true } });
  for (let i = 0; i < 3; i++) {
    const res = await call(mock, `/files/${CLEAN_SHA256}`);
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'QuotaExceededError');
  }
  mock.setFaults({ tooManyRate: 1 });
  const burst = await call(mock, '/domains/example.com');
  assert.equal(burst.status, 429);
  assert.equal(burst.body.error.code, 'TooManyRequestsError');
  assert.equal(mock.stats().rejected429, 4);
  assert.equal((await call(mock, `/users/${KEY}/overall_quotas`)).status, 429, 'storms hit the free endpoints too');
});

test('dropRate destroys the connection without an answer', async () => {
  const mock = await premium({ faults: { dropRate: 1 } });
  await assert.rejects(call(mock, `/files/${CLEAN_SHA256}`), TypeError);
  const stats = mock.stats();
  assert.equal(stats.dropped, 1);
  assert.equal(stats.byStatus['0'], 1);
  mock.setFaults({});
  assert.equal((await call(mock, `/files/${CLEAN_SHA256}`)).status, 200);
});

test('timeoutRate never answers, and close() still ends every hung connection', async () => {
  const mock = await startMock({ profile: 'premium', faults: { timeoutRate: 1 } });
  const hung = fetch(`${mock.url}/api/v3/files/${CLEAN_SHA256}`, { headers: { 'x-apikey': KEY } }).then(
    (res) => res.status,
    () => 'failed',
  );
  for (let i = 0; i < 6000 && mock.stats().hung === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(mock.stats().hung, 1);
  await mock.close();
  assert.equal(await hung, 'failed', 'the client saw its connection closed, never an answer');
});

test('latency holds the answer back until the client gives up; close() cancels it', async () => {
  const mock = await startMock({ profile: 'premium', faults: { latencyMs: 600_000 } });
  await assert.rejects(
    fetch(`${mock.url}/api/v3/files/${CLEAN_SHA256}`, { headers: { 'x-apikey': KEY }, signal: AbortSignal.timeout(200) }),
    /TimeoutError|aborted/,
  );
  assert.equal(mock.stats().total, 0, 'nothing answered yet');
  await mock.close();
});
