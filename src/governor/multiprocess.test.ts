/**
 * Two OS processes share one redis-server, one key and one simulator. The simulator (in this
 * process) judges what both granted together, through an outage of Redis and its return.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { ScaledClock } from '../clock/index.js';
import { type MockServer, startMock } from '../mock/index.js';
import { maxInSpan } from '../scheduler/test-support/stepping-clock.js';
import {
  REDIS_SKIP_MESSAGE,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../test-support/redis-server.js';
import { until } from './test-support/until.js';

const available = redisServerAvailable();
const API_KEY = 'multiprocess-test-key-0123456789abcdef0123456789abcdef0123456789abcd';
const SCALE = 40;
const LOOKUPS = 6;
// 20 s of margin on the sliding minute: absorbs up to 500 ms of real delay (a loaded machine)
// between a grant and the simulator receiving the call at this time scale.
const LIMITS = { minute: 4, burst: 1, minuteMarginMs: 20_000 };
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerPath = fileURLToPath(new URL('./test-support/lookup-worker.ts', import.meta.url));

const children: ChildProcess[] = [];
const servers: RedisServer[] = [];
let mock: MockServer | undefined;
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) await s.kill();
  await mock?.close();
});

interface Worker {
  name: string;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startWorker(name: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath], {
    cwd: repoRoot,
    env: { ...process.env, ...env, WORKER_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l));
    } catch {
      lines.push({ raw: l });
    }
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, lines, exited, stderr: () => err };
}

const doneCount = (w: Worker) => w.lines.filter((l) => 'done' in l).length;
const saw = (w: Worker, event: string) => w.lines.some((l) => l.event === event);

test(
  'two processes sharing Redis stay under the combined limit, through a Redis outage and back',
  { skip: !available && REDIS_SKIP_MESSAGE, timeout: 120_000 },
  async () => {
    const anchor = Date.now();
    const clock = new ScaledClock(SCALE, anchor);
    mock = await startMock({ profile: 'public', clock });
    let redis = await startRedisServer();
    servers.push(redis);
    const env = {
      VT_API_KEY: API_KEY,
      VTG_VIRUSTOTAL_URL: mock.url,
      REDIS_URL: redis.url,
      GOV_PREFIX: 'mp:',
      GOV_LIMITS: JSON.stringify(LIMITS),
      LOOKUPS: String(LOOKUPS),
      VTG_TIME_SCALE: String(SCALE),
      VTG_TIME_ANCHOR: String(anchor),
    };
    const workers = [startWorker('one', env), startWorker('two', env)];
    const total = () => workers.reduce((n, w) => n + doneCount(w), 0);

    await until(() => total() >= 4, 'four lookups through Redis', 60_000);
    await redis.kill();
    // both keep serving from their local share
    await until(
      () => workers.every((w) => w.lines.some((l) => l.mode === 'local')),
      'each process served a lookup from its local share',
      60_000,
    );
    redis = await startRedisServer(redis.port);
    servers.push(redis);
    const codes = await Promise.all(workers.map((w) => w.exited));
    for (const [i, w] of workers.entries()) {
      assert.equal(codes[i], 0, `${w.name} exited cleanly: ${w.stderr().slice(-2000)}`);
      assert.deepEqual(w.lines.at(-1), { summary: true, completed: LOOKUPS, failed: 0 });
      assert.ok(saw(w, 'fallback'), `${w.name} fell back`);
      assert.ok(saw(w, 'resync'), `${w.name} resynced`);
      assert.ok(!w.stderr().includes(API_KEY));
    }
    assert.ok(workers.some((w) => saw(w, 'shared')), 'back on the shared counters');

    const stats = mock.stats();
    assert.equal(stats.rejected429, 0);
    assert.equal(stats.total, 2 * LOOKUPS, 'every lookup fetched once');
    const times = stats.requests.map((r) => r.at);
    assert.ok(maxInSpan(times, 60_000) <= 4, `at most 4 calls in any 60 s (saw ${maxInSpan(times, 60_000)})`);

    // the restarted Redis was told about every call, including those made while it was away
    const probe = new Redis(redis.url);
    try {
      const dayKeys = await probe.keys('mp:*:day:*');
      const counts = await Promise.all(dayKeys.map((k) => probe.get(k)));
      assert.equal(
        counts.reduce((n, c) => n + Number(c), 0),
        2 * LOOKUPS,
      );
    } finally {
      probe.disconnect();
    }
  },
);
