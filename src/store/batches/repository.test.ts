import assert from 'node:assert/strict';
import { FakeClock } from '../../clock/index.js';
import type { NewBatchItem, } from '../index.js';
import { collect } from '../test-support/collect.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

const T0 = Date.UTC(2026, 0, 15, 12);
let n = 0;
const open = async (clock = new FakeClock(T0)) => await openTestStore(`batches-${++n}`, { clock });

const lines = (count: number): NewBatchItem[] =>
  Array.from({ length: count }, (_, i) => ({ input: `host${i}.example`, kind: 'domain' as const, id: `host${i}.example` }));

storeTest('create stores the job and its items in input order; bad lines are born finished', async () => {
  const store = await open();
  try {
    const job = await store.batches.create({ owner: 'tok-1', priority: 5, budget: 40, webhook: 'https://hooks.example/x', options: { wait: false } }, [
      ...lines(3),
      { input: 'not an ioc', status: 'error', error: { code: 'invalid_indicator', message: 'not an indicator' } },
      { input: '# comment', status: 'skipped' },
    ]);
    assert.match(job.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { status: job.status, total: job.total, done: job.done, failed: job.failed, owner: job.owner, priority: job.priority },
      { status: 'queued', total: 5, done: 1, failed: 1, owner: 'tok-1', priority: 5 },
    );
    assert.equal(job.budget, 40);
    assert.deepEqual(job.options, { wait: false });
    assert.equal(job.createdAt, T0);
    assert.deepEqual(
      (await store.batches.pendingItems(job.id, 10)).map((i) => [i.seq, i.input]),
      [
        [0, 'host0.example'],
        [1, 'host1.example'],
        [2, 'host2.example'],
      ],
    );
    assert.deepEqual((await store.batches.item(job.id, 3))?.error, { code: 'invalid_indicator', message: 'not an indicator' });
    assert.equal((await store.batches.item(job.id, 4))?.status, 'skipped');
  } finally {
    await store.close();
  }
});

storeTest('completeItem is idempotent per (job, seq): a repeat changes neither the result nor the counters', async () => {
  const clock = new FakeClock(T0);
  const store = await open(clock);
  try {
    const job = await store.batches.create({}, lines(3));
    await clock.advance(1000);
    const result = { verdict: 'harmless', source: 'upstream' };
    assert.equal(await store.batches.completeItem(job.id, 0, { result, source: 'upstream', upstreamCalls: 1 }), true);
    assert.equal(await store.batches.completeItem(job.id, 0, { result: { verdict: 'other' }, source: 'cache', upstreamCalls: 1 }), false);
    assert.equal(await store.batches.failItem(job.id, 0, { error: { code: 'x', message: 'y' } }), false, 'a done item cannot fail');
    assert.equal(await store.batches.failItem(job.id, 1, { error: { code: 'quota_exceeded', message: 'daily quota used' }, upstreamCalls: 1 }), true);
    assert.equal(await store.batches.failItem(job.id, 1, { error: { code: 'quota_exceeded', message: 'again' } }), false);
    assert.equal(await store.batches.completeItem(job.id, 9, { result: null, source: 'cache' }), false, 'unknown seq');

    const after = await store.batches.get(job.id);
    assert.deepEqual(
      { done: after?.done, failed: after?.failed, upstreamCalls: after?.upstreamCalls, updatedAt: after?.updatedAt },
      { done: 1, failed: 1, upstreamCalls: 2, updatedAt: T0 + 1000 },
    );
    const item = await store.batches.item(job.id, 0);
    assert.deepEqual(
      { status: item?.status, source: item?.source, result: item?.result, finishedAt: item?.finishedAt },
      { status: 'done', source: 'upstream', result, finishedAt: T0 + 1000 },
    );
    assert.deepEqual(
      (await store.batches.pendingItems(job.id, 10)).map((i) => i.seq),
      [2],
    );
  } finally {
    await store.close();
  }
});

