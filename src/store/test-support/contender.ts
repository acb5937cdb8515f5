/**
 * Second-process helper: `contender.ts <sqlite file> <name> <steps>` writes to the store the way a
 * running `vtg serve` and a `vtg batch` on the same data dir do (cache puts, usage counters, history
 * observations with their change check, batch item completions) as fast as it can. It prints
 * `done <steps>` and exits 0, or prints the first error and exits 1. Used by `two-process.test.ts`.
 */
import { Store } from '../index.js';
import { makeReport } from './reports.js';

const [file, name = 'p', stepsText = '400'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: contender.ts <sqlite file> <name> <steps>\n');
  process.exit(2);
}
const steps = Number(stepsText);
const store = await Store.open({ file });
try {
  const job = await store.batches.create({ options: { source: name } }, Array.from({ length: steps }, (_, i) => ({ input: `${name} ${i}`, kind: 'file' as const })));
  for (let i = 0; i < steps; i++) {
    const at = Date.now();
    const report = makeReport({ n: `${name}-${i}`, padBytes: 1500, fetchedAt: at });
    await store.cache.put(report, at + 3_600_000);
    // the same indicator in both processes: read-then-write transactions on the same rows
    await store.cache.put(makeReport({ n: `shared-${i % 50}`, padBytes: 500, fetchedAt: at }), at + 3_600_000);
    await store.history.observe({ provider: 'virustotal', kind: 'file', id: `shared-${i % 50}`, indicator: `shared-${i % 50}`, at, verdict: i % 2 ? 'malicious' : 'harmless', detections: i % 7 });
    await store.cache.addUsage({ 'hits.memory': 1, misses: 1 }, [{ provider: 'virustotal', kind: 'file', id: report.id, n: 1 }]);
    await store.batches.completeItem(job.id, i, { result: { i }, source: 'upstream', upstreamCalls: 1 });
    if (i % 20 === 0) {
      await store.cache.putMany(Array.from({ length: 10 }, (_, k) => ({ report: makeReport({ n: `${name}-bulk-${i}-${k}`, fetchedAt: at }), expiresAt: at + 3_600_000 })));
    }
  }
  process.stdout.write(`done ${steps}\n`);
  await store.close();
} catch (err) {
  process.stdout.write(`error ${(err as Error).name}: ${(err as Error).message}\n`);
  await store.close();
  process.exit(1);
}
