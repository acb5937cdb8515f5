/**
 * Crash-safety helper: writes cache entries and batch item completions to the store at argv[2] as
 * fast as it can, printing `job <id>` once and then `committed <n>` after each committed step, until
 * it is killed (or reaches its bound). Used by `crash.test.ts`, which SIGKILLs it mid-write.
 */
import { Store } from '../index.js';
import { makeReport } from './reports.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: writer.ts <sqlite file>\n');
  process.exit(2);
}
const STEPS = 20_000;
const store = await Store.open({ file });
const job = await store.batches.create({ options: { source: 'crash-test' } }, Array.from({ length: STEPS }, (_, i) => ({ input: `line ${i}`, kind: 'file' as const })));
process.stdout.write(`job ${job.id}\n`);
for (let i = 0; i < STEPS; i++) {
  const at = Date.now();
  if (i % 10 === 0) {
    // A bigger transaction every tenth step, so the kill often lands inside a multi-row write.
    const writes = Array.from({ length: 50 }, (_, k) => ({
      report: makeReport({ n: `bulk-${i}-${k}`, padBytes: 3000, fetchedAt: at }),
      expiresAt: at + 3600_000,
    }));
    await store.cache.putMany(writes);
  }
  await store.cache.put(makeReport({ n: i, padBytes: 6000, fetchedAt: at }), at + 3600_000);
  await store.batches.completeItem(job.id, i, { result: { step: i, verdict: 'malicious', pad: 'y'.repeat(2000) }, source: 'upstream', upstreamCalls: 1 });
  process.stdout.write(`committed ${i + 1}\n`);
}
await store.close();
