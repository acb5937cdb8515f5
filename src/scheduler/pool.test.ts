// The scheduler on a key pool: each task runs on the member the pool grants, and a 401 takes that
// member out of rotation and moves the task to another key (the last refusal fails as before).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { KeyPool, KeyUnhealthyError, MemoryGovernor } from '../governor/index.js';
import { Scheduler, type SchedulerEvent } from './index.js';

function pooled(policy: 'primary-first' | 'spread' = 'primary-first', concurrency = 1) {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  const governor = new MemoryGovernor({ clock });
  for (const k of ['vt:a', 'vt:b']) governor.configure(k, { minute: 10 });
  const pool = new KeyPool(governor, [{ key: 'vt:a', label: 'a' }, { key: 'vt:b', label: 'b' }], policy, clock);
  const events: SchedulerEvent[] = [];
  const scheduler = new Scheduler({ governor, key: 'vt:pool', pool, clock, concurrency, onEvent: (e) => events.push(e) });
  return { clock, governor, scheduler, events };
}

const refused = () => Object.assign(new Error('WrongCredentialsError (401)'), { status: 401, code: 'WrongCredentialsError' });

test('a 401 on one key moves the task to the other; later tasks go there only', async () => {
  const { clock, governor, scheduler, events } = pooled();
  const used: string[] = [];
  const task = async ({ permit }: { permit: (k: 'lookup') => Promise<string | undefined> }) => {
    const key = (await permit('lookup')) as string;
    used.push(key);
    if (key === 'vt:a') throw refused();
    return key;
  };
  const first = scheduler.run(task, { priority: 'interactive' });
  await clock.advance(0);
  assert.equal(await first, 'vt:b');
  const second = scheduler.run(task, { priority: 'interactive' });
  await clock.advance(0);
  assert.equal(await second, 'vt:b');
  assert.deepEqual(used, ['vt:a', 'vt:b', 'vt:b']);
  assert.equal((await governor.summary('vt:a')).keyHealthy, false);
  assert.deepEqual(
    events.filter((e) => e.type === 'key_unhealthy'),
    [{ type: 'key_unhealthy', error: 'WrongCredentialsError', upstreamKey: 'vt:a', label: 'a', retried: true }],
  );
});

test('when every key is refused the task fails with the refusal, and queued work with KeyUnhealthyError', async () => {
  const { clock, scheduler } = pooled('spread');
  const always = async () => {
    throw refused();
  };
  const first = scheduler.run(always, { priority: 'interactive' });
  const r1 = assert.rejects(first, /WrongCredentialsError/);
  await clock.advance(0);
  await r1;
  await assert.rejects(scheduler.run(async () => 'never', { priority: 'interactive' }), KeyUnhealthyError);
});

test('calls in flight on a key when it is revoked all move on; the key is reported out of rotation once', async () => {
  const { clock, scheduler, events } = pooled('primary-first', 2);
  let inFlight = 0;
  let release: () => void = () => {};
  const bothStarted = new Promise<void>((r) => (release = r));
  const task = async ({ permit }: { permit: (k: 'lookup') => Promise<string | undefined> }) => {
    const key = (await permit('lookup')) as string;
    if (key === 'vt:a') {
      // both calls are on the wire before the first refusal comes back
      if (++inFlight === 2) release();
      await bothStarted;
      throw refused();
    }
    return key;
  };
  const runs = [scheduler.run(task, { priority: 'interactive' }), scheduler.run(task, { priority: 'interactive' })];
  await clock.advance(0);
  assert.deepEqual(await Promise.all(runs), ['vt:b', 'vt:b']);
  assert.equal(events.filter((e) => e.type === 'key_unhealthy').length, 1);
});