storeTest('setStatus with `from` is a compare-and-set; unfinished lists queued and running jobs by priority', async () => {
  const clock = new FakeClock(T0);
  const store = await open(clock);
  try {
    const low = await store.batches.create({ priority: 1 }, lines(1));
    await clock.advance(10);
    const high = await store.batches.create({ priority: 9 }, lines(1));
    const paused = await store.batches.create({}, lines(1));
    const done = await store.batches.create({}, lines(1));
    assert.equal(await store.batches.setStatus(low.id, 'running'), true);
    assert.equal(await store.batches.setStatus(paused.id, 'paused', { from: ['running'] }), false, 'not running yet');
    assert.equal(await store.batches.setStatus(paused.id, 'paused', { from: ['queued', 'running'] }), true);
    assert.equal(await store.batches.setStatus(done.id, 'failed', { error: { code: 'budget_exhausted', message: 'budget of 10 calls used' } }), true);
    assert.deepEqual((await store.batches.get(done.id))?.error, { code: 'budget_exhausted', message: 'budget of 10 calls used' });
    assert.deepEqual(
      (await store.batches.unfinished()).map((j) => j.id),
      [high.id, low.id],
    );
    assert.equal(await store.batches.setStatus('no-such-job', 'cancelled'), false);
  } finally {
    await store.close();
  }
});

storeTest('list filters by owner (null = no owner) and status, newest first', async () => {
  const clock = new FakeClock(T0);
  const store = await open(clock);
  try {
    const a = await store.batches.create({ owner: 'alice' }, lines(1));
    await clock.advance(1);
    const b = await store.batches.create({ owner: 'bob' }, lines(1));
    await clock.advance(1);
    const c = await store.batches.create({}, lines(1));
    await store.batches.setStatus(a.id, 'completed');
    assert.deepEqual(
      (await store.batches.list()).map((j) => j.id),
      [c.id, b.id, a.id],
    );
    assert.deepEqual(
      (await store.batches.list({ owner: 'bob' })).map((j) => j.id),
      [b.id],
    );
    assert.deepEqual(
      (await store.batches.list({ owner: null })).map((j) => j.id),
      [c.id],
    );
    assert.deepEqual(
      (await store.batches.list({ status: 'completed' })).map((j) => j.id),
      [a.id],
    );
  } finally {
    await store.close();
  }
});

storeTest('results streams every item in order across pages, from any afterSeq, and finishedOnly skips pending ones', async () => {
  const store = await open();
  try {
    const job = await store.batches.create({}, lines(1203));
    for (let seq = 0; seq < 1203; seq += 2) await store.batches.completeItem(job.id, seq, { result: { seq }, source: 'cache' });
    const seqs: number[] = [];
    for await (const item of store.batches.results(job.id)) {
      seqs.push(item.seq);
      // The store stays usable while a stream is open (pages, no open cursor).
      if (item.seq === 600) await store.batches.completeItem(job.id, 601, { result: { seq: 601 }, source: 'upstream' });
    }
    assert.equal(seqs.length, 1203);
    assert.deepEqual(seqs.slice(0, 3), [0, 1, 2]);
    assert.equal(seqs[1202], 1202);
    const tail = (await collect(store.batches.results(job.id, { afterSeq: 1199 }))).map((i) => i.seq);
    assert.deepEqual(tail, [1200, 1201, 1202]);
    const finished = (await collect(store.batches.results(job.id, { finishedOnly: true })));
    assert.equal(finished.length, 603);
    assert.ok(finished.every((i) => i.status === 'done'));
    assert.equal((await store.batches.get(job.id))?.done, 603);
  } finally {
    await store.close();
  }
});

storeTest('jobs and their progress survive a reopen; delete removes a job with its items', async () => {
  const a = await openTestStore(`batches-reopen-${++n}`);
  const name = `batches-reopen-${n}`;
  const job = await a.batches.create({}, lines(4));
  await a.batches.setStatus(job.id, 'running');
  await a.batches.completeItem(job.id, 0, { result: { ok: true }, source: 'upstream' });
  await a.close();
  const b = await openTestStore(name);
  try {
    assert.deepEqual(
      (await b.batches.unfinished()).map((j) => [j.id, j.done]),
      [[job.id, 1]],
    );
    assert.deepEqual(
      (await b.batches.pendingItems(job.id, 10)).map((i) => i.seq),
      [1, 2, 3],
    );
    assert.equal(await b.batches.delete(job.id), true);
    assert.equal(await b.batches.get(job.id), undefined);
    assert.deepEqual((await collect(b.batches.results(job.id))), []);
  } finally {
    await b.close();
  }
});
