import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock } from '../clock/index.js';
import { KeyUnhealthyError, type RedisGovernorEvent } from './index.js';
import { RedisGovernor } from './redis.js';
import {
  REDIS_SKIP_MESSAGE,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../test-support/redis-server.js';
import { until } from './test-support/until.js';

const available = redisServerAvailable();
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
let server: RedisServer | undefined;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  if (available) server = await startRedisServer();
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await server?.kill();
});

let prefixSeq = 0;
function governor(clock: FakeClock, url: string, prefix: string, events?: RedisGovernorEvent[]) {
  const g = new RedisGovernor({ redis: url, clock, prefix, onEvent: (e) => events?.push(e) });
  cleanups.push(() => g.close());
  return g;
}

function pair(limits: Parameters<RedisGovernor['configure']>[1]) {
  const clock = new FakeClock(T0);
  const prefix = `t${prefixSeq++}:`;
  const url = (server as RedisServer).url;
  const a = governor(clock, url, prefix);
  const b = governor(clock, url, prefix);
  a.configure('k', limits);
  b.configure('k', limits);
  return { clock, a, b };
}

test('two governors on one Redis never grant more than the shared minute limit', { skip: !available && REDIS_SKIP_MESSAGE }, async () => {
  const { clock, a, b } = pair({ minute: 4 });
  const granted: string[] = [];
  const all = [
    ...Array.from({ length: 5 }, () => a.acquire('k').then(() => void granted.push('a'))),
    ...Array.from({ length: 5 }, () => b.acquire('k').then(() => void granted.push('b'))),
  ];
  // Time is frozen: once every governor with callers left is asleep, nothing more can be granted.
  const quiet = (n: number) => {
    const left = (who: string) => 5 - granted.filter((g) => g === who).length;
    const asleep = (left('a') > 0 ? 1 : 0) + (left('b') > 0 ? 1 : 0);
    return granted.length >= n && clock.pending >= asleep;
  };
  await until(() => quiet(4), 'first minute granted');
  assert.equal(granted.length, 4);
  await clock.advance(59_999);
  await until(() => quiet(4), 'both asleep again');
  assert.equal(granted.length, 4, 'nothing before 60 s');
  await clock.advance(1);
  await until(() => quiet(8), 'second minute granted');
  assert.equal(granted.length, 8);
  await clock.advance(60_000);
  await until(() => granted.length === 10, 'the rest');
  await Promise.all(all);
  assert.ok(granted.includes('a') && granted.includes('b'));
  const s = await a.summary('k');
  assert.equal(s.backend, 'redis');
  assert.equal(s.ledger.lookup, 10, 'the ledger is shared');
});

test('bucket, pause, key health and reconcile are shared through Redis', { skip: !available && REDIS_SKIP_MESSAGE }, async () => {
  const { a, b } = pair({ minute: 4, burst: 1, day: 500 });
  assert.deepEqual(await a.tryAcquire('k'), { ok: true });
  assert.deepEqual(await b.tryAcquire('k'), { ok: false, retryInMs: 15_000, reason: 'bucket' });

  a.pause('k', T0 + 40_000);
  await until(async () => (await b.summary('k')).pausedUntil === T0 + 40_000, 'pause visible to b');
  assert.deepEqual(await b.tryAcquire('k'), { ok: false, retryInMs: 40_000, reason: 'paused' });

  await a.reconcile('k', { day: { used: 499, allowed: 500 }, hour: { used: 3, allowed: 240 } });
  const s = await b.summary('k');
  assert.equal(s.windows.find((w) => w.window === 'day')?.used, 499);
  assert.equal(s.lastReconciledAt, T0);
  assert.equal(a.limits('k').hour, 240);

  a.setKeyHealthy('k', false);
  await until(async () => !(await b.summary('k')).keyHealthy, 'health visible to b');
  await assert.rejects(b.acquire('k'), KeyUnhealthyError);
  a.setKeyHealthy('k', true);
  await until(async () => (await b.summary('k')).keyHealthy, 'healthy again');
});

test('Redis lost: serve from the local share, then push what was counted when it returns', { skip: !available && REDIS_SKIP_MESSAGE }, async () => {
  const own = await startRedisServer();
  cleanups.push(() => own.kill());
  const clock = new FakeClock(T0);
  const events: RedisGovernorEvent[] = [];
  const g = governor(clock, own.url, 'fb:', events);
  g.configure('k', { minute: 4, day: 100 });
  for (let i = 0; i < 3; i++) await g.acquire('k');
  assert.equal((await g.summary('k')).backend, 'redis');

  await own.kill();
  let localGrants = 0;
  const during = Array.from({ length: 3 }, () => g.acquire('k').then(() => localGrants++));
  await until(() => events.some((e) => e.type === 'fallback') && clock.pending >= 1, 'fallback');
  assert.equal(g.mode, 'local');
  assert.equal(localGrants, 0, 'the local minute starts full: other instances may have just called');
  await clock.advance(60_000);
  await until(() => localGrants >= 2 && clock.pending >= 1, 'local share granted');
  assert.equal(localGrants, 2, 'the local share of 4 a minute is 2');
  const local = await g.summary('k');
  assert.equal(local.backend, 'local-fallback');
  assert.equal(local.windows.find((w) => w.window === 'minute')?.limit, 2);
  await clock.advance(60_000);
  await Promise.all(during);

  const back = await startRedisServer(own.port);
  cleanups.push(() => back.kill());
  await until(() => events.some((e) => e.type === 'resync'), 'resync after Redis returned', 15_000);
  const resync = events.find((e) => e.type === 'resync');
  assert.deepEqual(resync, { type: 'resync', pushed: 6, dataLost: true });
  const probe = new Redis(back.url);
  cleanups.push(async () => void probe.disconnect());
  const dayKey = `fb:k:day:${Date.UTC(2026, 0, 15)}`;
  assert.equal(await probe.get(dayKey), '6', 'Redis holds every call made, before and during the outage');

  assert.equal(g.mode, 'syncing');
  await clock.advance(60_000);
  await until(() => g.mode === 'redis', 'back on the shared counters');
  assert.ok(events.some((e) => e.type === 'shared'));
  await g.acquire('k');
  const s = await g.summary('k');
  assert.equal(s.backend, 'redis');
  assert.equal(s.windows.find((w) => w.window === 'day')?.used, 7);
});

test('release while Redis is away gives the grant back to the local share, and nothing of it is pushed later', { skip: !available && REDIS_SKIP_MESSAGE }, async () => {
  const gone = await startRedisServer();
  await gone.kill();
  const clock = new FakeClock(T0);
  const events: RedisGovernorEvent[] = [];
  const g = governor(clock, gone.url, 'rel:', events);
  g.configure('k', { day: 10 });
  assert.deepEqual(await g.tryAcquire('k', { kind: 'upload' }), { ok: true });
  assert.equal(g.mode, 'local');
  await g.tryAcquire('k');
  await g.release('k');
  const s = await g.summary('k');
  assert.equal(s.backend, 'local-fallback');
  assert.equal(s.windows.find((w) => w.window === 'day')?.used, 1);
  assert.equal(s.ledger.upload, 1);
  assert.equal(s.ledger.lookup, 0);

  const back = await startRedisServer(gone.port);
  cleanups.push(() => back.kill());
  await until(() => events.some((e) => e.type === 'resync'), 'resync after Redis returned', 15_000);
  assert.deepEqual(events.find((e) => e.type === 'resync'), { type: 'resync', pushed: 1, dataLost: false });
});
