import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Store } from './index.js';
import { makeTempDir } from './test-support/temp-dir.js';
import { collect } from './test-support/collect.js';

const tmp = makeTempDir();
after(tmp.remove);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const KILL_AFTER = 300;

/** Runs the writer until it reports `KILL_AFTER` committed steps, then SIGKILLs it mid-write. */
async function runAndKill(file: string): Promise<{ jobId: string; committed: number; signal: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/store/test-support/writer.ts', file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let jobId = '';
  let committed = 0;
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('job ')) jobId = line.slice(4);
      else if (line.startsWith('committed ')) committed = Number(line.slice(10));
      if (committed >= KILL_AFTER) {
        child.kill('SIGKILL');
        break;
      }
    }
  } finally {
    clearTimeout(watchdog);
  }
  const signal = await exited;
  assert.ok(jobId, `writer did not start: ${stderr}`);
  return { jobId, committed, signal };
}

test('a writer killed with SIGKILL mid-write leaves a sound database with no partial entries and exact batch counters', async () => {
  const file = join(tmp.dir, 'crash.sqlite');
  const { jobId, committed, signal } = await runAndKill(file);
  assert.equal(signal, 'SIGKILL');
  assert.ok(committed >= KILL_AFTER);

  const store = await Store.open({ file });
  try {
    assert.deepEqual(await store.integrityCheck(), ['ok']);

    // Every cache row parses, and every step reported committed is there.
    let entries = 0;
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const result = await store.cache.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const e of result.items) {
        assert.equal(typeof e.report.id, 'string');
        assert.equal(e.fetchedAt, e.report.fetchedAt);
        entries++;
      }
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    assert.equal(entries, await store.cache.count());
    assert.ok(entries >= committed, `${entries} cache entries for ${committed} committed steps`);

    // Batch counters match the items exactly: no completion lost, none doubled.
    const job = await store.batches.get(jobId);
    assert.ok(job);
    const items = (await collect(store.batches.results(jobId)));
    const done = items.filter((i) => i.status === 'done');
    assert.equal(job.done, done.length);
    assert.equal(job.upstreamCalls, done.length);
    assert.equal(job.failed, 0);
    assert.ok(job.done >= committed, `${job.done} done for ${committed} committed`);
    for (const item of done) assert.equal((item.result as { step: number }).step, item.seq);
    assert.equal(items.length, job.total);
    assert.ok(
      items.filter((i) => i.status === 'pending').every((i) => i.result === null && i.finishedAt === null),
      'pending items carry no partial result',
    );

    // The store keeps working after the crash: the job resumes where it stopped.
    const next = (await store.batches.pendingItems(jobId, 1))[0];
    assert.ok(next);
    assert.equal(await store.batches.completeItem(jobId, next.seq, { result: { step: next.seq }, source: 'cache' }), true);
    assert.equal((await store.batches.get(jobId))?.done, job.done + 1);
  } finally {
    await store.close();
  }
});
