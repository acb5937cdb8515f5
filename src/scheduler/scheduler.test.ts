import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { KeyUnhealthyError, MemoryGovernor, type QuotaLimits } from '../governor/index.js';
import {
  DEFAULT_RETRY,
  QueueFullError,
  Scheduler,
  SchedulerClosedError,
  type SchedulerEvent,
  type SchedulerOptions,
  backoffDelay,
  classifyError,
  estimateCost,
  isRetryable,
} from './index.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const K = 'vt:test';

function setup(limits: QuotaLimits, options: Partial<SchedulerOptions> = {}) {
  const clock = new FakeClock(T0);
  const governor = new MemoryGovernor({ clock });
  governor.configure(K, limits);
  const events: SchedulerEvent[] = [];
  const scheduler = new Scheduler({
    governor,
    key: K,
    clock,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { clock, governor, scheduler, events };
}

/** An error shaped like the VirusTotal client's (matched by code/status, not by class). */
function vtError(status: number, code: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${code} (${status})`), { status, code, retryable: status === 429 || status >= 500, ...extra });
}

test('an interactive task submitted behind 500 queued batch tasks runs next', async () => {
  const { clock, scheduler } = setup({ minute: 4 }, { concurrency: 1 });
  const order: string[] = [];
  const batch = Array.from({ length: 500 }, (_, i) =>
    scheduler.run(async () => void order.push(`b${i}`), { priority: 'batch' }),
  );
  await clock.advance(0);
  assert.deepEqual(order, ['b0', 'b1', 'b2', 'b3']);
  assert.equal(scheduler.depth().batch, 496);
  const interactive = scheduler.run(async () => void order.push('i'), { priority: 'interactive' });
  await clock.runWhile(() => order.includes('i'), 120_000);
  await interactive;
  assert.equal(order[4], 'i', 'nothing else started before the interactive task');
  assert.equal(clock.now(), T0 + 60_000, 'it ran at the next grant');
  await scheduler.close();
  await Promise.allSettled(batch);
});

test('background waits for batch, batch for interactive', async () => {
  const { clock, scheduler } = setup({ ratePerSec: 1, burst: 1 }, { concurrency: 1 });
  const order: string[] = [];
  const ps = [
    scheduler.run(async () => void order.push('bg'), { priority: 'background' }),
    scheduler.run(async () => void order.push('batch'), { priority: 'batch' }),
    scheduler.run(async () => void order.push('int'), { priority: 'interactive' }),
  ];
  await clock.runWhile(() => order.length === 3, 10_000);
  await Promise.all(ps);
  assert.deepEqual(order, ['int', 'batch', 'bg']);
});

test('tenants take turns inside a priority class', async () => {
  const { clock, scheduler } = setup({ ratePerSec: 1, burst: 1 }, { concurrency: 1 });
  const order: string[] = [];
  const ps: Promise<void>[] = [];
  for (let i = 0; i < 3; i++) ps.push(scheduler.run(async () => void order.push(`a${i}`), { tenant: 'a' }));
  for (let i = 0; i < 3; i++) ps.push(scheduler.run(async () => void order.push(`b${i}`), { tenant: 'b' }));
  await clock.runWhile(() => order.length === 6, 60_000);
  await Promise.all(ps);
  assert.deepEqual(order, ['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
});

test('single-flight: concurrent submits with one key share one execution, result and error', async () => {
  const { clock, scheduler, governor } = setup({ minute: 4 });
  let calls = 0;
  const ok = Array.from({ length: 10 }, () =>
    scheduler.run(async () => ++calls, { key: 'virustotal:file:aa' }),
  );
  assert.equal(scheduler.inFlight('virustotal:file:aa'), true);
  let failCalls = 0;
  const bad = Array.from({ length: 3 }, () =>
    scheduler.run(
      async () => {
        failCalls++;
        throw vtError(404, 'NotFoundError');
      },
      { key: 'virustotal:file:bb' },
    ),
  );
  const rejections = bad.map((p) => assert.rejects(p, /NotFoundError/));
  await clock.advance(0);
  assert.deepEqual(await Promise.all(ok), Array(10).fill(1));
  await Promise.all(rejections);
  assert.equal(calls, 1);
  assert.equal(failCalls, 1, '404 is not retried');
  assert.equal(scheduler.inFlight('virustotal:file:aa'), false);
  const st = scheduler.stats();
  assert.equal(st.submitted, 13);
  assert.equal(st.joined, 11);
  assert.equal(st.completed, 1);
  assert.equal(st.failed, 1);
  assert.equal((await governor.summary(K)).ledger.lookup, 2, 'two upstream grants for two keys');
});

test('a joiner that aborts leaves alone; the shared task is cancelled only when every waiter aborted', async () => {
  const { clock, scheduler } = setup({ minute: 1 }, { concurrency: 1 });
  await scheduler.run(async () => 'warm-up'); // the minute is now used: the next tasks queue
  let ran = 0;
  const a = new AbortController();
  const b = new AbortController();
  const pa = scheduler.run(async () => ++ran, { key: 'k1', signal: a.signal });
  const pb = scheduler.run(async () => ++ran, { key: 'k1', signal: b.signal });
  a.abort(new Error('a left'));
  await assert.rejects(pa, /a left/);
  assert.equal(scheduler.inFlight('k1'), true);
  await clock.runWhile(() => ran === 1, 120_000);
  assert.equal(await pb, 1);

  const c = new AbortController();
  const pc = scheduler.run(async () => ++ran, { key: 'k2', signal: c.signal });
  assert.equal(scheduler.depth().batch, 1);
  c.abort(new Error('c left'));
  await assert.rejects(pc, /c left/);
  assert.equal(scheduler.depth().batch, 0, 'the place is freed at once');
  assert.equal(scheduler.inFlight('k2'), false);
  await clock.advance(120_000);
  assert.equal(ran, 1, 'the cancelled task never ran');
  assert.equal(scheduler.stats().cancelled, 1);
});

test('a running task receives the abort through its signal', async () => {
  const { clock, scheduler } = setup({});
  const ac = new AbortController();
  let seen: AbortSignal | undefined;
  const p = scheduler.run(
    ({ signal }) =>
      new Promise((_, reject) => {
        seen = signal;
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
    { signal: ac.signal, key: 'x' },
  );
  await clock.advance(0);
  assert.equal(seen?.aborted, false);
  ac.abort(new Error('user gave up'));
  await assert.rejects(p, /user gave up/);
  assert.equal(seen?.aborted, true);
});

test('transient failures are retried with exponential full-jitter back-off, up to maxAttempts', async () => {
  const { clock, scheduler, events } = setup({});
  const callTimes: number[] = [];
  const p = scheduler.run(async ({ attempt }) => {
    callTimes.push(clock.now() - T0);
    if (attempt < 3) throw vtError(503, 'TransientError');
    return 'ok';
  });
  await clock.runWhile(() => callTimes.length === 3, 60_000);
  assert.equal(await p, 'ok');
  // random() = 0.5: half of 500 ms, then half of 1000 ms
  assert.deepEqual(callTimes, [0, 250, 750]);
  assert.deepEqual(
    events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.delayMs : 0)),
    [250, 500],
  );

  let calls = 0;
  const failing = scheduler.run(async () => {
    calls++;
    throw Object.assign(new Error('socket hang up'), { name: 'VtNetworkError' });
  });
  const rejected = assert.rejects(failing, /socket hang up/);
  await clock.runWhile(() => calls === 5, 600_000);
  await rejected;
  await clock.advance(60_000);
  assert.equal(calls, DEFAULT_RETRY.maxAttempts);
});

test('429 QuotaExceededError pauses the key and requeues the task without spending an attempt', async () => {
  const { clock, scheduler, governor, events } = setup({ minute: 100 });
  let calls = 0;
  const p = scheduler.run(async () => {
    calls++;
    if (calls <= 7) throw vtError(429, 'QuotaExceededError');
    return 'finally';
  });
  await clock.advance(0);
  assert.equal(calls, 1);
  const s = await governor.summary(K);
  assert.equal(s.pausedUntil, T0 + 1000, 'paused at least 1 s when the governor sees no exhausted window');
  const other = scheduler.run(async () => 'other');
  await clock.advance(999);
  assert.equal(calls, 1, 'nothing is granted while the key is paused');
  await clock.runWhile(() => calls === 8, 24 * 3600_000);
  assert.equal(await p, 'finally');
  assert.equal(await other, 'other');
  assert.ok(calls > DEFAULT_RETRY.maxAttempts, 'quota refusals are not attempts');
  const pauses = events.filter((e) => e.type === 'pause');
  assert.equal(pauses.length, 7);
  assert.equal(scheduler.stats().failed, 0);
});

test('a 429 uses Retry-After when the upstream gives one; TooManyRequests backs off tooManyDelayMs', async () => {
  const { clock, scheduler } = setup({});
  const times: number[] = [];
  const p = scheduler.run(async () => {
    times.push(clock.now() - T0);
    if (times.length === 1) throw vtError(429, 'QuotaExceededError', { retryAfterMs: 7000 });
    if (times.length === 2) throw vtError(429, 'TooManyRequestsError');
    return 'ok';
  });
  await clock.runWhile(() => times.length === 3, 60_000);
  assert.equal(await p, 'ok');
  assert.deepEqual(times, [0, 7000, 12_000]);
});

test('401 fails fast and marks the key unhealthy: queued tasks fail without calling upstream', async () => {
  const { clock, scheduler, governor } = setup({}, { concurrency: 1 });
  let calls = 0;
  const first = scheduler.run(async () => {
    calls++;
    throw vtError(401, 'WrongCredentialsError');
  });
  const second = scheduler.run(async () => {
    calls++;
    return 'never';
  });
  const r1 = assert.rejects(first, /WrongCredentialsError/);
  const r2 = assert.rejects(second, KeyUnhealthyError);
  await clock.advance(0);
  await r1;
  await r2;
  assert.equal(calls, 1);
  assert.equal((await governor.summary(K)).keyHealthy, false);
});

test('403 and other 4xx fail at once without retry and leave the key usable', async () => {
  const { clock, scheduler, governor } = setup({});
  let calls = 0;
  const p = scheduler.run(async () => {
    calls++;
    throw vtError(403, 'ForbiddenError');
  });
  const q = scheduler.run(async () => {
    calls++;
    throw vtError(400, 'InvalidArgumentError');
  });
  const rp = assert.rejects(p, /ForbiddenError/);
  const rq = assert.rejects(q, /InvalidArgumentError/);
  await clock.advance(0);
  await rp;
  await rq;
  assert.equal(calls, 2);
  assert.equal((await governor.summary(K)).keyHealthy, true);
});

test('maxQueue: beyond it run() rejects with QueueFullError; a cancelled task frees its place', async () => {
  const { clock, scheduler } = setup({ minute: 1 }, { maxQueue: 2, concurrency: 1 });
  await scheduler.run(async () => 0);
  const ac = new AbortController();
  const a = scheduler.run(async () => 1, { signal: ac.signal });
  const b = scheduler.run(async () => 2);
  await assert.rejects(scheduler.run(async () => 3), QueueFullError);
  ac.abort(new Error('gone'));
  await assert.rejects(a, /gone/);
  const c = scheduler.run(async () => 4);
  await clock.runWhile(() => scheduler.depth().batch === 0 && scheduler.stats().completed === 3, 300_000);
  assert.deepEqual(await Promise.all([b, c]), [2, 4]);
});

test('the interactive reserve: batch stops at 80 % of the day, interactive still runs', async () => {
  const { clock, scheduler } = setup({ day: 10 });
  const done: string[] = [];
  const batch = Array.from({ length: 10 }, (_, i) =>
    scheduler.run(async () => void done.push(`b${i}`), { priority: 'batch' }),
  );
  await clock.advance(1000);
  assert.equal(done.length, 8);
  const interactive = scheduler.run(async () => void done.push('i'), { priority: 'interactive' });
  await clock.advance(1000);
  await interactive;
  assert.equal(done.at(-1), 'i');
  assert.equal(done.length, 9);
  const closed = batch.slice(8).map((p) => assert.rejects(p, SchedulerClosedError));
  await scheduler.close();
  await Promise.all(closed);
});

test('permit: a task making two upstream calls takes a second grant for the second one', async () => {
  const { clock, scheduler, governor } = setup({ ratePerSec: 1, burst: 1 });
  const times: number[] = [];
  const p = scheduler.run(
    async ({ permit }) => {
      await permit('upload_url');
      times.push(clock.now() - T0);
      await permit('upload');
      times.push(clock.now() - T0);
      return 'uploaded';
    },
    { kind: 'upload_url' },
  );
  await clock.runWhile(() => times.length === 2, 10_000);
  assert.equal(await p, 'uploaded');
  assert.deepEqual(times, [0, 1000]);
  const { ledger } = await governor.summary(K);
  assert.equal(ledger.upload_url, 1);
  assert.equal(ledger.upload, 1);
});

test('close rejects queued tasks with a clear error', async () => {
  const { clock, scheduler } = setup({ minute: 1 });
  await scheduler.run(async () => 0);
  const queued = scheduler.run(async () => 1);
  const rejected = assert.rejects(queued, /scheduler was closed/);
  await clock.advance(0);
  await scheduler.close();
  await rejected;
  await assert.rejects(scheduler.run(async () => 2), SchedulerClosedError);
});

test('error classification and back-off arithmetic', () => {
  assert.equal(classifyError(vtError(429, 'QuotaExceededError')), 'quota');
  assert.equal(classifyError(vtError(429, 'TooManyRequestsError')), 'too_many');
  assert.equal(classifyError(vtError(401, 'WrongCredentialsError')), 'auth');
  assert.equal(classifyError(vtError(401, 'AuthenticationRequiredError')), 'auth');
  assert.equal(classifyError(vtError(403, 'ForbiddenError')), 'forbidden');
  assert.equal(classifyError(vtError(503, 'TransientError')), 'transient');
  assert.equal(classifyError(vtError(504, 'DeadlineExceededError')), 'transient');
  assert.equal(classifyError(vtError(502, 'ServerError')), 'transient');
  assert.equal(classifyError(Object.assign(new Error('t'), { name: 'VtTimeoutError' })), 'transient');
  assert.equal(classifyError(Object.assign(new Error('r'), { code: 'ECONNRESET' })), 'transient');
  assert.equal(classifyError(vtError(404, 'NotFoundError')), 'fatal');
  assert.equal(classifyError(new TypeError('bug')), 'fatal');
  assert.equal(isRetryable(vtError(500, 'X')), true);
  assert.equal(isRetryable(vtError(429, 'QuotaExceededError')), true);
  assert.equal(isRetryable(vtError(400, 'BadRequestError')), false);
  const policy = { ...DEFAULT_RETRY };
  assert.equal(backoffDelay(1, policy, () => 0.999), 499);
  assert.equal(backoffDelay(3, policy, () => 0.5), 1000);
  assert.equal(backoffDelay(20, policy, () => 0.5), 15_000, 'capped at maxDelayMs');
  assert.equal(backoffDelay(2, policy, () => 0), 0);
});

test('estimateCost: what a job would spend and when it could finish', async () => {
  const { governor } = setup({ minute: 4, day: 500 });
  const e = await estimateCost({ total: 20, cached: 8, inFlight: 4, upstream: 8 }, governor, K);
  assert.equal(e.upstream, 8);
  assert.equal(e.cached, 8);
  assert.equal(e.inFlight, 4);
  assert.equal(e.etaMs, 60_000);
  assert.equal(e.quota.windows.find((w) => w.window === 'day')?.remaining, 500);
  await assert.rejects(estimateCost({ total: -1, cached: 0, inFlight: 0, upstream: 0 }, governor, K), RangeError);
});

test('an interactive caller joining a queued batch execution lifts it to interactive', async () => {
  const { clock, scheduler } = setup({ minute: 1 }, { concurrency: 1 });
  await scheduler.run(async () => 'warm-up');
  const order: string[] = [];
  const others = [0, 1, 2].map((i) => scheduler.run(async () => void order.push(`b${i}`)));
  const shared = scheduler.run(async () => void order.push('shared'), { key: 'k' });
  const joined = scheduler.run(async () => void order.push('never called'), { key: 'k', priority: 'interactive' });
  await clock.runWhile(() => order.length === 4, 600_000);
  await Promise.all([...others, shared, joined]);
  assert.deepEqual(order, ['shared', 'b0', 'b1', 'b2']);
});

test('close aborts running tasks through their signal', async () => {
  const { clock, scheduler } = setup({});
  let aborted = false;
  const running = scheduler.run(
    ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        }),
      ),
  );
  const rejected = assert.rejects(running, SchedulerClosedError);
  await clock.advance(0);
  await scheduler.close();
  await rejected;
  assert.equal(aborted, true);
});

test('a call that never left (connection refused, DNS failure) gives its grant back; one that reached the upstream does not', async () => {
  const { clock, governor, scheduler } = setup({ day: 2 }, { retry: { ...DEFAULT_RETRY, baseDelayMs: 1000 } });
  let calls = 0;
  const refusedOnce = scheduler.run(async () => {
    calls++;
    // the VirusTotal client's network error carries the system code as `errno`
    if (calls === 1) throw vtError(0, 'NetworkError', { errno: 'ECONNREFUSED', retryable: true });
    return 'ok';
  }, { priority: 'interactive' });
  await clock.runWhile(() => calls === 2, 60_000);
  assert.equal(await refusedOnce, 'ok');
  const day = async () => (await governor.summary(K)).windows.find((w) => w.window === 'day')?.used;
  assert.equal(await day(), 1, 'only the call that reached the upstream counts');
  let resetCalls = 0;
  const reset = scheduler.run(async () => {
    resetCalls++;
    if (resetCalls === 1) throw vtError(0, 'NetworkError', { errno: 'ECONNRESET', retryable: true });
    return 'ok';
  }, { priority: 'interactive' });
  await clock.runWhile(() => resetCalls === 1, 60_000);
  await clock.advance(60_000);
  assert.equal(resetCalls, 1, 'a reset connection may have reached the upstream: its grant stays spent, the day is full');
  assert.equal(await day(), 2);
  await scheduler.close();
  await reset.catch(() => {});
});
