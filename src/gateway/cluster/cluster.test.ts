// Two gateways in one process on one Redis and one SQLite data dir (as two instances would be):
// a delete on one reaches the other's memory tier; a dead holder's flight lock expires.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.js';
import { type MockServer, startMock } from '../../mock/index.js';
import { redisUnavailableReason, type TestRedisServer, startRedisServer } from '../../test-support/redis-server.js';
import { Gateway } from '../gateway.js';

const skip = redisUnavailableReason();
let mock: MockServer;
let redis: TestRedisServer;
let dir: string;
let a: Gateway;
let b: Gateway;

function open(id: string): Promise<Gateway> {
  const env = {
    HOME: dir,
    VT_API_KEY: 'FAKE-VT-KEY-0123456789abcdef0123456789abcdef',
    VTG_VIRUSTOTAL_URL: mock.url,
    REDIS_URL: redis.url,
    VTG_INSTANCE_ID: id,
    VTG_CLUSTER_LEASE: '2',
    VTG_VT_LIMITS: 'minute=1000,hour=100000,day=100000,month=1000000',
  };
  return Gateway.open({ config: loadConfig({ env, overrides: { dataDir: dir } }) });
}

before(async () => {
  if (skip) return;
  mock = await startMock({ profile: 'premium' });
  redis = await startRedisServer();
  dir = await mkdtemp(join(tmpdir(), 'vtg-cluster-unit-'));
  a = await open('a');
  b = await open('b');
});
after(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const domainCalls = () => mock.stats().requests.filter((r) => r.endpoint === 'GET /domains/{domain}').length;

test('a delete on one instance reaches the memory tier of the other', { skip }, async () => {
  await a.lookup('gone.cluster-unit.example');
  // b now holds the answer in its memory tier
  assert.equal((await b.lookup('gone.cluster-unit.example')).source, 'cache');
  await a.cacheClear({ input: 'gone.cluster-unit.example' });
  // the message travels over Redis pub/sub: b's memory copy goes soon after
  const end = Date.now() + 10_000;
  let served = true;
  while (served && Date.now() < end) {
    served = await b.lookup('gone.cluster-unit.example', { cacheOnly: true }).then(
      () => true,
      (err: Error) => (err.name === 'NotCachedError' ? false : Promise.reject(err)),
    );
    if (served) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(served, false, 'b still served the deleted answer from memory');
});

test('clearing the whole cache on one instance empties every memory tier', { skip }, async () => {
  for (const d of ['c1', 'c2', 'c3']) await a.lookup(`${d}.cluster-unit.example`);
  for (const d of ['c1', 'c2', 'c3']) assert.equal((await b.lookup(`${d}.cluster-unit.example`)).source, 'cache');
  await b.cacheClear();
  const end = Date.now() + 10_000;
  let left = 3;
  while (left > 0 && Date.now() < end) {
    left = 0;
    for (const d of ['c1', 'c2', 'c3']) {
      left += await a.lookup(`${d}.cluster-unit.example`, { cacheOnly: true }).then(
        () => 1,
        () => 0,
      );
    }
    if (left > 0) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(left, 0);
});

test('the same indicator asked on both at once: one upstream call', { skip }, async () => {
  const before = domainCalls();
  const answers = await Promise.all([a.lookup('both.cluster-unit.example'), b.lookup('both.cluster-unit.example'), a.lookup('both.cluster-unit.example')]);
  assert.equal(domainCalls() - before, 1);
  assert.equal(new Set(answers.map((x) => x.report.verdict)).size, 1);
});

test('a flight lock left by a dead instance expires with its lease: the lookup then goes upstream', { skip }, async () => {
  const client = new Redis(redis.url);
  try {
    await client.set('vtg:cluster:flight:virustotal:domain:orphan.cluster-unit.example', 'dead-instance/x', 'PX', 1500);
    const before = domainCalls();
    const r = await a.lookup('orphan.cluster-unit.example');
    assert.equal(r.source, 'upstream');
    assert.equal(domainCalls() - before, 1);
  } finally {
    client.disconnect();
  }
});

test('health names the instance and the state of Redis', { skip }, async () => {
  // a sees b from b's heartbeats
  let h = await a.health();
  for (const end = Date.now() + 10_000; (h.cluster?.instances.length ?? 0) < 2 && Date.now() < end; h = await a.health()) await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.instance.id, 'a');
  assert.equal(h.cluster?.redis, 'ready');
  assert.deepEqual(h.cluster?.instances.map((i) => i.id).sort(), ['a', 'b']);
});

test('a refresh on one instance replaces the older copy in the memory tier of the other', { skip }, async () => {
  const first = await a.lookup('refresh.cluster-unit.example');
  assert.equal((await b.lookup('refresh.cluster-unit.example')).fetchedAt, first.fetchedAt);
  await new Promise((r) => setTimeout(r, 10));
  const second = await a.lookup('refresh.cluster-unit.example', { maxAgeMs: 0 });
  assert.equal(second.source, 'upstream');
  assert.ok(second.fetchedAt > first.fetchedAt);
  const end = Date.now() + 10_000;
  let seen = first.fetchedAt;
  while (seen !== second.fetchedAt && Date.now() < end) {
    seen = (await b.lookup('refresh.cluster-unit.example')).fetchedAt;
    if (seen !== second.fetchedAt) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(seen, second.fetchedAt);
});
